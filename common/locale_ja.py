"""Japanese messages (日本語); keys match :mod:`common.locale_en`. One section per module."""

MESSAGES: dict[str, str] = {
    # --- plots -------------------------------------------------------------------
    # --- widgets -----------------------------------------------------------------
    # --- exercises ---------------------------------------------------------------
    # --- trainer -----------------------------------------------------------------
    # --- tuning / progress ---------------------------------------------------------
    "progress.already_downloaded": "  {name}: ダウンロード済み（チェックサム一致）",
    "progress.mnist_ready": "MNIST のファイルは {path} にあります\nload_mnist(source='full') で読み込めます。",
    "progress.runs": "学習",
    "progress.unit_run": "回",
    "progress.trials": "試行",
    "progress.unit_trial": "試行",
    "tuning.no_penalty": "正則化なし",
    "tuning.with_dropout": "、ドロップアウト {ratio:g}",
    "tuning.heat_test_acc": "テストデータの正解率",
    "tuning.heat_train_acc": "訓練データの正解率",
    "tuning.heat_gap": "差（訓練 − テスト）",
    "tuning.axis_dropout_ratio": "dropout_ratio（ドロップアウト率）",
    "tuning.axis_lambda": "weight_decay_lambda（λ）",
    "tuning.lecture": "講義",
    # --- geometry_plots ----------------------------------------------------------
    # --- seeds / lecture replay -------------------------------------------------------
}
