"""NumPy course package for "overfitting and regularization" (過学習と正則化).

Modules follow the lecture (Deep Learning Day 2, Section 3) and the book
*ゼロから作るDeep Learning* ch. 6.4, one idea each:

- :mod:`common.layers` – Affine, Relu, Sigmoid, Dropout, SoftmaxWithLoss
- :mod:`common.multi_layer_net` – ``MultiLayerNet`` with L2/L1 weight decay and dropout
- :mod:`common.regularizers` – ``ridge``/``lasso`` gradient updates and penalty values
- :mod:`common.optimizer` – SGD, Momentum, AdaGrad, RMSprop, Adam
- :mod:`common.trainer` – the one training loop (``Trainer``) and its ``History``
- :mod:`common.datasets` – ``load_mnist`` (real MNIST digits shipped in ``data/``)
- :mod:`common.gradient` – ``numerical_gradient`` for gradient checks
"""

__version__ = "0.1.0"
