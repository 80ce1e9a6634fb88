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

CONTENDERS = ("engine", "engine_incremental", "engine_in_step", "engine_1thread", "reference", "reference_1blas",
              "textbook_1thread", "textbook_2threads")
TORCH = ("torch_2threads", "torch_1thread")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One run of the documented command in smoke mode (a fresh process, as a user runs it)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        # the engine's default threads (the test session's workers run theirs on one)
        env={**{k: v for k, v in os.environ.items() if k != "COURSE_ENGINE_THREADS"}, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc.stdout


def test_smoke_writes_the_promised_json(smoke):
    results, _ = smoke
    assert results["schema"] == 2 and results["mode"] == "smoke"
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
        ratio = results["ratios"][f"{name}/engine"]
        assert ratio["min"] <= ratio["median"] <= ratio["max"]
    for key in ("slider", "slider_incremental"):
        slider = results[key]
        assert 0 < slider["first_point_s"]["median"] <= slider["full_curve_s"]["median"]
    explorer = results["explorer"]
    assert "skipped" not in explorer, explorer  # the explorer is part of the pack: its row must run
    assert explorer["total_s"]["median"] > 0
    after = results["explorer_after_look"]  # the same moves after a look (the neighbouring λ trained ahead)
    assert after["kernel"]["total"]["median"] > 0 and len(after["kernel"]["ahead_epochs"]["values"]) == 1
    assert set(results["targets"]) == {
        "torch_over_engine", "textbook_over_engine", "reference_over_engine",
        "slider_full_curve_s", "slider_first_point_s", "explorer_kernel_s",
        "browser_full_curve_s", "browser_first_points_s",
    }
    assert "skipped" in results["browser"]  # smoke mode never starts a browser
    assert results["targets"]["browser_full_curve_s"]["met"] is None
    for target in results["targets"].values():
        assert {"target", "kind", "measured", "met"} <= set(target)
    assert isinstance(results["load_start"], float)


def test_the_engine_and_the_references_agree(smoke):
    """The reference core with one BLAS thread and the engine on one thread equal the engine exactly;
    the float64 textbook reference rounds differently but flips no prediction in the smoke run's epochs."""
    results, _ = smoke
    curves = results["curves"]
    epochs = results["experiment"]["epochs"]
    assert len(curves["engine"]["test_acc"]) == epochs
    for name in ("reference_1blas", "engine_in_step", "engine_1thread", "textbook_1thread", "textbook_2threads"):
        assert curves[name] == curves["engine"], name
        assert results["agreement_vs_engine"][name]["identical_leading_epochs"] == epochs
    assert results["agreement_vs_engine"]["reference_1blas"]["exact_required"] is True
    # and the run learned something, so the comparison is not vacuous
    assert curves["engine"]["train_acc"][-1] > 0.3
    assert results["accuracies_agree"] is True


def test_torch_agrees_or_is_reported_as_skipped(smoke):
    results, stdout = smoke
    for name in TORCH:
        run = results["runs"][name]
        if HAVE_TORCH:
            assert "skipped" not in run, run
            agreement = results["agreement_vs_engine"][name]
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
        assert f"{name}/engine" not in results["ratios"]
    assert results["targets"]["torch_over_engine"]["met"] is None
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
    assert not agreement(base, late_flip, exact=True)["ok"]  # where identity is required, one digit fails
    assert agreement(base, base, exact=True)["ok"]


def test_flop_count_of_the_lecture_experiment():
    from benchmarks.lecture_benchmark import MODES, lecture_flops

    # per sample: forward 784·100 + 5·100·100 + 100·10 = 129,400 multiply-adds, dx 51,000;
    # per epoch: 300 digits × (2 forward-sized products + dx) + 1,300 digits × forward
    per_epoch = 2 * (300 * (2 * 129_400 + 51_000) + 1_300 * 129_400)
    assert lecture_flops(MODES["full"]) == 201 * per_epoch == 104_986_320_000


def test_the_explorer_row_runs_without_the_browser_benchmark(monkeypatch):
    """Without benchmarks/browser_benchmark.py the kernel-side row is measured here and the browser row says why not."""
    import sys as _sys

    from benchmarks import lecture_benchmark as lb

    import benchmarks

    monkeypatch.setitem(_sys.modules, "benchmarks.browser_benchmark", None)  # makes the import fail
    monkeypatch.delattr(benchmarks, "browser_benchmark", raising=False)  # (an earlier import left it on the package)
    explorer, browser, after_look = lb.explorer_rows("smoke", lb.MODES["smoke"])
    assert "missing" in browser["skipped"] and "missing" in after_look["kernel"]["skipped"]
    assert explorer["total_s"]["median"] > 0 and len(explorer["lambdas"]) == 1


def test_the_contention_measurement_runs_and_names_every_neighbour():
    from benchmarks.contention import NEIGHBOURS

    proc = subprocess.run([sys.executable, "-m", "benchmarks.contention", "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in NEIGHBOURS:
        assert name in proc.stdout, name
    assert "ms" in proc.stdout
