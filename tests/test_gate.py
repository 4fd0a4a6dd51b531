"""`inspect-market gate`: exit 0 when all checks pass, 1 when one fails, 2 for an unusable log."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessage

from inspect_market.cli import main
from inspect_market.tasks import truthfulqa
from tests.mocks import run, scripted
from tests.test_report import FIXTURE, FLAT, MARKET, by_question, error_log, market_log

# The MARKET log: net gain 0.25, final accuracy 0.75, parse failures 1/17 (0.0588).
# The FLAT log (same task, model and protocol): final accuracy 0.5.


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    made = {
        "good": market_log(tmp_path_factory.mktemp("good"), MARKET, "mockllm/model"),
        "worse": market_log(tmp_path_factory.mktemp("worse"), FLAT, "mockllm/model"),
        "error": error_log(tmp_path_factory.mktemp("error")),
    }
    return {name: log.location for name, log in made.items()}


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["gate", *args])
    return code, capsys.readouterr().out


def test_all_checks_pass(logs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = gate(capsys, logs["good"], "--min-net-gain", "0.25", "--min-final-accuracy",
                     "0.75", "--max-parse-failure-rate", "0.06")  # fmt: skip
    assert code == 0, out
    assert out.count("| pass |") == 3 and "FAIL" not in out
    assert (
        "| net_gain | truthfulqa / mockllm/model / market_making | 0.25 | >= 0.25 | 4 | pass |"
        in out
    )


@pytest.mark.parametrize(
    ("flag", "bound", "metric"),
    [
        ("--min-net-gain", "0.26", "net_gain"),
        ("--min-final-accuracy", "0.8", "final_accuracy"),
        ("--max-parse-failure-rate", "0.05", "parse_failure_rate"),
    ],
)
def test_one_failing_check_exits_1(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str], flag: str, bound: str, metric: str
) -> None:
    code, out = gate(capsys, logs["good"], flag, bound)
    assert code == 1
    assert f"| {metric} |" in out and out.rstrip().endswith("| FAIL |")


def test_regression_against_old_logs(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Final accuracy fell from 0.75 to 0.5: a drop of 0.25.
    assert gate(capsys, logs["worse"], "--against", logs["good"], "--max-drop", "0.3")[0] == 0
    code, out = gate(capsys, logs["worse"], "--against", logs["good"], "--max-drop", "0.2")
    assert (
        code == 1
        and "| final_accuracy drop vs old |" in out
        and "| 0.25 | <= 0.2 | 4 | FAIL |" in out
    )
    assert gate(capsys, logs["good"], "--against", logs["worse"], "--max-drop", "0")[0] == 0


def test_a_group_lost_since_the_old_logs_fails(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = market_log(tmp_path, FLAT, "mockllm/other").location
    code, out = gate(capsys, other, "--against", logs["good"], "--max-drop", "1")
    assert code == 1 and "| nan | <= 1 | 0 | FAIL |" in out


def test_old_runs_match_only_the_same_configuration(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the same task, model and protocol at another temperature is another configuration: the
    # old one has no new run, so the check fails instead of comparing the two
    roles = {"market_maker": scripted(by_question(MARKET)), "trader": scripted(lambda m: "Hm.")}
    hotter = run(truthfulqa(data_path=FIXTURE), roles, tmp_path, temperature=0.9).location
    code, out = gate(capsys, hotter, "--against", logs["good"], "--max-drop", "1")
    assert code == 1 and "| nan | <= 1 | 0 | FAIL |" in out


@pytest.mark.parametrize("which", ["error", "missing", "garbage"])
def test_unusable_logs_exit_2(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    garbage = tmp_path / "garbage.eval"
    garbage.write_bytes(b"not a log")
    path = {"error": logs["error"], "missing": str(tmp_path / "absent"), "garbage": str(garbage)}
    code, out = gate(capsys, logs["good"], path[which], "--min-net-gain", "0")
    assert code == 2
    assert {"error": "status error", "missing": "no such file", "garbage": "unreadable"}[
        which
    ] in out
    # An unusable old log is as bad as an unusable new one.
    assert gate(capsys, logs["good"], "--against", path[which], "--max-drop", "1")[0] == 2


def test_usage_errors_exit_2(logs: dict[str, str]) -> None:
    for args in (["--max-drop", "0.1"], [], ["--against", logs["good"]]):
        with pytest.raises(SystemExit) as exit_info:
            main(["gate", logs["good"], *args])
        assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-net-gain", "nan"], "--min-net-gain must be a finite number in [-1, 1], got nan"),
        (["--min-final-accuracy", "inf"], "--min-final-accuracy must be a finite number in [0, 1]"),
        (["--max-parse-failure-rate", "5"], "--max-parse-failure-rate must be a finite number"),
    ],
)
def test_a_bound_that_is_not_a_fraction_is_one_line_not_a_failing_check(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["gate", logs["good"], *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"inspect-market: {message}")
    assert captured.err.count("\n") == 1


def test_console_script_exit_code(logs: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "inspect-market"
    result = subprocess.run(
        [str(script), "gate", logs["good"], "--min-final-accuracy", "0.9"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "| final_accuracy |" in result.stdout


def flaky_log(log_dir: Path) -> str:
    """A `success` log (--no-fail-on-error) in which the frozen-water sample errored."""

    def flaky(messages: list[ChatMessage]) -> str:
        if any("frozen water" in m.text for m in messages):
            raise RuntimeError("flaky")
        return by_question(MARKET)(messages)

    task = truthfulqa(data_path=FIXTURE, solver="single_shot")
    log = run(task, {"market_maker": scripted(flaky)}, log_dir, fail_on_error=False)
    assert log.status == "success"
    return log.location


def rewritten(path: str, out: Path, sample: str, data: bytes | None) -> str:
    """A copy of the .eval log with one sample member replaced by `data` (None: dropped with
    its summary)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as copy:
        for name in source.namelist():
            content = source.read(name)
            if name == f"samples/{sample}.json":
                if data is None:
                    continue
                content = data
            elif data is None and "summaries" in name:
                kept = [s for s in json.loads(content) if f"{s['id']}_epoch_{s['epoch']}" != sample]
                content = json.dumps(kept).encode()
            copy.writestr(name, content)
    return str(out)


