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
    "geometry.name_l2": "L2 (ridge)",
    "geometry.name_l1": "L1 (lasso)",
    "geometry.shape_l2": "disc",
    "geometry.shape_l1": "diamond",
    "geometry.contours": "contours of the squared error E(w)",
    "geometry.region": "{name} {shape}: ‖w‖{sub} ≤ {r:.2f}",
    "geometry.optimum": "{name} optimum ({w1:.2f}, {w2:.2f})",
    "geometry.least_squares": "least squares ŵ ({w1:.2f}, {w2:.2f})",
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
    "seeds.verdict_within": "within the spread (higher on {k} of {n} seeds)",
    "seeds.verdict_few": " (only {n} seeds: a hint, not yet evidence)",
    "seeds.compare": "{quantity}, {b} − {a} per seed: {spread}; {verdict}",
    "seeds.compare_skipped": " ({k} seed(s) left out: a run diverged)",
    "seeds.bootstrap": "{diff:+.3f} ({ci}% interval {low:+.3f} … {high:+.3f} over {n} test digits)",
    "seeds.bootstrap_excludes": ": the interval excludes 0",
    "seeds.bootstrap_includes": ": the interval includes 0: within the noise of the test digits",
}
