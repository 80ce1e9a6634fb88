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
    "geometry.name_l2": "L2（リッジ回帰）",
    "geometry.name_l1": "L1（ラッソ回帰）",
    "geometry.shape_l2": "円",
    "geometry.shape_l1": "ひし形",
    "geometry.contours": "二乗誤差 E(w) の等高線",
    "geometry.region": "{name}の{shape}: ‖w‖{sub} ≤ {r:.2f}",
    "geometry.optimum": "{name}の最適解 ({w1:.2f}, {w2:.2f})",
    "geometry.least_squares": "最小二乗解 ŵ ({w1:.2f}, {w2:.2f})",
    "geometry.title_radius": "制約の半径 r = {r:.2f}",
    "geometry.paths_xlabel": "λ（正則化の強さ、対数目盛）",
    "geometry.paths_ylabel": "係数",
    "geometry.paths_title": "0 でない重み: λ が小さいと {small} 個 → λ が大きいと {large} 個",
    "geometry.paths_legend_title": "本当は 0 でない重み",
    "geometry.slider_radius": "半径 r",
    "geometry.status_inactive": "λ = 0（制約が効いていない）",
    "geometry.status_zeros": " · <b>{n} 個の重みがちょうど 0</b>",
    # --- seeds / lecture replay -------------------------------------------------------
    "seeds.over_n_seeds": "（シード{n}個）",
    "seeds.diverged_note": "（シード{n}個中{k}個は発散したため除外）",
    "seeds.name_train_acc": "訓練",
    "seeds.name_test_acc": "テスト",
    "seeds.name_gap": "ギャップ",
    "seeds.name_weight_norm": "重みのノルム",
    "seeds.name_sparsity": "スパース率",
    "seeds.separator": "、",
    "seeds.verdict_none": "両方の学習を最後まで終えたシードがありません",
    "seeds.verdict_higher": "シード{n}個すべてで高い",
    "seeds.verdict_lower": "シード{n}個すべてで低い",
    "seeds.verdict_within": "ばらつきの範囲内（シード{n}個中{k}個で高い）",
    "seeds.verdict_few": "（シードが{n}個だけなので、証拠ではなく目安）",
    "seeds.compare": "{quantity}の差（{b} − {a}、シードごと）：{spread}、{verdict}",
    "seeds.compare_skipped": "（発散した学習を含むシード{k}個は除外）",
    "seeds.bootstrap": "{diff:+.3f}（テストデータ{n}個でのブートストラップ{ci}%区間 {low:+.3f} … {high:+.3f}）",
    "seeds.bootstrap_excludes": "：区間は0を含まない",
    "seeds.bootstrap_includes": "：区間が0を含む：テストデータのばらつきの範囲内",
}