def test_a_log_with_an_errored_sample_is_partial_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = flaky_log(tmp_path)
    code, out = gate(capsys, path, "--min-final-accuracy", "0.3")
    assert code == 2
    assert f"new log unusable: {path}: of 4 samples: 1 errored; left out (--allow-partial" in out
    # Allowed: three scored samples, sky wrong (.7), spider right (.2), city wrong (.4).
    code, out = gate(capsys, path, "--min-final-accuracy", "0.33", "--allow-partial")
    assert code == 0
    assert (
        "| final_accuracy | truthfulqa / mockllm/model / single_shot | 0.3333 | >= 0.33 | 3 |"
        in out
    )
    assert f"note: {path}: of 4 samples: 1 errored; left out" in out


@pytest.mark.parametrize(("data", "problem"), [(b"garbage", "1 unreadable"), (None, "1 missing")])
def test_a_log_with_a_corrupted_or_missing_sample_is_partial_evidence(
    logs: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes | None,
    problem: str,
) -> None:
    # Sample 3 (frozen water, right -> wrong) gone: final accuracy 3/3 of the rest.
    path = rewritten(logs["good"], tmp_path / "copy.eval", "3_epoch_1", data)
    code, out = gate(capsys, path, "--min-final-accuracy", "0.75")
    assert code == 2 and f"of 4 samples: {problem}; left out" in out
    code, out = gate(capsys, path, "--min-final-accuracy", "0.75", "--allow-partial")
    assert code == 0 and "| 1 | >= 0.75 | 3 | pass |" in out


def test_a_superseded_run_is_noted(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = market_log(tmp_path, FLAT, "mockllm/model").location
    code, out = gate(capsys, logs["good"], newer, "--min-final-accuracy", "0.5")
    assert code == 0 and "| 0.5 | >= 0.5 | 4 | pass |" in out
    assert f"note: {logs['good']}: superseded by {newer} (same configuration)" in out
