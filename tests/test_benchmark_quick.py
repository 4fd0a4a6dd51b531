"""The benchmark scripts still run end to end (`--quick`: tiny sizes, no assertion on figures)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.event import ModelEvent
from inspect_ai.log import read_eval_log

from inspect_market.propositions import Proposition
from inspect_market.tasks.truthfulqa import truthfulqa

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
BENCH = BENCHMARKS / "bench.py"
PERFORMANCE = [
    "efficiency, market making",
    "efficiency, same-length generate() floor",
    "wall ratio, same-length generate() floor / market making",
    "cpu ratio, same-length generate() floor / market making",
    "grid wall ratio, inspect-market grid / cells one by one",
    "per-call wall time ratio",
    "prefix share",
    "peak RSS",
    "RSS growth",
]
VALIDITY = [
    "## coverage of the report's paired 95% bootstrap CI for net gain",
    "## false-positive rate of exact McNemar at alpha 0.05",
    "## power against n",
    "## planned n",
    "## direct simulation vs eval",
    "| skill 0.6, honest trader 0 | +0.00 | 20% | 200 |",  # a coverage row
    "| skill 0.6, honest trader 0 | 20% |",  # a false-positive row
    "| +10 | 0.",  # a power row
    "| net gain | ",  # the eval check
]


@pytest.mark.parametrize(
    ("script", "figures"), [("bench.py", PERFORMANCE), ("validity.py", VALIDITY)]
)
def test_benchmark_quick_prints_its_figures(script: str, figures: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for figure in figures:
        assert figure in done.stdout


def test_the_same_length_floor_sends_market_makings_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per call, the floor's prompt has the market's roles and (within 5 %) its length."""
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    data = tmp_path / "truthfulqa.csv"
    bench.write_truthfulqa_csv(data, 1)
    [log] = eval(
        truthfulqa(data_path=str(data)),
        model="simulated/default",
        model_args={"converge_after": bench.CONVERGE_AFTER},
        log_dir=str(tmp_path),
        display="none",
    )
    [sample] = read_eval_log(log.location, resolve_attachments=True).samples or []
    sent = [e.input for e in sample.events if isinstance(e, ModelEvent)]
    floor = bench.market_prompts(Proposition.from_sample(str(sample.input), sample.metadata))
    assert len(floor) == len(sent) == bench.CALLS_PER_SAMPLE
    for market, ours in zip(sent, floor, strict=True):
        assert [m.role for m in ours] == [m.role for m in market]
        size = sum(len(m.text) for m in market)
        assert abs(sum(len(m.text) for m in ours) - size) <= 0.05 * size


def eval_check(*options: str) -> str:
    """The eval check's table of `validity.py --quick --only eval` with `options`."""
    command = [sys.executable, str(BENCHMARKS / "validity.py"), "--quick", "--only", "eval"]
    done = subprocess.run([*command, *options], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return "\n".join(line for line in done.stdout.splitlines() if line.startswith("|"))


def test_validity_eval_seeds_in_parallel_give_the_same_runs() -> None:
    serial = eval_check("--eval-seeds", "2")
    assert "| eval, 2 seed(s) (%) |" in serial
    assert serial == eval_check("--eval-seeds", "2", "--eval-jobs", "2")


@pytest.mark.parametrize("option", ["--eval-seeds", "--eval-jobs"])
def test_validity_rejects_fewer_than_one_eval_seed_or_job(option: str) -> None:
    command = [sys.executable, str(BENCHMARKS / "validity.py"), "--quick", option, "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"{option} must be at least 1, got 0" in done.stderr
