"""The book's ``common/`` folder (*ゼロから作るDeep Learning*, ch. 3–6) in plain NumPy, for the
lecture on overfitting and regularization (過学習と正則化, Day 2, Section 3).

The book's files at the book's paths: ``functions``, ``layers`` (Affine, Relu, Sigmoid,
Dropout, SoftmaxWithLoss), ``gradient``, ``optimizer`` (SGD, Momentum, Nesterov,
AdaGrad, RMSprop, Adam), ``util``, ``multi_layer_net`` (``MultiLayerNet`` with L2/L1
weight decay and dropout), ``multi_layer_net_extend`` and ``trainer`` (``Trainer`` and
its ``History``); plus the lecture's ``regularizers`` (``ridge``/``lasso``) and
``datasets`` (``load_mnist`` on the digits shipped in ``common/data``).  It imports
only numpy and the standard library; the course's tooling lives in ``course``.
"""

__version__ = "0.1.0"
