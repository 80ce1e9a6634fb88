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
    "seeds.verdict_within": "within the spread (higher on {k} of {n} seeds)",
    "seeds.verdict_few": " (only {n} seeds: a hint, not yet evidence)",
    "seeds.compare": "{quantity}, {b} − {a} per seed: {spread}; {verdict}",
    "seeds.compare_skipped": " ({k} seed(s) left out: a run diverged)",
    "seeds.bootstrap": "{diff:+.3f} ({ci}% interval {low:+.3f} … {high:+.3f} over {n} test digits)",
    "seeds.bootstrap_excludes": ": the interval excludes 0",
    "seeds.bootstrap_includes": ": the interval includes 0: within the noise of the test digits",
}
