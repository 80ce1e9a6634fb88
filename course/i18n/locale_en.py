"""English messages (the default); keys match :mod:`course.i18n.locale_ja`. One section per module."""

MESSAGES: dict[str, str] = {
    # --- plots -------------------------------------------------------------------
    "plots.train": "train",
    "plots.test": "test",
    "plots.epoch": "epoch",
    "plots.accuracy": "accuracy",
    "plots.loss": "loss",
    "plots.title_final": "train {train}, test {test}, gap {gap}",
    "plots.compare_title": "{label}\ntrain {train} / test {test}",
    "plots.train_loss_total": "train loss (incl. penalty)",
    "plots.train_loss_data": "train loss (error only)",
    "plots.test_loss": "test loss (error only)",
    "plots.penalty": "penalty term",
    "plots.gap": "gap (train − test)",
    "plots.final_accuracy": "final accuracy",
    "plots.weight_value": "weight value",
    "plots.density": "density",
    "plots.seed_band": "{label} (mean ± 1 sd over {n} seeds)",
    "plots.one_seed": "{label} (1 seed)",
    "plots.key_train_acc": "train accuracy",
    "plots.key_test_acc": "test accuracy",
    "plots.key_weight_norm": "weight norm",
    "plots.key_sparsity": "fraction of near-zero weights",
    "plots.key_seconds": "seconds",
    # --- explorer ----------------------------------------------------------------
    "explorer.label.regularization": "regularization",
    "explorer.label.weight_decay_lambda": "λ",  # every explorer.lambda.* begins with it (the page finds the slider by it)
    "explorer.label.l1_update": "L1 update",
    "explorer.label.use_dropout": "dropout",
    "explorer.label.dropout_ratio": "dropout ratio",
    "explorer.label.dropout_inverted": "dropout scaling",
    "explorer.label.optimizer": "optimizer",
    "explorer.label.lr": "learning rate",
    "explorer.label.n_train": "training digits",
    "explorer.label.epochs": "epochs",
    "explorer.label.seed": "seed",
    "explorer.label.n_seeds": "seeds (runs)",
    "explorer.label.hidden_layers": "hidden layers",
    "explorer.label.hidden_size": "units per layer",
    "explorer.label.augment_shift": "augment: shift (px)",
    "explorer.label.augment_rotation": "augment: rotation (°)",
    "explorer.label.augment_noise": "augment: noise σ",
    "explorer.lambda.none": "λ (unused)",
    "explorer.lambda.l2": "λ (weight decay)",
    "explorer.lambda.l1": "λ (L1)",
    "explorer.lambda.other": "λ ({name})",
    "explorer.tip.regularization": "the penalty added to the loss: none, L2 (½·λ·ΣW², weight decay) or L1 (λ·Σ|W|)",
    "explorer.tip.weight_decay_lambda": "λ, the penalty's coefficient (weight_decay_lambda); 0 switches it off; moved above 0 while regularization is none, it turns L2 on",
    "explorer.tip.l1_update": "how L1 moves the weights: the lecture's λ·sign(W) added to the gradient, or the proximal step that stops at 0",
    "explorer.tip.use_dropout": "drop hidden units at random during training",
    "explorer.tip.dropout_ratio": "the probability of dropping a unit (dropout_ratio)",
    "explorer.tip.dropout_inverted": "inverted: scale the kept units by 1/(1−ratio) while training; at test time: the lecture's class, outputs × (1−ratio) at test time",
    "explorer.tip.optimizer": "how each step uses the gradient",
    "explorer.tip.lr": "the step size (learning rate); the lecture uses 0.01",
    "explorer.tip.n_train": "how many training digits (the lecture uses 300)",
    "explorer.tip.epochs": "how many passes over the training digits",
    "explorer.tip.seed": "fixes the initial weights, the mini-batches and the dropout masks",
    "explorer.tip.n_seeds": "train seed, seed+1, …: with 2 or more, the curves are the mean with a ±1 sd band",
    "explorer.tip.hidden_layers": "how many hidden layers (the lecture uses 6)",
    "explorer.tip.hidden_size": "units in each hidden layer (the lecture uses 100)",
    "explorer.tip.augment_shift": "shift each training digit by up to this many pixels, fresh every mini-batch",
    "explorer.tip.augment_rotation": "rotate each training digit by up to this many degrees",
    "explorer.tip.augment_noise": "add Gaussian noise with this standard deviation",
    "explorer.choice.none": "none",
    "explorer.choice.l2": "L2",
    "explorer.choice.l1": "L1",
    "explorer.choice.subgradient": "λ·sign(W)",
    "explorer.choice.proximal": "proximal",
    "explorer.choice.inverted": "inverted",
    "explorer.choice.test_time": "at test time",
    "explorer.tip.choice.none": "no penalty",
    "explorer.tip.choice.l2": "L2: + ½·λ·Σ W² (weight decay)",
    "explorer.tip.choice.l1": "L1: + λ·Σ |W|",
    "explorer.tip.choice.subgradient": "the lecture's update: grad += λ·sign(W); weights hover around 0",
    "explorer.tip.choice.proximal": "ProximalSGD: step on the data loss, then shrink each weight by lr·λ, stopping at 0 (SGD only)",
    "explorer.tip.choice.inverted": "scale the kept units by 1/(1−ratio) in training; nothing at test time",
    "explorer.tip.choice.test_time": "the lecture's class: no scaling in training, outputs × (1−ratio) at test time",
    "explorer.optimizer.sgd": "SGD",
    "explorer.optimizer.momentum": "Momentum",
    "explorer.optimizer.adagrad": "AdaGrad",
    "explorer.optimizer.rmsprop": "RMSprop",
    "explorer.optimizer.adam": "Adam",
    "explorer.optimizer.adamw": "AdamW (decoupled weight decay)",
    "explorer.optimizer.sgdw": "SGDW (decoupled weight decay)",
    "explorer.button.pin": "pin",
    "explorer.button.clear_pins": "clear pins",
    "explorer.tip.pin": "keep this run's curves as a faded reference under the next runs",
    "explorer.tip.clear_pins": "remove the pinned curves",
    "explorer.axis.epoch": "epoch",
    "explorer.axis.accuracy": "accuracy",
    "explorer.axis.loss": "loss",
    "explorer.legend.train": "train",
    "explorer.legend.test": "test",
    "explorer.legend.band": "mean ± 1 sd, {n} seeds",
    "explorer.legend.train_data_loss": "train (data loss)",
    "explorer.legend.test_data_loss": "test (data loss)",
    "explorer.legend.penalty": "penalty",
    "explorer.status.waiting": "waiting to start…",
    "explorer.status.training": "training…",
    "explorer.status.paused": "paused: another explorer started training. Move a control here to go on",
    "explorer.status.done": "done",
    "explorer.status.epoch": "epoch {epoch}/{epochs}",
    "explorer.status.numbers": "train {train} · test {test} · gap {gap} · ‖W‖ {norm} · near-zero weights {sparsity}%",
    "explorer.status.seeds": "mean ± sd of {n} seeds",
    "explorer.status.seed_prefix": "seed {seed}:",
    "explorer.status.delta": "Δ vs pin {n} (epoch {epoch}): test {test} · gap {gap}",
    "explorer.status.cannot_train": "cannot train with these settings:",
    "explorer.note.lambda_no_effect": "λ has no effect while regularization is 'none'",
    "explorer.note.dropout_off": "the dropout ratio and scaling have no effect while dropout is off",
    "explorer.note.l1_update_no_effect": "the L1 update has no effect unless regularization is L1",
    "explorer.note.decoupled": "{optimizer}: λ shrinks the weights directly (decoupled weight decay), so there is no penalty in the loss",
    "explorer.note.proximal": "proximal L1: λ acts in the optimizer's step, the penalty line shows λ·Σ|W|",
    "explorer.refused.nothing_to_pin": "nothing to pin yet: wait for the first epoch's points",
    "explorer.refused.proximal_needs_sgd": "the proximal L1 step is written for SGD, not {optimizer}: choose SGD, or the λ·sign(W) update",
    "explorer.refused.setting": "{setting}: {value} is not allowed ({allowed})",
    "explorer.pins.title": "pinned (faded, under the live curves):",
    "explorer.pins.item": "pin {n}: {label} · test {test} · gap {gap}",
    "explorer.pins.partial": "(stopped at epoch {epoch}/{epochs})",
    "explorer.pins.dropped": "pin {n} removed: at most {max} pins",
    "explorer.summary.none": "no regularization",
    "explorer.summary.l2": "L2 λ={lam}",
    "explorer.summary.l1": "L1 λ={lam}",
    "explorer.summary.l1_proximal": "L1 λ={lam} (proximal)",
    "explorer.summary.other": "{name} λ={lam}",
    "explorer.summary.dropout": "dropout {ratio}",
    "explorer.summary.dropout_test_time": "dropout {ratio} (scaled at test time)",
    "explorer.summary.optimizer": "{name} lr={lr}",
    "explorer.summary.n_train": "{n} digits",
    "explorer.summary.hidden": "{layers}×{size} units",
    "explorer.summary.augment": "augmented",
    "explorer.summary.epochs": "{n} epochs",
    "explorer.summary.seed": "seed {seed}",
    "explorer.summary.seeds": "seeds {first}–{last}",
    # --- exercises ---------------------------------------------------------------
    "exercises.correct": "Correct.",
    "exercises.n_right_hint": " (there are {n} right options)",
    "exercises.not_quite": "Not quite{hint}: read why below and try again.",
    "exercises.verdict": " ({word})",
    "exercises.word_right": "right",
    "exercises.word_wrong": "wrong",
    "exercises.you_chose": "You chose {letter}{verdict}: {why}",
    "exercises.why_each": "Why each option is right or wrong",
    "exercises.check_button": "Check",
    "exercises.choose_all": "(choose all that apply)",
    "exercises.choose_first": "Choose an option first.",
    "exercises.figure": "figure {letter}",
    "exercises.panel_w_hat": "$\\hat{w}$ (no penalty)",
    "exercises.panel_optimum": "optimum in the region",
    "exercises.panel_l2": "L2 (ridge, circle)",
    "exercises.panel_l1": "L1 (lasso, diamond)",
    "exercises.grade_line": "{mark} {name}: {status}. {message}",
    "exercises.status_passed": "passed",
    "exercises.status_failed": "failed",
    "exercises.status_not_solved": "not yet solved",
    "exercises.grade_not_solved": (
        "The function still raises NotImplementedError: replace that line with your code, run "
        "the cell, then run this check again."
    ),
    "exercises.grade_crashed": "{call} raised {error}: {detail}",
    "exercises.grade_nan": "grad now holds NaN or inf.{hint}",
    "exercises.grade_nan_hint_l1": (
        " Dividing by |param| fails at param == 0; np.sign(param) is 0 there."
    ),
    "exercises.grade_norm2": (
        "You added rate·np.sqrt(np.sum(param**2)), the L2 norm: one number, the same for every "
        "weight. The update needs the penalty's gradient, its derivative with respect to each "
        "weight: d/dw (½·rate·Σw²) = rate·w, so add rate * param."
    ),
    "exercises.grade_sumsq": (
        "You added the value of the penalty rate·Σ param² (one number). The update needs its "
        "derivative for each weight, rate * param."
    ),
    "exercises.grade_norm1": (
        "You added rate·Σ|param|, the L1 norm itself (one number). The update needs its "
        "derivative for each weight: d|w|/dw = sign(w), so add rate * np.sign(param)."
    ),
    "exercises.grade_twice": (
        "You added 2·rate·param. The lecture writes the penalty as ½·λ·Σw² (the 2 of the "
        "derivative is absorbed into the coefficient), so the gradient is rate * param."
    ),
    "exercises.grade_abs": (
        "You added rate·np.abs(param), the penalty itself. Its derivative is the sign: d|w|/dw = "
        "+1 for w > 0, −1 for w < 0 (0 at w = 0), so add rate * np.sign(param). With abs, "
        "negative weights are pushed further from 0 instead of towards it."
    ),
    "exercises.grade_l2_got_sign": (
        "You added rate·sign(param): that is the L1 (lasso) gradient. For L2 the gradient grows "
        "with the weight: rate * param."
    ),
    "exercises.grade_l1_got_param": (
        "You added rate·param: that is the L2 (ridge) gradient. For L1 each weight gets the "
        "same-sized push towards 0 whatever its size: rate * np.sign(param)."
    ),
    "exercises.grade_flipped": (
        "The sign is flipped: the penalty's gradient is added to grad (grad += …), the optimizer "
        "then subtracts lr·grad."
    ),
    "exercises.grade_wrong_change": "grad changed, but not by {expected}.",
    "exercises.grade_detail_yours": "first values of your change:   {values}",
    "exercises.grade_detail_expected": "first values of {expected}: {values}",
    "exercises.grade_param_changed": (
        "param changed. Only grad should change: the optimizer updates the weights later "
        "(params[key] -= lr * grads[key])."
    ),
    "exercises.grade_not_in_place": (
        "Your function computes the right values but the caller's grad did not change. `grad = "
        "grad + …` makes a new array and rebinds the local name; the array the network passed in "
        "stays the same (and the return value is ignored). Update it in place: grad += "
        "{expected}."
    ),
    "exercises.grade_unchanged": (
        "grad did not change. Add the penalty's gradient to it in place: grad += {expected}. "
        "(`grad = grad + …` would only rebind the local name.)"
    ),
    "exercises.grade_case": "(case {case}: param shape {shape}, dtype {dtype}, rate {rate})",
    "exercises.grade_rate_zero": "With rate = 0 (no regularization) grad must stay as it was.",
    "exercises.grade_penalty_passed": (
        "grad += {expected}, in place, for 1-D and 2-D arrays, float32 and float64, and rate = 0 "
        "leaves grad unchanged."
    ),
    "exercises.crop_not_array": "returned {type}, not a numpy array",
    "exercises.crop_swapped": (
        "returned shape {got}, expected (crop_h, crop_w, channels) = {want}: height and width "
        "are swapped"
    ),
    "exercises.crop_no_channel": (
        "returned shape {got}, expected {want}: the channel axis is missing (slice it with "
        "image[top:bottom, left:right, :])"
    ),
    "exercises.crop_channels_first": (
        "returned shape {got}, expected {want}: the first axis kept all its rows. "
        "image[:, top:bottom, left:right] treats the image as (channel, height, width); the "
        "lecture's images are (height, width, channel): slice image[top:bottom, left:right, :]"
    ),
    "exercises.crop_whole": "returned the whole image {got}, expected a crop of shape {want}",
    "exercises.crop_bad_shape": "returned shape {got}, expected (crop_h, crop_w, channels) = {want}",
    "exercises.crop_not_window": (
        "returned pixels that are not one contiguous window image[top:top+crop_h, "
        "left:left+crop_w, :]"
    ),
    "exercises.crop_unpack": (
        "random_crop(image, {crop}) raised ValueError: {detail}. The image is (height, width, "
        "channels), three numbers: write h, w, _ = image.shape (or h, w = image.shape[:2])."
    ),
    "exercises.crop_call_result": "random_crop(image of shape {shape}, crop_size={crop}) {where}.",
    "exercises.crop_later_call": "a later call random_crop(image, {crop})",
    "exercises.crop_image_changed": (
        "the input image changed: a crop must not write into the caller's image."
    ),
    "exercises.crop_one_of_calls": "one of {n} calls {where}.",
    "exercises.crop_seen": "{axis} offsets seen in {n} calls: {counts}",
    "exercises.crop_never_moves": (
        "the crop never moves: {axis} was always {offset}. Draw the offset at random on every "
        "call."
    ),
    "exercises.edge_bottom": "bottom",
    "exercises.edge_right": "right",
    "exercises.crop_last_offset": (
        "{axis} never reached its last offset {last} = {letter} − crop_{letter}: the window "
        "touching the {edge} edge is never cut. randint(low, high) and integers(low, high) "
        "exclude high, so draw from (0, {letter} − crop_{letter} + 1). (The lecture's snippet "
        "has this off-by-one.)"
    ),
    "exercises.crop_missing": (
        "{axis} offsets {missing} never occurred; every offset 0 … {last} should."
    ),
    "exercises.crop_rare": (
        "{axis} offsets {rare} occur far less often than the others; draw the offset uniformly."
    ),
    "exercises.crop_full_size_raised": (
        "random_crop(image of shape {shape}, crop_size={crop}) raised {error}: {detail}. When "
        "crop_{letter} == {letter} there is exactly one offset, 0; randint(0, {letter} − "
        "crop_{letter}) asks for a number from the empty range [0, 0). Use {letter} − "
        "crop_{letter} + 1 as the upper bound."
    ),
    "exercises.crop_passed": (
        "right shape, a true window of the image, every offset reached in {n} calls (top "
        "0…H−crop_h, left 0…W−crop_w), and a crop as large as the image returns the image."
    ),
    "exercises.crop_passed_seen": "seen: top {tops}; left {lefts}",
    "exercises.title_lecture_test": "確認テスト (the lecture's question) · {topic}",
    "exercises.title_practice_test": (
        "Practice (added by this course, not from the lecture) · {topic}"
    ),
    "exercises.title_lecture_challenge": "例題チャレンジ (the lecture's question) · {topic}",
    "exercises.title_practice_challenge": (
        "例題チャレンジ-style practice (added by this course, on the lecture's code) · {topic}"
    ),
    "exercises.blank": "({label})",
    "exercises.blank_labels": "a b c d e f g h",
    "exercises.test_ridge.topic": "ridge regression (リッジ回帰)",
    "exercises.test_ridge.question": "Which statement about ridge regression (L2 regularization) is correct?",
    "exercises.test_ridge.option0": "With λ = 0, ridge regression becomes a non-linear regression.",
    "exercises.test_ridge.option1": "The bias term is regularized together with the weights.",
    "exercises.test_ridge.option2": "Making the hyperparameter λ large pulls all the weights ever closer to 0.",
    "exercises.test_ridge.option3": "In a neural network, the ridge penalty is added to a hidden layer.",
    "exercises.test_ridge.why0": (
        "Wrong. λ = 0 removes the penalty, and what is left is the ordinary least-squares fit: "
        "ridge regression is linear regression plus a penalty, and stays linear for every λ."
    ),
    "exercises.test_ridge.why1": (
        "Wrong. Only the weights are penalized. The bias is not multiplied by an input, so "
        "shrinking it would not limit how strongly the model reacts to its inputs, which is what "
        "the penalty is for; and penalizing it would make the fit depend on where the target's "
        "origin is (add 100 to every y and a penalized bias could not follow). Notebook 06 "
        "shows it: at a huge λ the fitted intercept is the mean of y, not 0."
    ),
    "exercises.test_ridge.why2": (
        "Right. λ sets how strongly large weights are punished, i.e. how tight the constraint "
        "is. As λ grows the penalty dominates the error, so every weight shrinks towards 0 (for "
        "ridge they get arbitrarily close, but never exactly 0)."
    ),
    "exercises.test_ridge.why3": (
        "Wrong. The penalty is a term added to the error function, E(w) + ½·λ·Σ w², summed over "
        "the weights of every layer. It changes what is minimized, not the layers of the network."
    ),
    "exercises.test_norm_figure.topic": "which figure is L1?",
    "exercises.test_norm_figure.question": (
        "Figures A and B show contour lines of the squared error (red) and the region the "
        "penalty allows (blue). Which figure shows L1 regularization (lasso)?"
    ),
    "exercises.test_norm_figure.option0": "Figure A",
    "exercises.test_norm_figure.option1": "Figure B",
    "exercises.test_norm_figure.why0": (
        "Wrong. Figure A's region is a disc, w1² + w2² ≤ r²: the L2 constraint (ridge). The "
        "contours touch it where both weights are non-zero, only smaller: shrinkage (縮小推定)."
    ),
    "exercises.test_norm_figure.why1": (
        "Right. |w1| + |w2| ≤ r is a diamond with its corners on the axes. Growing contours "
        "usually meet it first at a corner, where one weight is exactly 0: sparse estimation "
        "(スパース推定)."
    ),
    "exercises.test_sparse.topic": "sparse vs shrinkage estimation",
    "exercises.test_sparse.question": (
        "L1 regularization is called sparse estimation (スパース推定), L2 regularization shrinkage "
        "estimation (縮小推定). Which statement is correct?"
    ),
    "exercises.test_sparse.option0": "L2 regularization tends to set unneeded weights to exactly 0.",
    "exercises.test_sparse.option1": "The penalty of L1 regularization is the sum of the squared weights.",
    "exercises.test_sparse.option2": (
        "The gradient of the L1 penalty shrinks as a weight approaches 0, so L1 makes small "
        "weights smaller but never 0."
    ),
    "exercises.test_sparse.option3": (
        "L1 regularization (lasso) sets many weights to exactly 0, and a weight that is 0 needs "
        "no computation at prediction time."
    ),
    "exercises.test_sparse.why0": (
        "Wrong. That is L1. L2's gradient λ·w fades as a weight gets small, so weights shrink "
        "but stay non-zero. Notebook 06 measures it: along the ridge path the coefficients glide "
        "towards 0 together, along the lasso path they drop to exactly 0 one by one."
    ),
    "exercises.test_sparse.why1": (
        "Wrong. The sum of squares is L2's penalty (p = 2 in the lecture's p-norm). L1's penalty "
        "is the sum of absolute values, λ·Σ|w| (p = 1)."
    ),
    "exercises.test_sparse.why2": (
        "Wrong. That describes L2. L1's gradient λ·sign(w) has the same size λ whatever the "
        "weight's size, so it pushes a tiny weight as hard as a large one, all the way to 0."
    ),
    "exercises.test_sparse.why3": (
        "Right. The same-sized push λ·sign(w) drives weights that matter little to exactly 0, "
        "and a zero weight can be skipped: the lecture's point about computing resources. (In a "
        "network trained with plain gradient steps small weights rattle around 0 instead; "
        "notebook 03 shows the proximal step that lands them on 0.)"
    ),
    "exercises.test_dropout.topic": "dropout (ドロップアウト)",
    "exercises.test_dropout.question": "Which statement about dropout is correct?",
    "exercises.test_dropout.option0": (
        "At test time, too, units are deleted at random, so that the network works as it did in "
        "training."
    ),
    "exercises.test_dropout.option1": (
        "While training, randomly chosen units are deleted at every step; this can be read as "
        "training different models without changing the amount of data."
    ),
    "exercises.test_dropout.option2": (
        "In the textbook's implementation, the outputs are multiplied by dropout_ratio at test time."
    ),
    "exercises.test_dropout.option3": "Like L1 and L2 regularization, it adds a penalty to the error function.",
    "exercises.test_dropout.why0": (
        "Wrong. At test time every unit is used, only rescaled so that its output matches what "
        "training saw on average. Deleting units at test time would make every prediction random."
    ),
    "exercises.test_dropout.why1": (
        "Right. Each mini-batch trains a different random sub-network sharing the same weights; "
        "at test time the full network acts like an average over them. That is the lecture's "
        "merit: different models without more data."
    ),
    "exercises.test_dropout.why2": (
        "Wrong. dropout_ratio is the probability of dropping a unit, so a unit is kept with "
        "probability 1 − dropout_ratio: the textbook multiplies by (1 − dropout_ratio) at test "
        "time. (Inverted dropout multiplies by 1/(1 − dropout_ratio) while training instead and "
        "leaves test time alone.)"
    ),
    "exercises.test_dropout.why3": (
        "Wrong. Dropout leaves the error function as it is and changes the network while it "
        "trains. Adding λ·Σ|w| or ½·λ·Σw² to the error function is L1 / L2 regularization."
    ),
    "exercises.test_gap.topic": "reading the result",
    "exercises.test_gap.question": (
        "On 300 training digits, adding L2 regularization (λ = 0.1) brought the training "
        "accuracy down from 1.00, while the test accuracy barely moved. Which reading is correct?"
    ),
    "exercises.test_gap.option0": (
        "The gap between training and test accuracy shrank, so overfitting was held back, even "
        "though the test accuracy did not rise."
    ),
    "exercises.test_gap.option1": "The test accuracy did not rise, so overfitting was not held back.",
    "exercises.test_gap.option2": (
        "The training accuracy fell, so the network underfits: lower λ until the training "
        "accuracy is 1.00 again."
    ),
    "exercises.test_gap.option3": (
        "Raising λ further will keep shrinking the gap and keep raising the test accuracy."
    ),
    "exercises.test_gap.why0": (
        "Right. Overfitting (過学習) is the two learning curves drifting apart, and the gap "
        "(train − test accuracy) is its size. A smaller gap at the same test accuracy means the "
        "network relies less on the quirks of its 300 digits: the lecture's closing lesson."
    ),
    "exercises.test_gap.why1": (
        "Wrong. Overfitting is read from the gap, not from the level of the test accuracy. "
        "Regularization constrains the network's freedom; it need not raise the test accuracy "
        "(in the lecture's run, L2 held overfitting back while the test accuracy stayed low)."
    ),
    "exercises.test_gap.why2": (
        "Wrong. Underfitting shows as low accuracy on both sets; here the test accuracy held. "
        "The perfect training score was the symptom (the 300 digits memorised), and going back "
        "to it brings the gap back."
    ),
    "exercises.test_gap.why3": (
        "Wrong. Too strong a constraint hurts both sets: in the lecture, λ = 0.2 instead of 0.1 "
        "made the training and the test accuracy fall during training. λ has to be tuned by "
        "trial and error."
    ),
    "exercises.challenge_ridge.topic": "the L2 update, ridge(param, grad, rate)",
    "exercises.challenge_ridge.question": (
        "After backpropagation the network calls ridge(param, grad, rate) for each weight "
        "matrix: param holds the weights, grad the gradient of the error function with respect "
        "to them, and rate is λ. The penalty is ½·rate·Σ param². Which expression fills (a)?"
    ),
    "exercises.challenge_ridge.why0": (
        "Wrong. √(Σ param²) is the L2 norm: the size of the penalty, one number for the whole "
        "matrix. The penalty is added to the error function, so the update needs its derivative "
        "with respect to each weight, not the norm itself."
    ),
    "exercises.challenge_ridge.why1": (
        "Right. d/dw (½·rate·Σw²) = rate·w for each weight w: the 2 of the derivative cancels "
        "the ½ (the lecture says it is absorbed into the coefficient). So grad grows by "
        "rate·param, a push towards 0 in proportion to each weight."
    ),
    "exercises.challenge_ridge.why2": (
        "Wrong. Σ|param| is the L1 norm: one number for the whole matrix, and L1's penalty "
        "rather than L2's. It is neither the right penalty nor a derivative."
    ),
    "exercises.challenge_ridge.why3": (
        "Wrong. sign(param) is the derivative of |w|, the L1 (lasso) gradient. For L2 the push "
        "grows with the weight."
    ),
    "exercises.challenge_lasso.topic": "the L1 update, lasso(param, grad, rate)",
    "exercises.challenge_lasso.question": (
        "lasso(param, grad, rate) does the same for L1 regularization, whose penalty is "
        "rate·Σ|param|. Which expression fills (a)? (np.sign returns −1, 0 or 1.)"
    ),
    "exercises.challenge_lasso.why0": (
        "Wrong. |param| is the penalty itself, not its derivative. grad would grow by rate·|w| ≥ "
        "0 for every weight, so negative weights would be pushed further away from 0."
    ),
    "exercises.challenge_lasso.why1": (
        "Wrong. rate·param is the L2 (ridge) gradient: its push fades as a weight gets small, so "
        "weights shrink but never reach exactly 0."
    ),
    "exercises.challenge_lasso.why2": (
        "Wrong. Σ|param| is the L1 norm, one number for the whole matrix. The update needs the "
        "derivative for each weight."
    ),
    "exercises.challenge_lasso.why3": (
        "Right. d|w|/dw is +1 for w > 0 and −1 for w < 0: sign(w) (np.sign gives 0 at w = 0). "
        "Every weight gets the same-sized push towards 0 whatever its size, which is why small "
        "weights end at exactly 0 (sparse estimation, スパース推定)."
    ),
    "exercises.challenge_random_crop.topic": "data augmentation (水増し), random_crop(image, crop_size)",
    "exercises.challenge_random_crop.question": (
        "random_crop cuts a window of crop_size = (crop_h, crop_w) at a random position out of "
        "an image; the lecture states the image format as (height, width, channel). Every "
        "position must be possible, including the window touching the bottom edge, and "
        "crop_h == h must return the whole image; np.random.randint(low, high) draws from low, "
        "…, high − 1. Which combination fills (a) and (b)?"
    ),
    "exercises.challenge_random_crop.shape_comment": "image: (height, width, channel)",
    "exercises.challenge_random_crop.left_comment": "(a) with w and crop_w",
    "exercises.challenge_random_crop.why0": (
        "Wrong. (b) is right, but (a) is the lecture snippet's bound: randint(0, h − crop_h) "
        "never returns h − crop_h, so the window touching the bottom edge is never cut, and with "
        "crop_h == h it draws from the empty range [0, 0) and raises ValueError."
    ),
    "exercises.challenge_random_crop.why1": (
        "Wrong. (a) is right, but (b) slices as if the image were (channel, height, width). The "
        "first axis is the height, so image[:, top:bottom, left:right] keeps every row and cuts "
        "the width and the channels instead."
    ),
    "exercises.challenge_random_crop.why2": (
        "Right. top can be 0, 1, …, h − crop_h: h − crop_h + 1 values, and randint excludes its "
        "upper bound, hence the + 1 (crop_h == h draws from [0, 1): the only offset, 0). The "
        "image is (height, width, channel): rows first, then columns, every channel kept: "
        "image[top:bottom, left:right, :]."
    ),
    "exercises.challenge_random_crop.why3": (
        "Wrong. Neither blank is right: (a) is the lecture's off-by-one bound (the bottom-most window never "
        "occurs), and (b) treats the image as (channel, height, width) although the lecture's "
        "format is (height, width, channel)."
    ),
    # --- trainer -----------------------------------------------------------------
    "trainer.diverged": (
        "training diverged in epoch {epoch}: {what} blew up (NaN, inf or huge). "
        "Try a smaller learning rate (lr={lr}) or a smaller weight_decay_lambda."
    ),
    "trainer.diverged_loss": "the training loss",
    "trainer.diverged_outputs": "the network's outputs",
    "trainer.diverged_weights": "the weights (norm {norm})",
    # --- tuning / progress ---------------------------------------------------------
    "progress.already_downloaded": "  {name}: already downloaded (checksum OK)",
    "progress.mnist_ready": "MNIST files are in {path}\nLoad them with load_mnist(source='full').",
    "progress.runs": "runs",
    "progress.unit_run": "run",
    "progress.trials": "trials",
    "progress.unit_trial": "trial",
    "tuning.no_penalty": "no penalty",
    "tuning.with_dropout": ", dropout {ratio:g}",
    "tuning.heat_test_acc": "test accuracy",
    "tuning.heat_train_acc": "train accuracy",
    "tuning.heat_gap": "gap (train − test)",
    "tuning.axis_dropout_ratio": "dropout_ratio",
    "tuning.axis_lambda": "weight_decay_lambda",
    "tuning.lecture": "lecture",
    "tuning.heat_mean": "{title}, mean of {n} seeds",
    "tuning.within_spread": "hatched: difference from {ref} within its spread over {n} seeds (|mean| ≤ sd); "
                            "dashed: {ref}; small numbers: ± 1 sd",
    # --- geometry_plots ----------------------------------------------------------
    "geometry.name_l2": "L2 (ridge)",
    "geometry.name_l1": "L1 (lasso)",
    "geometry.shape_l2": "disc",
    "geometry.shape_l1": "diamond",
    "geometry.contours": "contours of the squared error E(w)",
    "geometry.region": "{name} {shape}: ‖w‖{sub} ≤ {r:.2f}",
    "geometry.optimum": "{name} optimum ({w1:.2f}, {w2:.2f})",
    "geometry.least_squares": "least squares $\\hat{{w}}$ ({w1:.2f}, {w2:.2f})",
    "geometry.title_radius": "constraint radius r = {r:.2f}",
    "geometry.paths_xlabel": "λ (penalty strength, log scale)",
    "geometry.paths_ylabel": "coefficient",
    "geometry.paths_title": "non-zero weights: {small} at small λ → {large} at large λ",
    "geometry.paths_legend_title": "truly non-zero",
    "geometry.slider_radius": "radius r",
    "geometry.status_inactive": "λ = 0 (constraint not active)",
    "geometry.status_zeros": " · <b>{n} weight exactly 0</b>",
    # --- seeds / lecture replay -------------------------------------------------------
    "seeds.over_n_seeds": " over {n} seeds",
    "seeds.diverged_note": " ({k} of {n} seeds diverged; left out)",
    "seeds.name_train_acc": "train",
    "seeds.name_test_acc": "test",
    "seeds.name_gap": "gap",
    "seeds.name_weight_norm": "weight norm",
    "seeds.name_sparsity": "sparsity",
    "seeds.separator": ", ",
    "seeds.verdict_none": "no seed finished both runs",
    "seeds.verdict_higher": "higher on all {n} seeds",
    "seeds.verdict_lower": "lower on all {n} seeds",
    "seeds.verdict_within": "within the spread (higher on {k}, lower on {m} of {n} seeds)",
    "seeds.verdict_few": " (only {n} seeds: a hint, not yet evidence)",
    "seeds.compare": "{quantity}, {b} − {a} per seed: {spread}; {verdict}",
    "seeds.compare_skipped": " ({k} seed(s) left out: a run diverged)",
    "seeds.bootstrap": "{diff:+.3f} ({ci}% interval {low:+.3f} … {high:+.3f} over {n} test digits)",
    "seeds.bootstrap_excludes": ": the interval excludes 0",
    "seeds.bootstrap_includes": ": the interval includes 0: within the noise of the test digits",
    "lecture_loop.diverged": (
        "the lecture loop diverged at iteration {iteration}: the loss or the weights blew up "
        "(NaN, inf or a weight norm above {limit}). Try a smaller learning_rate ({lr}) "
        "or a smaller weight_decay_lambda ({lam})."
    ),
}
