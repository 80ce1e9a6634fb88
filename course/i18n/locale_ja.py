"""Japanese messages (日本語); keys match :mod:`course.i18n.locale_en`. One section per module."""

MESSAGES: dict[str, str] = {
    # --- plots -------------------------------------------------------------------
    "plots.train": "訓練データ",
    "plots.test": "テストデータ",
    "plots.epoch": "エポック",
    "plots.accuracy": "正解率",
    "plots.loss": "誤差",
    "plots.title_final": "訓練 {train}、テスト {test}、ギャップ {gap}",
    "plots.compare_title": "{label}\n訓練 {train} / テスト {test}",
    "plots.train_loss_total": "訓練データの誤差（正則化項を含む）",
    "plots.train_loss_data": "訓練データの誤差（正則化項を除く）",
    "plots.test_loss": "テストデータの誤差（正則化項を除く）",
    "plots.penalty": "正則化項",
    "plots.gap": "ギャップ（訓練 − テスト）",
    "plots.final_accuracy": "最後の正解率",
    "plots.weight_value": "重みの値",
    "plots.density": "密度",
    "plots.seed_band": "{label}（シード {n} 個の平均 ± 1 標準偏差）",
    "plots.one_seed": "{label}（シード 1 個）",
    "plots.key_train_acc": "訓練データの正解率",
    "plots.key_test_acc": "テストデータの正解率",
    "plots.key_weight_norm": "重みのノルム",
    "plots.key_sparsity": "0 に近い重みの割合（スパース率）",
    "plots.key_seconds": "経過時間（秒）",
    # --- explorer ----------------------------------------------------------------
    "explorer.label.regularization": "正則化",
    "explorer.label.weight_decay_lambda": "λ",
    "explorer.label.l1_update": "L1の更新方法",
    "explorer.label.use_dropout": "ドロップアウト",
    "explorer.label.dropout_ratio": "ドロップアウト率",
    "explorer.label.dropout_inverted": "ドロップアウトの補正",
    "explorer.label.optimizer": "最適化手法",
    "explorer.label.lr": "学習率",
    "explorer.label.n_train": "訓練データ数",
    "explorer.label.epochs": "エポック数",
    "explorer.label.seed": "シード",
    "explorer.label.n_seeds": "シード数（実行回数）",
    "explorer.label.hidden_layers": "隠れ層の数",
    "explorer.label.hidden_size": "各層のユニット数",
    "explorer.label.augment_shift": "データ拡張: 平行移動 (px)",
    "explorer.label.augment_rotation": "データ拡張: 回転 (°)",
    "explorer.label.augment_noise": "データ拡張: ノイズ σ",
    "explorer.lambda.none": "λ（未使用）",
    "explorer.lambda.l2": "λ（荷重減衰）",
    "explorer.lambda.l1": "λ（L1正則化）",
    "explorer.lambda.other": "λ（{name}）",
    "explorer.tip.regularization": "誤差関数に加える正則化項: なし、L2正則化（½·λ·ΣW²、荷重減衰）、L1正則化（λ·Σ|W|）",
    "explorer.tip.weight_decay_lambda": "正則化項の係数 λ（weight_decay_lambda）。0 で正則化なし。正則化が「なし」のまま 0 より大きくすると L2正則化に切り替わる",
    "explorer.tip.l1_update": "L1正則化での重みの動かし方: 講義どおり勾配に λ·sign(W) を足す方法か、0 で止まる近接勾配法",
    "explorer.tip.use_dropout": "訓練中に隠れ層のユニットをランダムに消去する",
    "explorer.tip.dropout_ratio": "ユニットを消去する確率（dropout_ratio）",
    "explorer.tip.dropout_inverted": "inverted: 訓練中に残したユニットを 1/(1−ratio) 倍する。テスト時: 講義のクラスどおり、テスト時に出力を (1−ratio) 倍する",
    "explorer.tip.optimizer": "勾配を使って重みを更新する手法",
    "explorer.tip.lr": "1回の更新の大きさ（学習率）。講義では 0.01",
    "explorer.tip.n_train": "訓練データの枚数（講義では 300）",
    "explorer.tip.epochs": "訓練データを何周するか",
    "explorer.tip.seed": "重みの初期値・ミニバッチ・ドロップアウトのマスクを決める乱数のシード",
    "explorer.tip.n_seeds": "seed, seed+1, … で訓練する。2 以上では平均の曲線と ±1 標準偏差の帯を描く",
    "explorer.tip.hidden_layers": "隠れ層の数（講義では 6）",
    "explorer.tip.hidden_size": "各隠れ層のユニット数（講義では 100）",
    "explorer.tip.augment_shift": "訓練画像を最大この画素数だけずらす（ミニバッチごとに新しく）",
    "explorer.tip.augment_rotation": "訓練画像を最大この角度だけ回転する",
    "explorer.tip.augment_noise": "この標準偏差のガウスノイズを加える",
    "explorer.choice.none": "なし",
    "explorer.choice.l2": "L2",
    "explorer.choice.l1": "L1",
    "explorer.choice.subgradient": "λ·sign(W)",
    "explorer.choice.proximal": "近接勾配",
    "explorer.choice.inverted": "訓練時",
    "explorer.choice.test_time": "テスト時",
    "explorer.tip.choice.none": "正則化なし",
    "explorer.tip.choice.l2": "L2正則化: + ½·λ·Σ W²（荷重減衰）",
    "explorer.tip.choice.l1": "L1正則化: + λ·Σ |W|",
    "explorer.tip.choice.subgradient": "講義の更新: grad += λ·sign(W)。重みは 0 の周りを行き来する",
    "explorer.tip.choice.proximal": "ProximalSGD: 誤差だけで1歩進み、各重みを lr·λ だけ 0 に近づけ、0 で止める（SGD のみ）",
    "explorer.tip.choice.inverted": "訓練時に残したユニットを 1/(1−ratio) 倍し、テスト時は何もしない（inverted dropout）",
    "explorer.tip.choice.test_time": "講義のクラス: 訓練時は補正せず、テスト時に出力を (1−ratio) 倍する",
    "explorer.optimizer.sgd": "SGD",
    "explorer.optimizer.momentum": "Momentum",
    "explorer.optimizer.adagrad": "AdaGrad",
    "explorer.optimizer.rmsprop": "RMSprop",
    "explorer.optimizer.adam": "Adam",
    "explorer.optimizer.adamw": "AdamW（分離型の荷重減衰）",
    "explorer.optimizer.sgdw": "SGDW（分離型の荷重減衰）",
    "explorer.button.pin": "ピン留め",
    "explorer.button.clear_pins": "ピンを外す",
    "explorer.tip.pin": "この実行の曲線を、次の実行の下に薄く残して比べる",
    "explorer.tip.clear_pins": "ピン留めした曲線をすべて消す",
    "explorer.axis.epoch": "エポック",
    "explorer.axis.accuracy": "正解率",
    "explorer.axis.loss": "誤差",
    "explorer.legend.train": "訓練データ",
    "explorer.legend.test": "テストデータ",
    "explorer.legend.band": "平均 ± 1標準偏差（{n}シード）",
    "explorer.legend.train_data_loss": "訓練（誤差）",
    "explorer.legend.test_data_loss": "テスト（誤差）",
    "explorer.legend.penalty": "正則化項",
    "explorer.status.waiting": "開始を待っています…",
    "explorer.status.training": "学習中…",
    "explorer.status.paused": "一時停止中: 別のエクスプローラーが学習を始めました。ここで操作すると再開します",
    "explorer.status.done": "完了",
    "explorer.status.epoch": "エポック {epoch}/{epochs}",
    "explorer.status.numbers": "訓練 {train} · テスト {test} · ギャップ {gap} · ‖W‖ {norm} · ほぼ0の重み {sparsity}%",
    "explorer.status.seeds": "{n}シードの平均 ± 標準偏差",
    "explorer.status.seed_prefix": "シード {seed}:",
    "explorer.status.delta": "ピン {n} との差（エポック {epoch}）: テスト {test} · ギャップ {gap}",
    "explorer.status.cannot_train": "この設定では学習できません:",
    "explorer.note.lambda_no_effect": "正則化が「なし」の間は λ は効きません",
    "explorer.note.dropout_off": "ドロップアウトが off の間はドロップアウト率と補正は効きません",
    "explorer.note.l1_update_no_effect": "L1の更新方法は正則化が L1 のときだけ効きます",
    "explorer.note.decoupled": "{optimizer}: λ は重みを直接縮める（分離型の荷重減衰）ので、誤差関数に正則化項はありません",
    "explorer.note.proximal": "近接勾配の L1: λ は最適化手法の更新で効きます。正則化項の線は λ·Σ|W| です",
    "explorer.refused.nothing_to_pin": "まだピン留めできるものがありません。最初のエポックの点が出るまで待ってください",
    "explorer.refused.proximal_needs_sgd": "近接勾配による L1 の更新は SGD 用で、{optimizer} には使えません。SGD を選ぶか、λ·sign(W) の更新にしてください",
    "explorer.refused.setting": "{setting}: {value} は使えません（{allowed}）",
    "explorer.pins.title": "ピン留め（薄い線、今の曲線の下）:",
    "explorer.pins.item": "ピン {n}: {label} · テスト {test} · ギャップ {gap}",
    "explorer.pins.partial": "（エポック {epoch}/{epochs} で中断）",
    "explorer.pins.dropped": "ピン {n} を外しました（ピンは最大 {max} 個）",
    "explorer.summary.none": "正則化なし",
    "explorer.summary.l2": "L2 λ={lam}",
    "explorer.summary.l1": "L1 λ={lam}",
    "explorer.summary.l1_proximal": "L1 λ={lam}（近接勾配）",
    "explorer.summary.other": "{name} λ={lam}",
    "explorer.summary.dropout": "ドロップアウト {ratio}",
    "explorer.summary.dropout_test_time": "ドロップアウト {ratio}（テスト時に補正）",
    "explorer.summary.optimizer": "{name} lr={lr}",
    "explorer.summary.n_train": "{n}枚",
    "explorer.summary.hidden": "{layers}×{size}ユニット",
    "explorer.summary.augment": "データ拡張あり",
    "explorer.summary.epochs": "{n}エポック",
    "explorer.summary.seed": "シード {seed}",
    "explorer.summary.seeds": "シード {first}–{last}",
    # --- exercises ---------------------------------------------------------------
    "exercises.correct": "正解です。",
    "exercises.n_right_hint": "（正しい選択肢は {n} つあります）",
    "exercises.not_quite": "惜しい{hint}。下の解説を読んで、もう一度挑戦してください。",
    "exercises.verdict": "（{word}）",
    "exercises.word_right": "正しい",
    "exercises.word_wrong": "誤り",
    "exercises.you_chose": "あなたの答え {letter}{verdict}：{why}",
    "exercises.why_each": "各選択肢が正しい・誤りである理由",
    "exercises.check_button": "答え合わせ",
    "exercises.choose_all": "（当てはまるものをすべて選ぶ）",
    "exercises.choose_first": "先に選択肢を選んでください。",
    "exercises.figure": "図 {letter}",
    "exercises.panel_w_hat": "$\\hat{w}$（正則化なし）",
    "exercises.panel_optimum": "領域内の最適解",
    "exercises.panel_l2": "L2（リッジ回帰、円）",
    "exercises.panel_l1": "L1（ラッソ回帰、ひし形）",
    "exercises.grade_line": "{mark} {name}: {status}。{message}",
    "exercises.status_passed": "合格",
    "exercises.status_failed": "不合格",
    "exercises.status_not_solved": "未解答",
    "exercises.grade_not_solved": (
        "関数はまだ NotImplementedError を送出しています。その行を自分のコードに書き換えてセルを実行し、もう一度このチェックを実行してください。"
    ),
    "exercises.grade_crashed": "{call} で {error} が発生しました: {detail}",
    "exercises.grade_nan": "grad に NaN または inf が入りました。{hint}",
    "exercises.grade_nan_hint_l1": "|param| で割ると param == 0 のところで破綻します。np.sign(param) ならそこは 0 です。",
    "exercises.grade_norm2": (
        "rate·np.sqrt(np.sum(param**2))、つまり L2 ノルムを足しています。これはすべての重みに共通の 1 つの数です。更新に必要なのは正則化項の勾配、"
        "すなわち重みごとの微分 d/dw (½·rate·Σw²) = rate·w なので、rate * param を足します。"
    ),
    "exercises.grade_sumsq": "正則化項の値 rate·Σ param²（1 つの数）を足しています。更新に必要なのは重みごとの微分 rate * param です。",
    "exercises.grade_norm1": (
        "rate·Σ|param|、つまり L1 ノルムそのもの（1 つの数）を足しています。更新に必要なのは重みごとの微分で、d|w|/dw = sign(w) なので rate "
        "* np.sign(param) を足します。"
    ),
    "exercises.grade_twice": (
        "2·rate·param を足しています。講義では正則化項を ½·λ·Σw² と書き、微分で出る 2 は係数に吸収されるので、勾配は rate * param です。"
    ),
    "exercises.grade_abs": (
        "rate·np.abs(param)、つまり正則化項そのものを足しています。その微分は符号で、w > 0 なら +1、w < 0 なら −1（w = 0 では 0）なので、"
        "rate * np.sign(param) を足します。abs のままだと、負の重みは 0 に近づくどころか 0 から遠ざけられます。"
    ),
    "exercises.grade_l2_got_sign": (
        "rate·sign(param) を足しています。これは L1正則化（ラッソ回帰）の勾配です。L2正則化の勾配は重みの大きさに比例します: rate * param。"
    ),
    "exercises.grade_l1_got_param": (
        "rate·param を足しています。これは L2正則化（リッジ回帰）の勾配です。L1正則化では、重みの大きさに関係なく同じ強さで 0 へ押します: rate * "
        "np.sign(param)。"
    ),
    "exercises.grade_flipped": "符号が逆です。正則化項の勾配は grad に足し（grad += …）、そのあと最適化手法が lr·grad を引きます。",
    "exercises.grade_wrong_change": "grad は変わりましたが、{expected} だけ変わったわけではありません。",
    "exercises.grade_detail_yours": "あなたの変化量の最初の値:   {values}",
    "exercises.grade_detail_expected": "{expected} の最初の値: {values}",
    "exercises.grade_param_changed": (
        "param が変わっています。変えてよいのは grad だけです。重みはあとで最適化手法が更新します（params[key] -= lr * grads[key]）。"
    ),
    "exercises.grade_not_in_place": (
        "値の計算は正しいのですが、呼び出し側の grad が変わっていません。`grad = grad + …` は新しい配列を作ってローカル変数の名前を付け替えるだけで、"
        "ネットワークから渡された配列はそのままです（戻り値も使われません）。その場で更新してください: grad += {expected}。"
    ),
    "exercises.grade_unchanged": (
        "grad が変わっていません。正則化項の勾配をその場で足してください: grad += {expected}。（`grad = grad + …` "
        "ではローカル変数の名前を付け替えるだけです。）"
    ),
    "exercises.grade_case": "（ケース {case}: param の形状 {shape}、dtype {dtype}、rate {rate}）",
    "exercises.grade_rate_zero": "rate = 0（正則化なし）のときは grad を変えてはいけません。",
    "exercises.grade_penalty_passed": (
        "grad += {expected} をその場で行えています（1 次元・2 次元の配列、float32・float64 で確認）。rate = 0 では grad "
        "は変わりません。"
    ),
    "exercises.crop_not_array": "numpy 配列ではなく {type} を返しました",
    "exercises.crop_swapped": (
        "形状 {got} を返しました。期待される形状は (crop_h, crop_w, channels) = {want} です。縦と横が入れ替わっています"
    ),
    "exercises.crop_no_channel": (
        "形状 {got} を返しました。期待される形状は {want} で、チャンネルの軸が抜けています（image[top:bottom, left:right, :] "
        "のようにクロップします）"
    ),
    "exercises.crop_channels_first": (
        "形状 {got} を返しました。期待される形状は {want} です。最初の軸がすべて残っています。image[:, top:bottom, left:right] "
        "は画像を (チャンネル, 縦幅, 横幅) とみなしていますが、講義の画像は (縦幅, 横幅, チャンネル) なので image[top:bottom, left:right, :] とクロップします"
    ),
    "exercises.crop_whole": "画像全体 {got} を返しました。期待されるのは形状 {want} のクロップです",
    "exercises.crop_bad_shape": "形状 {got} を返しました。期待される形状は (crop_h, crop_w, channels) = {want} です",
    "exercises.crop_not_window": "ひと続きの窓 image[top:top+crop_h, left:left+crop_w, :] ではない画素を返しました",
    "exercises.crop_unpack": (
        "random_crop(image, {crop}) で ValueError が発生しました: {detail}。画像の形状は (縦幅, 横幅, チャンネル) の 3 "
        "つの数です。h, w, _ = image.shape （または h, w = image.shape[:2]）と書きます。"
    ),
    "exercises.crop_call_result": "random_crop(形状 {shape} の画像, crop_size={crop}) が{where}。",
    "exercises.crop_later_call": "その後の呼び出し random_crop(image, {crop})",
    "exercises.crop_image_changed": "入力画像が変わりました。クロップは呼び出し側の画像に書き込んではいけません。",
    "exercises.crop_one_of_calls": "{n} 回の呼び出しのうち 1 回が{where}。",
    "exercises.crop_seen": "{n} 回の呼び出しで出た {axis} のオフセット: {counts}",
    "exercises.crop_never_moves": "クロップする位置が動きません。{axis} はいつも {offset} でした。呼び出すたびにオフセットをランダムに選びます。",
    "exercises.edge_bottom": "下",
    "exercises.edge_right": "右",
    "exercises.crop_last_offset": (
        "{axis} が最後のオフセット {last} = {letter} − crop_{letter} に一度もなりませんでした。{edge}端に接する窓がクロップされません。"
        "randint(low, high) も integers(low, high) も high を含まないので、(0, {letter} − crop_{letter} + "
        "1) から選びます。（講義のコードにもこの 1 つずれ（off-by-one）があります。）"
    ),
    "exercises.crop_missing": "{axis} のオフセット {missing} が一度も出ませんでした。0 … {last} のどれも出るはずです。",
    "exercises.crop_rare": "{axis} のオフセット {rare} がほかよりずっと少ししか出ません。オフセットは一様に選びます。",
    "exercises.crop_full_size_raised": (
        "random_crop(形状 {shape} の画像, crop_size={crop}) で {error} が発生しました: {detail}。crop_{letter} "
        "== {letter} のときオフセットは 0 のただ 1 つです。randint(0, {letter} − crop_{letter}) は空の範囲 [0, 0) "
        "から数を選ぼうとします。上限には {letter} − crop_{letter} + 1 を使います。"
    ),
    "exercises.crop_passed": (
        "形状が正しく、画像の本当の窓になっていて、{n} 回の呼び出しですべてのオフセット（top 0…H−crop_h、left 0…W−crop_w）が出ました。"
        "画像と同じ大きさのクロップは画像そのものを返します。"
    ),
    "exercises.crop_passed_seen": "出たオフセット: top {tops}; left {lefts}",
    "exercises.title_lecture_test": "確認テスト（講義の問題）· {topic}",
    "exercises.title_practice_test": "練習問題（このコースで追加。講義の問題ではありません）· {topic}",
    "exercises.title_lecture_challenge": "例題チャレンジ（講義の問題）· {topic}",
    "exercises.title_practice_challenge": "例題チャレンジ形式の練習（このコースで追加。講義のコードより）· {topic}",
    "exercises.blank": "（{label}）",
    "exercises.blank_labels": "あ い う え お か き く",
    "exercises.test_ridge.topic": "リッジ回帰の特徴",
    "exercises.test_ridge.question": "リッジ回帰（L2正則化）について正しいものはどれか。",
    "exercises.test_ridge.option0": "λ を 0 にすると、リッジ回帰は非線形の回帰になる。",
    "exercises.test_ridge.option1": "バイアス項も、重みと一緒に正則化の対象になる。",
    "exercises.test_ridge.option2": "正則化の強さ λ（ハイパーパラメータ）を大きくするほど、どの重みも 0 のすぐ近くまで縮んでいく。",
    "exercises.test_ridge.option3": "ニューラルネットワークでは、リッジ回帰の正則化項は隠れ層に付け加える。",
    "exercises.test_ridge.why0": (
        "誤り。λ = 0 では正則化項が消え、残るのは普通の最小二乗法による線形回帰です。リッジ回帰は線形回帰に正則化項を加えたもので、どんな λ でも線形のままです。"
    ),
    "exercises.test_ridge.why1": (
        "誤り。正則化されるのは重みだけです。バイアスは入力に掛かる値ではないので、小さくしても入力への反応の強さは抑えられません（正則化項の目的はそこにあります）。"
        "さらにバイアスを正則化すると、目的変数の原点をどこに置くかで解が変わってしまいます（y をすべて 100 ずらしても、正則化されたバイアスは追いつけません）。"
        "ノートブック 06 で確かめたとおり、λ をどれだけ大きくしても、当てはめた切片は 0 ではなく y の平均になります。"
    ),
    "exercises.test_ridge.why2": (
        "正解。λ は大きな重みをどれだけ強く罰するか、つまり制約の強さを決めます。λ を大きくすると誤差より正則化項が支配的になり、すべての重みが 0 "
        "へ向かって縮みます（リッジ回帰では限りなく 0 に近づきますが、ちょうど 0 にはなりません）。"
    ),
    "exercises.test_ridge.why3": (
        "誤り。正則化項は誤差関数に加える項です: E(w) + ½·λ·Σ w²（すべての層の重みについて和をとります）。変わるのは最小化する関数であって、"
        "ネットワークの層ではありません。"
    ),
    "exercises.test_norm_figure.topic": "L1正則化を表すグラフ",
    "exercises.test_norm_figure.question": (
        "図 A と図 B は、二乗誤差の等高線（赤）と、正則化が許す重みの範囲（青）を描いたものです。L1正則化（ラッソ回帰）を表しているのはどちらか。"
    ),
    "exercises.test_norm_figure.option0": "図 A",
    "exercises.test_norm_figure.option1": "図 B",
    "exercises.test_norm_figure.why0": (
        "誤り。図 A の領域は円 w1² + w2² ≤ r² で、L2正則化（リッジ回帰）の制約です。等高線はどちらの重みも 0 でない点で円に接し、重みは小さくなるだけです: "
        "縮小推定。"
    ),
    "exercises.test_norm_figure.why1": (
        "正解。|w1| + |w2| ≤ r は軸の上に角を持つひし形です。広がっていく等高線はたいてい角で最初に接し、そこでは片方の重みがちょうど 0 になります: スパース推定。"
    ),
    "exercises.test_sparse.topic": "スパース推定と縮小推定",
    "exercises.test_sparse.question": "L1正則化はスパース推定、L2正則化は縮小推定と呼ばれる。正しいものはどれか。",
    "exercises.test_sparse.option0": "L2正則化は、不要な重みをちょうど 0 にしやすい。",
    "exercises.test_sparse.option1": "L1正則化の正則化項は、重みの二乗和である。",
    "exercises.test_sparse.option2": "L1正則化の正則化項の勾配は重みが 0 に近づくほど小さくなるので、小さな重みは縮むだけで 0 にはならない。",
    "exercises.test_sparse.option3": "L1正則化（ラッソ回帰）では多くの重みがちょうど 0 になり、0 の重みは予測時の計算を省ける。",
    "exercises.test_sparse.why0": (
        "誤り。それは L1正則化の性質です。L2正則化の勾配 λ·w は重みが小さくなるほど弱まるので、重みは縮んでも 0 にはなりません。"
        "ノートブック 06 で測ったとおり、リッジ回帰の係数の経路はそろって 0 へ近づくだけで、ラッソ回帰の経路では係数が 1 つずつちょうど 0 になります。"
    ),
    "exercises.test_sparse.why1": (
        "誤り。二乗和は L2正則化の正則化項です（講義の p ノルムで p = 2）。L1正則化の正則化項は絶対値の和 λ·Σ|w| です（p = 1）。"
    ),
    "exercises.test_sparse.why2": (
        "誤り。それは L2正則化の説明です。L1正則化の勾配 λ·sign(w) は重みの大きさに関係なく大きさ λ なので、小さな重みも大きな重みと同じ強さで 0 まで押されます。"
    ),
    "exercises.test_sparse.why3": (
        "正解。同じ強さの押し λ·sign(w) によって、あまり役に立たない重みはちょうど 0 になります。0 の重みは計算を省けるというのが、講義の計算リソースの話です。"
        "（ただし普通の勾配降下で学習するネットワークでは、小さな重みは 0 のまわりを行き来します。ノートブック 03 で、重みをちょうど 0 に止める近接勾配法のステップを見ます。）"
    ),
    "exercises.test_dropout.topic": "ドロップアウト",
    "exercises.test_dropout.question": "ドロップアウトについて正しいものはどれか。",
    "exercises.test_dropout.option0": "テスト時もユニットをランダムに削除し、学習時と同じ条件で予測する。",
    "exercises.test_dropout.option1": (
        "学習時にはステップごとにランダムに選んだユニットを削除する。データ量を変えずに異なるモデルを学習させていると解釈できる。"
    ),
    "exercises.test_dropout.option2": "（教科書の実装では）テスト時に出力へ dropout_ratio を掛ける。",
    "exercises.test_dropout.option3": "L1正則化や L2正則化と同じく、誤差関数に正則化項を加える手法である。",
    "exercises.test_dropout.why0": (
        "誤り。テスト時はすべてのユニットを使い、出力の大きさだけを学習時の平均に合わせます。テスト時にユニットを削除すると、予測が毎回ランダムに変わってしまいます。"
    ),
    "exercises.test_dropout.why1": (
        "正解。ミニバッチごとに、重みを共有する異なる部分ネットワークが学習し、テスト時には完全なネットワークがそれらの平均のように振る舞います。"
        "講義の言うメリット、データ量を変えずに異なるモデルを学習させることに当たります。"
    ),
    "exercises.test_dropout.why2": (
        "誤り。dropout_ratio はユニットを削除する確率なので、ユニットが残る確率は 1 − dropout_ratio です。教科書の方式ではテスト時に (1 − dropout_ratio) を掛けます。"
        "（inverted dropout は学習時に 1/(1 − dropout_ratio) 倍する方式で、テスト時には何も掛けません。）"
    ),
    "exercises.test_dropout.why3": (
        "誤り。ドロップアウトは誤差関数をそのままにして、学習中のネットワークを変えます。誤差関数に λ·Σ|w| や ½·λ·Σw² を加えるのは L1正則化・L2正則化です。"
    ),
    "exercises.test_gap.topic": "結果の読み方",
    "exercises.test_gap.question": (
        "訓練データ 300 枚の実験で L2正則化（λ = 0.1）を加えたところ、訓練データの正解率は 1.00 から下がり、テストデータの正解率はほとんど変わらなかった。"
        "この結果の読み方として正しいものはどれか。"
    ),
    "exercises.test_gap.option0": (
        "訓練データとテストデータの正解率のギャップが縮まったので、テストデータの正解率が上がらなくても、過学習は抑えられている。"
    ),
    "exercises.test_gap.option1": "テストデータの正解率が上がっていないので、過学習は抑えられていない。",
    "exercises.test_gap.option2": "訓練データの正解率が下がったので未学習であり、訓練データの正解率が 1.00 に戻るまで λ を小さくすべきである。",
    "exercises.test_gap.option3": "λ をさらに大きくすれば、ギャップは縮み続け、テストデータの正解率も上がり続ける。",
    "exercises.test_gap.why0": (
        "正解。過学習とは 2 本の学習曲線が乖離することで、その大きさがギャップ（訓練 − テストの正解率）です。テストデータの正解率を保ったままギャップが縮んだのなら、"
        "ネットワークは 300 枚の訓練データの癖に頼らなくなっています。講義の締めくくりの教訓です。"
    ),
    "exercises.test_gap.why1": (
        "誤り。過学習はテストデータの正解率の高さではなく、ギャップで読みます。正則化はネットワークの自由度を制約するもので、テストデータの正解率を上げるとは限りません"
        "（講義の実行でも、L2正則化は過学習を抑えましたが、テストデータの正解率は低いままでした）。"
    ),
    "exercises.test_gap.why2": (
        "誤り。未学習なら、どちらのデータでも正解率が低くなります。ここではテストデータの正解率が保たれています。訓練データで満点だったこと自体が症状（300 枚の丸暗記）で、"
        "そこへ戻せばギャップも戻ります。"
    ),
    "exercises.test_gap.why3": (
        "誤り。制約が強すぎると両方の正解率が下がります。講義でも λ を 0.1 から 0.2 にすると、訓練データとテストデータの両方で正解率が学習中に下がりました。"
        "λ は試行錯誤で調整する必要があります。"
    ),
    "exercises.challenge_ridge.topic": "L2正則化でパラメータを更新するプログラム ridge(param, grad, rate)",
    "exercises.challenge_ridge.question": (
        "誤差逆伝播のあと、ネットワークは重み行列ごとに ridge(param, grad, rate) を呼びます。param は重み、grad はその重みについての誤差関数の勾配、"
        "rate は λ です。正則化項は ½·rate·Σ param² です。空欄（あ）に入る式はどれか。"
    ),
    "exercises.challenge_ridge.why0": (
        "誤り。√(Σ param²) は L2 ノルム、つまり正則化項の大きさで、行列全体で 1 つの数です。正則化項は誤差関数に加えるものなので、"
        "更新に必要なのはノルムそのものではなく、各重みについての微分です。"
    ),
    "exercises.challenge_ridge.why1": (
        "正解。各重み w について d/dw (½·rate·Σw²) = rate·w です。微分で出る 2 は ½ と打ち消し合います（講義の言い方では、係数に吸収されます）。"
        "grad は rate·param だけ増え、各重みはその大きさに比例した強さで 0 へ押されます。"
    ),
    "exercises.challenge_ridge.why2": (
        "誤り。Σ|param| は L1 ノルムで、行列全体で 1 つの数です。しかも L2 ではなく L1 の正則化項で、正しい正則化項でもその微分でもありません。"
    ),
    "exercises.challenge_ridge.why3": (
        "誤り。sign(param) は |w| の微分、つまり L1正則化（ラッソ回帰）の勾配です。L2 では押す強さが重みの大きさに比例します。"
    ),
    "exercises.challenge_lasso.topic": "L1正則化でパラメータを更新するプログラム lasso(param, grad, rate)",
    "exercises.challenge_lasso.question": (
        "lasso(param, grad, rate) は同じことを L1正則化で行います。正則化項は rate·Σ|param| です。空欄（あ）に入る式はどれか。（np.sign は "
        "−1, 0, 1 のいずれかを返します。）"
    ),
    "exercises.challenge_lasso.why0": (
        "誤り。|param| は正則化項そのもので、その微分ではありません。どの重みでも grad が rate·|w| ≥ 0 だけ増えるので、負の重みは 0 "
        "からさらに遠ざけられます。"
    ),
    "exercises.challenge_lasso.why1": (
        "誤り。rate·param は L2正則化（リッジ回帰）の勾配です。重みが小さくなるほど押す力が弱まるので、重みは縮んでもちょうど 0 にはなりません。"
    ),
    "exercises.challenge_lasso.why2": "誤り。Σ|param| は L1 ノルムで、行列全体で 1 つの数です。更新に必要なのは重みごとの微分です。",
    "exercises.challenge_lasso.why3": (
        "正解。d|w|/dw は w > 0 で +1、w < 0 で −1、つまり sign(w) です（np.sign は w = 0 で 0 を返します）。"
        "重みの大きさに関係なく同じ強さで 0 へ押すので、小さな重みはちょうど 0 になります（スパース推定）。"
    ),
    "exercises.challenge_random_crop.topic": "データ拡張（水増し）random_crop(image, crop_size)",
    "exercises.challenge_random_crop.question": (
        "random_crop は、画像から大きさ crop_size = (crop_h, crop_w) の窓をランダムな位置でクロップする。講義の外部仕様では、image の形式は "
        "(縦幅, 横幅, チャンネル) である。下端に接する窓も含めてどの位置も選ばれ得る必要があり、crop_h == h なら画像全体を返す。"
        "np.random.randint(low, high) は low, …, high − 1 から選ぶ。空欄（あ）と（い）に入るものの組み合わせとして正しいものはどれか。"
    ),
    "exercises.challenge_random_crop.shape_comment": "image: (縦幅, 横幅, チャンネル)",
    "exercises.challenge_random_crop.left_comment": "（あ）の h を w に、crop_h を crop_w にしたもの",
    "exercises.challenge_random_crop.why0": (
        "誤り。（い）は正しいのですが、（あ）は講義のコードの上限です。randint(0, h − crop_h) は h − crop_h を返さないので、下端に接する窓がクロップされません。"
        "crop_h == h では空の範囲 [0, 0) から選ぼうとして ValueError になります。"
    ),
    "exercises.challenge_random_crop.why1": (
        "誤り。（あ）は正しいのですが、（い）は画像を (チャンネル, 縦幅, 横幅) とみなしたスライスです。ここでは最初の軸が縦幅なので、"
        "image[:, top:bottom, left:right] はすべての行を残し、横幅とチャンネルの軸を切ってしまいます。"
    ),
    "exercises.challenge_random_crop.why2": (
        "正解。top は 0, 1, …, h − crop_h の h − crop_h + 1 通りで、randint は上限を含まないので + 1 が要ります（crop_h == h なら [0, 1) から選び、"
        "ただ 1 つのオフセット 0 になります）。画像は (縦幅, 横幅, チャンネル) なので、行、列の順に切り、チャンネルはすべて残します: image[top:bottom, left:right, :]。"
    ),
    "exercises.challenge_random_crop.why3": (
        "誤り。どちらの空欄も違います。（あ）は講義のコードの 1 つずれた上限で、いちばん下の窓が出ません。（い）は画像を (チャンネル, 縦幅, 横幅) "
        "とみなしていますが、講義の形式は (縦幅, 横幅, チャンネル) です。"
    ),
    # --- trainer -----------------------------------------------------------------
    "trainer.diverged": (
        "エポック {epoch} で学習が発散しました。{what}が NaN、inf、または極端に大きな値になりました。"
        "学習率（lr={lr}）か、荷重減衰の係数 weight_decay_lambda を小さくしてみてください。"
    ),
    "trainer.diverged_loss": "訓練データの誤差",
    "trainer.diverged_outputs": "ネットワークの出力",
    "trainer.diverged_weights": "重み（ノルム {norm}）",
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
    "tuning.heat_gap": "ギャップ（訓練 − テスト）",
    "tuning.axis_dropout_ratio": "dropout_ratio（ドロップアウト率）",
    "tuning.axis_lambda": "weight_decay_lambda（λ）",
    "tuning.lecture": "講義",
    "tuning.heat_mean": "{title}（シード{n}個の平均）",
    "tuning.within_spread": "斜線：{ref}との差がシード{n}個でのばらつきの範囲内（|平均| ≤ 標準偏差）、"
                            "破線：{ref}、小さい数字：± 1 標準偏差",
    # --- geometry_plots ----------------------------------------------------------
    "geometry.name_l2": "L2（リッジ回帰）",
    "geometry.name_l1": "L1（ラッソ回帰）",
    "geometry.shape_l2": "円",
    "geometry.shape_l1": "ひし形",
    "geometry.contours": "二乗誤差 E(w) の等高線",
    "geometry.region": "{name}の{shape}: ‖w‖{sub} ≤ {r:.2f}",
    "geometry.optimum": "{name}の最適解 ({w1:.2f}, {w2:.2f})",
    "geometry.least_squares": "最小二乗解 $\\hat{{w}}$ ({w1:.2f}, {w2:.2f})",
    "geometry.title_radius": "制約の半径 r = {r:.2f}",
    "geometry.paths_xlabel": "λ（正則化の強さ、対数目盛）",
    "geometry.paths_ylabel": "係数",
    "geometry.paths_title": "0 でない重み: λ が小さいと {small} 個 → λ が大きいと {large} 個",
    "geometry.paths_legend_title": "本当は 0 でない重み",
    "geometry.slider_radius": "半径 r",
    "geometry.status_inactive": "λ = 0（制約が効いていない）",
    "geometry.status_zeros": " · <b>{n} 個の重みがちょうど 0</b>",
    # --- seeds / lecture replay -------------------------------------------------------
    "seeds.over_n_seeds": "（シード {n} 個）",
    "seeds.diverged_note": "（シード {n} 個中 {k} 個は発散したため除外）",
    "seeds.name_train_acc": "訓練",
    "seeds.name_test_acc": "テスト",
    "seeds.name_gap": "ギャップ",
    "seeds.name_weight_norm": "重みのノルム",
    "seeds.name_sparsity": "スパース率",
    "seeds.separator": "、",
    "seeds.verdict_none": "両方の学習を最後まで終えたシードがありません",
    "seeds.verdict_higher": "シード {n} 個すべてで高い",
    "seeds.verdict_lower": "シード {n} 個すべてで低い",
    "seeds.verdict_within": "ばらつきの範囲内（シード {n} 個中、高いのが {k} 個、低いのが {m} 個）",
    "seeds.verdict_few": "（シードが {n} 個だけなので、証拠ではなく目安）",
    "seeds.compare": "{quantity}の差（{b} − {a}、シードごと）：{spread}、{verdict}",
    "seeds.compare_skipped": "（発散した学習を含むシード {k} 個は除外）",
    "seeds.bootstrap": "{diff:+.3f}（テストデータ {n} 個でのブートストラップ {ci} % 区間 {low:+.3f} … {high:+.3f}）",
    "seeds.bootstrap_excludes": "：区間は 0 を含まない",
    "seeds.bootstrap_includes": "：区間が 0 を含む、つまりテストデータのばらつきの範囲内",
    "lecture_loop.diverged": (
        "講義のループがイテレーション {iteration} で発散しました。誤差か重みが NaN、inf、またはノルム {limit} を超える値になりました。"
        "学習率 learning_rate（{lr}）か、荷重減衰の係数 weight_decay_lambda（{lam}）を小さくしてみてください。"
    ),
}
