"""The benchmark scripts still run end to end (`--quick`: tiny sizes, no assertion on figures)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from inspect_ai import Task, eval
from inspect_ai.event import ModelEvent, SpanBeginEvent
from inspect_ai.log import EvalSample, read_eval_log

from inspect_market.propositions import Proposition
from inspect_market.trajectory import Trajectory

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


OVERHEAD = [
    "suite overhead (20 samples, 10 ms, 10 conn., 2 rounds in one process)",
    "cpu (s), bare floor (same-length)",
    "wall (s), recording floor",
    "cpu (s), market making",
    "cpu ratio per round, recording floor / market making",
    "wall ratio per round, recording floor / market making",
    "cpu ratio per round, bare floor (same-length) / market making",
]


@pytest.mark.parametrize(
    ("command", "figures"),
    [
        (["bench.py", "--quick"], PERFORMANCE),
        (["bench.py", "--quick", "--overhead", "2"], OVERHEAD),
        (["validity.py", "--quick"], VALIDITY),
    ],
)
def test_benchmark_quick_prints_its_figures(command: list[str], figures: list[str]) -> None:
    script, *options = command
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for figure in figures:
        assert figure in done.stdout


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/bench.py, imported."""
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def one_sample(task: Task, log_dir: Path, converge_after: int) -> EvalSample:
    """The one sample of an eval of `task` on the simulated model, attachments resolved."""
    [log] = eval(
        task,
        model="simulated/default",
        model_args={"converge_after": converge_after},
        log_dir=str(log_dir),
        display="none",
    )
    [sample] = read_eval_log(log.location, resolve_attachments=True).samples or []
    return sample


def test_the_same_length_floor_sends_market_makings_prompts(
    tmp_path: Path, bench: ModuleType
) -> None:
    """Per call, the floor's prompt has the market's roles and (within 5 %) its length."""
    sample = one_sample(bench.market_task(tmp_path, 1), tmp_path, bench.CONVERGE_AFTER)
    sent = [e.input for e in sample.events if isinstance(e, ModelEvent)]
    floor = bench.market_prompts(Proposition.from_sample(str(sample.input), sample.metadata))
    assert len(floor) == len(sent) == bench.CALLS_PER_SAMPLE
    for market, ours in zip(sent, floor, strict=True):
        assert [m.role for m in ours] == [m.role for m in market]
        size = sum(len(m.text) for m in market)
        assert abs(sum(len(m.text) for m in ours) - size) <= 0.05 * size


def test_the_recording_floor_records_what_market_making_does(
    tmp_path: Path, bench: ModuleType
) -> None:
    """Its round spans are market making's, and its trajectory in the store (within 5 %)."""

    def recorded(task: Task) -> tuple[list[str], Trajectory]:
        sample = one_sample(task, tmp_path, bench.CONVERGE_AFTER)
        rounds = [e.name for e in sample.events if isinstance(e, SpanBeginEvent)]
        return [r for r in rounds if r.startswith("round")], sample.store_as(Trajectory)

    market_rounds, market = recorded(bench.market_task(tmp_path, 1))
    floor_rounds, floor = recorded(bench.same_length_task(tmp_path, 1, recording=True))
    assert floor_rounds == market_rounds == [f"round {k}" for k in range(1, 6)]
    assert [len(floor.judgments), len(floor.turns)] == [len(market.judgments), len(market.turns)]
    size = len(market.model_dump_json())
    assert abs(len(floor.model_dump_json()) - size) <= 0.05 * size
    bare_rounds, _ = recorded(bench.same_length_task(tmp_path, 1))
    assert bare_rounds == []


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
