"""English messages (the default); keys match :mod:`common.locale_ja`. One section per module."""

MESSAGES: dict[str, str] = {
    # --- plots -------------------------------------------------------------------
    # --- widgets -----------------------------------------------------------------
    # --- exercises ---------------------------------------------------------------
    # --- trainer -----------------------------------------------------------------
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
    # --- geometry_plots ----------------------------------------------------------
    # --- seeds / lecture replay -------------------------------------------------------
}
