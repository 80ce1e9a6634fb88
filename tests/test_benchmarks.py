"""The benchmark's smoke mode runs, writes the JSON it promises, and the implementations agree.

No timings are asserted here (the machine may be busy); ``python -m benchmarks``
is run by hand and its numbers live in benchmarks/README.md.  PyTorch is
optional: its parts are checked only when it imports.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAVE_TORCH = importlib.util.find_spec("torch") is not None

CONTENDERS = ("common", "common_inline", "common_1thread", "common_2blas", "textbook_1thread", "textbook_2threads")
TORCH = ("torch_2threads", "torch_1thread")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One run of the documented command in smoke mode (a fresh process, as a user runs it)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc.stdout


def test_smoke_writes_the_promised_json(smoke):
    results, _ = smoke
    assert results["schema"] == 1 and results["mode"] == "smoke"
    machine = results["machine"]
    for key in ("cpu", "usable_cpus", "numpy", "python", "blas"):
        assert machine[key], key
    assert set(results["peak_sgemm_gflops"]) == {"1", "2", "machine"}
    assert all(v > 0 for v in results["peak_sgemm_gflops"].values())
    assert results["flops_per_run"] > 0
    for name in CONTENDERS:
        run = results["runs"][name]
        s = run["seconds"]
        assert 0 < s["min"] <= s["median"] <= s["max"], name
        assert run["gflops"] > 0 and run["pct_of_machine_peak"] > 0
        assert 0.0 <= run["final"]["test_acc"] <= 1.0
    for name in CONTENDERS[1:]:
        ratio = results["ratios"][f"{name}/common"]
        assert ratio["min"] <= ratio["median"] <= ratio["max"]
    slider = results["slider"]
    assert 0 < slider["first_point_s"]["median"] <= slider["full_curve_s"]["median"]
    assert set(results["targets"]) == {
        "torch_over_common", "textbook_over_common", "pct_of_machine_peak",
        "slider_full_curve_s", "slider_first_point_s",
    }
    for target in results["targets"].values():
        assert {"target", "measured", "met"} <= set(target)
    assert isinstance(results["load_start"], float)


def test_common_and_the_textbook_reference_agree_exactly(smoke):
    """Same initial weights, same batches, same math: float32 vs float64 rounding flips
    no prediction in the smoke run's few epochs."""
    results, _ = smoke
    curves = results["curves"]
    epochs = results["experiment"]["epochs"]
    assert len(curves["common"]["test_acc"]) == epochs
    for name in ("common_inline", "common_1thread", "textbook_1thread", "textbook_2threads"):
        assert curves[name] == curves["common"], name
        assert results["agreement_vs_common"][name]["identical_leading_epochs"] == epochs
    # and the run learned something, so the comparison is not vacuous
    assert curves["common"]["train_acc"][-1] > 0.3
    assert results["accuracies_agree"] is True


def test_torch_agrees_or_is_reported_as_skipped(smoke):
    results, stdout = smoke
    for name in TORCH:
        run = results["runs"][name]
        if HAVE_TORCH:
            assert "skipped" not in run, run
            agreement = results["agreement_vs_common"][name]
            assert agreement["ok"], agreement
            assert agreement["identical_leading_epochs"] >= 1
        else:
            assert "torch is not installed" in run["skipped"]
            assert f"| {name} | skipped" in stdout


def test_without_torch_the_benchmark_still_runs():
    from benchmarks import lecture_benchmark as lb

    results = lb.run("smoke", use_torch=False, log=lambda _: None)
    for name in TORCH:
        assert results["runs"][name]["skipped"] == "--no-torch"
        assert f"{name}/common" not in results["ratios"]
    assert results["targets"]["torch_over_common"]["met"] is None
    assert "skipped: --no-torch" in lb.report(results)


def test_agreement_check_catches_a_real_difference():
    from benchmarks.lecture_benchmark import AGREEMENT_TOL, agreement

    base = ([0.5, 0.6, 0.7, 0.8], [0.4, 0.5, 0.6, 0.7])
    assert agreement(base, base)["ok"]
    late_flip = (base[0], [0.4, 0.5, 0.6, 0.7 + AGREEMENT_TOL / 2])
    assert agreement(base, late_flip)["ok"]  # rounding: one test digit, late
    early = ([0.5, 0.61, 0.7, 0.8], base[1])
    assert not agreement(base, early)["ok"]  # different in the first epochs
    off = (base[0], [0.4, 0.5, 0.6, 0.7 + 3 * AGREEMENT_TOL])
    assert not agreement(base, off)["ok"]  # a real difference in the math


def test_flop_count_of_the_lecture_experiment():
    from benchmarks.lecture_benchmark import MODES, lecture_flops

    # per sample: forward 784·100 + 5·100·100 + 100·10 = 129,400 multiply-adds, dx 51,000;
    # per epoch: 300 digits × (2 forward-sized products + dx) + 1,300 digits × forward
    per_epoch = 2 * (300 * (2 * 129_400 + 51_000) + 1_300 * 129_400)
    assert lecture_flops(MODES["full"]) == 201 * per_epoch == 104_986_320_000


# --------------------------------------------------- common's fast paths keep the math
# (the smoke run above scores 60 + 460 digits per epoch, so it also goes through the
# two-thread accuracy pass; these check that path directly)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_test_mode_batches_score_exactly_as_the_layers_do(activation, dtype):
    import numpy as np

    from common.multi_layer_net import PARALLEL_PREDICT_ROWS, MultiLayerNet

    net = MultiLayerNet(30, [20, 20], 5, activation=activation, weight_init_std=activation,
                        use_dropout=True, dropout_ratio=0.3, dtype=np.dtype(dtype), rng=0)
    rng = np.random.default_rng(1)
    for key in net.params:  # nonzero biases, so a missing bias would show
        net.params[key] += rng.normal(0, 0.1, net.params[key].shape).astype(dtype)
    x = rng.normal(size=(PARALLEL_PREDICT_ROWS + 301, 30))
    layers_out = net._predict(x.astype(dtype), False)  # the layer-by-layer pass
    np.testing.assert_array_equal(net.predict(x), layers_out)
    small = x[:7]
    np.testing.assert_array_equal(net.predict(small), net._predict(small.astype(dtype), False))
    labels = layers_out.argmax(axis=1)
    assert net.accuracy(x, labels) == 1.0
    first = net.predict(x)
    net.predict(x[:600])  # results are copies, never the reused buffers
    np.testing.assert_array_equal(first, layers_out)


def test_trainer_caps_blas_threads_only_while_an_epoch_runs():
    from threadpoolctl import threadpool_info  # in requirements.txt

    from common.datasets import load_mnist
    from common.multi_layer_net import MultiLayerNet
    from common.trainer import Trainer

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    (x, t), _ = load_mnist()
    before = blas_threads()
    seen = []

    def spy(x_batch, rng):  # an augment hook: called for every mini-batch, inside the epoch
        seen.append(blas_threads())
        return x_batch

    trainer = Trainer(MultiLayerNet(784, [10], 10, rng=0), x[:40], t[:40], x[40:80], t[40:80],
                      epochs=2, mini_batch_size=20, verbose=False, rng=0, augment=spy)
    epochs = trainer.epochs_iter()
    next(epochs)
    assert blas_threads() == before  # not held while the generator is suspended
    list(epochs)
    assert seen == [[1] * len(before)] * 4  # 2 epochs × 2 mini-batches, all with 1 BLAS thread
    assert blas_threads() == before
