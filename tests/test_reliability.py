"""Fault injection on the simulated provider: transient errors, interruption, malformed replies.

Each test runs market making on an invented TruthfulQA-format CSV. CI runs 40 samples; set
INSPECT_MARKET_RELIABILITY_SAMPLES=200 for the full-size runs.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log

from tests.mocks import metrics

N = int(os.environ.get("INSPECT_MARKET_RELIABILITY_SAMPLES", "40"))
SEED = 11
INSPECT = str(Path(sys.executable).with_name("inspect"))
# The README's recommended retry settings for long runs ("Running long evals safely").
LONG_RUN_SETTINGS: dict[str, Any] = {"max_retries": 10, "retry_on_error": 3}


def write_truthfulqa_csv(path: Path, n: int) -> Path:
    """n invented questions in the columns of the authors' TruthfulQA.csv."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["Type", "Category", "Question", "Best Answer", "Best Incorrect Answer", "Source"]
        )
        for i in range(1, n + 1):
            writer.writerow(
                [
                    "Adversarial" if i % 2 else "Non-Adversarial",
                    "Invented",
                    f"What does the invented gadget number {i} do when it is switched on?",
                    f"Gadget {i} hums quietly",
                    f"Gadget {i} sings loudly",
                    "invented",
                ]
            )
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_truthfulqa_csv(tmp_path / "TruthfulQA.csv", N)


def simulated_eval(data: Path, log_dir: Path, **model_args: Any) -> EvalLog:
    """Market making on `data` with the simulated model (p settles at judgment 2)."""
    [log] = eval(
        "inspect_market/truthfulqa",
        model="simulated/default",
        model_args={"seed": SEED, "converge_after": 2, **model_args},
        task_args={"data_path": str(data)},
        log_dir=str(log_dir),
        display="none",
        **LONG_RUN_SETTINGS,
    )
    return log


def assert_complete(log: EvalLog, n: int = N) -> list[EvalSample]:
    """Success, every sample exactly once, none errored, every one scored."""
    assert log.status == "success", log.error
    samples = log.samples or []
    assert sorted(int(s.id) for s in samples) == list(range(1, n + 1))
    for sample in samples:
        assert sample.error is None and not sample.error_retries, sample.id
        assert sample.scores and "trajectory_scorer" in sample.scores, sample.id
    return samples


def trajectory(sample: EvalSample) -> dict[str, Any]:
    prefix = "Trajectory:"
    return {k[len(prefix) :]: v for k, v in sample.store.items() if k.startswith(prefix)}


def test_transient_errors_are_retried_and_change_nothing(data: Path, tmp_path: Path) -> None:
    clean = simulated_eval(data, tmp_path / "clean")
    faulty = simulated_eval(data, tmp_path / "faulty", error_rate=0.1)
    clean_samples = {s.id: s for s in assert_complete(clean)}
    faulty_samples = {s.id: s for s in assert_complete(faulty)}
    assert metrics(faulty) == metrics(clean)
    for sample_id, sample in faulty_samples.items():
        assert trajectory(sample) == trajectory(clean_samples[sample_id])
    attempts = [e for s in faulty_samples.values() for e in s.events if e.event == "model"]
    failed = [e for e in attempts if e.error is not None]
    assert all("SimulatedProviderError" in str(e.error) for e in failed)
    # failed attempts are in the transcript; a retry of each one made the recorded call
    calls = sum(trajectory(s)["calls"] for s in faulty_samples.values())
    assert len(attempts) - len(failed) == calls
    assert 0.05 < len(failed) / len(attempts) < 0.15
    print(f"\n{N} samples: {len(failed)} of {len(attempts)} attempts failed and were retried;")
    print(f"metrics of both runs: {metrics(clean)}")


def flushed_samples(log_dir: Path) -> tuple[Path | None, int]:
    """The .eval log being written and how many samples it holds so far."""
    for path in log_dir.glob("*.eval"):
        try:
            with zipfile.ZipFile(path) as z:
                return path, sum(name.startswith("samples/") for name in z.namelist())
        except (zipfile.BadZipFile, OSError):
            pass  # mid-write: look again
    return None, 0


def test_killed_run_is_finished_by_eval_retry(data: Path, tmp_path: Path) -> None:
    """SIGKILL part-way (a crash, an OOM kill); eval-retry recovers the flushed samples.

    Not SIGINT: Inspect usually cancels on it (status "cancelled", exit code 0) but once, at
    200 samples, it ignored the signal and completed the run, so the test could not rely on it.
    """
    log_dir = tmp_path / "logs"
    command = [
        INSPECT, "eval", "inspect_market/truthfulqa",
        "--model", "simulated/default", "-M", "latency_ms=150", "-M", "converge_after=1",
        "-T", f"data_path={data}", "--log-dir", str(log_dir),
        "--max-samples", str(max(4, N // 10)), "--log-buffer", "2", "--display", "none",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        path, flushed = flushed_samples(log_dir)
        while flushed < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
            path, flushed = flushed_samples(log_dir)
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        process.kill()
    assert path is not None
    interrupted = read_eval_log(str(path))
    assert interrupted.status == "started"
    done = {s.id: s.uuid for s in interrupted.samples or [] if s.error is None}
    assert 4 <= len(done) < N

    retry = subprocess.run(
        [INSPECT, "eval-retry", str(path), "--log-dir", str(log_dir), "--display", "none",
         "--max-samples", str(N)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert retry.returncode == 0, retry.stderr
    [final_info] = [i for i in list_eval_logs(str(log_dir)) if Path(i.name).name != path.name]
    final = read_eval_log(final_info)
    samples = assert_complete(final)
    reused = [s.id for s in samples if done.get(s.id) == s.uuid]
    assert sorted(reused) == sorted(done)  # finished samples are carried over, not re-run
    print(f"\nSIGKILL: {len(done)} of {N} samples done before the signal; retry ran the rest")


def test_malformed_judgments_are_reasked_counted_and_never_error(
    data: Path, tmp_path: Path
) -> None:
    # 0.4 malformed, two re-asks: 0.4^3 = 6.4% of judgments stay unparsed
    log = simulated_eval(data, tmp_path / "logs", malformed_rate=0.4)
    samples = assert_complete(log)
    judgments = [j for s in samples for j in trajectory(s)["judgments"]]
    failures = sum(j.get("p") is None for j in judgments)
    assert metrics(log)["parse_failure_rate"] == pytest.approx(failures / len(judgments))
    assert failures > 0
    reasks = [
        e.data
        for s in samples
        for e in s.events
        if e.event == "info" and isinstance(e.data, dict) and "format_retry" in e.data
    ]
    assert len(reasks) == sum(j.get("retries", 0) for j in judgments) > 0
    first_attempts_malformed = sum(j.get("retries", 0) > 0 for j in judgments) / len(judgments)
    assert 0.3 < first_attempts_malformed < 0.5
    print(
        f"\n{N} samples, {len(judgments)} judgments: {first_attempts_malformed:.3f} re-asked, "
        f"{len(reasks)} re-asks, {failures} unparsed (parse_failure_rate "
        f"{metrics(log)['parse_failure_rate']:.4f})"
    )
