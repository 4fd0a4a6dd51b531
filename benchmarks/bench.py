"""Holds inspect_market to the critical-path bound, on the offline `simulated` model.

    python benchmarks/bench.py            # full run (~15 min on 2 cores), prints the table
    python benchmarks/bench.py --quick    # tiny sizes: proves the script works, no timing claims
    python benchmarks/bench.py --server   # embedded GGUF model: llama_cpp.server vs in-process
    python benchmarks/bench.py --overhead 6   # instead: the suite's own overhead, 6 rounds

Every measurement runs in its own child process (clean peak memory, no warm caches shared
between runs). Figures:
- efficiency: market making on the simulated model with fixed latency; the critical-path bound
  is max(longest chain x latency, total calls x latency / connections); efficiency = bound / wall.
  Measured with Inspect's default eval options and "lean" (`--no-log-realtime
  --no-score-display`), beside two floors, plain Inspect tasks making the same number of
  `generate()` calls per sample: one with short one-message prompts, one sending market
  making's own prompts (same messages and lengths) and scored by Inspect's `match()`; and once
  more at a provider-like latency of 1 s. Floor / market time is what market making adds on top
  of Inspect; at 100 connections the eval is CPU-bound on one event loop, so on a shared machine
  read the CPU ratio (process CPU time of each timed eval) before the wall ratio.
- per-call overhead at zero latency: market making vs a plain Inspect `generate()` task making
  the same number of calls per sample; ratio of wall time per call.
- grid overhead: `inspect-market grid` on a 2 tasks x 2 protocols x 1 model grid vs the same
  cells run one by one with `inspect_ai.eval`.
- peak RSS and .eval log size per sample, at three sample counts (linearity check).
- prompt prefix share: per sample, the mean over consecutive market-maker prompts of the share
  of a prompt's tokens that form a prefix of the next one (what prompt caches can reuse).

`--overhead ROUNDS` measures only the suite's own overhead against the **recording floor**:
the same-length floor that also opens one transcript span per market round and writes a
trajectory record of market making's size to the store once per sample (what the viewer and
the scorer need, priced by Inspect). Bare floor, recording floor and market making (500
samples, 50 ms, 100 connections; with `--quick`, 20 samples, 10 ms, 10 connections) run in
ONE process, after a one-sample warm-up eval of each, alternating for ROUNDS rounds (the
order rotates each round); separate processes drift by up to 25 % on a shared VM. It prints
each variant's median wall and CPU seconds and the median per-round ratios of each floor to
market making.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import json
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspect_ai import Task
    from inspect_ai.log import EvalLog
    from inspect_ai.model import ChatMessage, ModelOutput
    from inspect_ai.solver import Solver

    from inspect_market.propositions import Proposition
    from inspect_market.trajectory import TrajectoryData

CONVERGE_AFTER = 3  # every market runs 5 judgments: 9 calls per sample
CALLS_PER_SAMPLE = 2 * (CONVERGE_AFTER + 2) - 1
TARGETS = {"efficiency": 0.90, "floor_ratio": 0.90, "overhead_ratio": 1.15, "prefix_share": 0.80}
_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")
_REASON = "The question's wording and common knowledge point this way."
_ARGUMENT = "Reliable sources on this topic consistently support that {claim}."
_TOPICS = ("history", "biology", "law", "nutrition", "physics", "folklore", "economics", "health")


@dataclass(frozen=True)
class Sizes:
    """Sample counts and settings of one benchmark run."""

    efficiency_samples: int
    latency_ms: float
    connections: int
    realistic_latency_ms: float
    overhead_samples: int
    memory_samples: tuple[int, ...]
    grid_samples: int
    repeat: int
    recording_latency_ms: float
    """Latency of `--overhead` (with efficiency_samples and connections)."""


FULL = Sizes(500, 100.0, 100, 1000.0, 300, (500, 1000, 2000), 100, 3, 50.0)
QUICK = Sizes(20, 10.0, 10, 20.0, 20, (10, 20), 2, 1, 10.0)


def write_truthfulqa_csv(path: Path, n: int) -> None:
    """n synthetic rows in the authors' TruthfulQA.csv format, with distinct questions."""
    columns = [
        "Type",
        "Category",
        "Question",
        "Best Answer",
        "Best Incorrect Answer",
        "Correct Answers",
        "Incorrect Answers",
        "Source",
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i in range(n):
            topic = _TOPICS[i % len(_TOPICS)]
            detail = " and why" * (i % 4)
            question = f"In {topic}, what happens in case {i} of the standard example{detail}?"
            best = f"Nothing in particular happens in case {i}"
            wrong = f"Case {i} always ends in disaster, as many people believe"
            writer.writerow(
                ["Adversarial", topic.title(), question, best, wrong, best, wrong, "synthetic"]
            )


def timed_eval(build: Callable[[int], Task], samples: int, **eval_args: Any) -> dict[str, Any]:
    """Eval `build(samples)` after a one-sample warm-up eval in the same process.

    The warm-up pays the once-per-process costs (Inspect imports its provider SDKs at the first
    sample); its wall time is reported as `cold_start`. `cpu` is the process CPU time of the
    timed eval, steadier than wall time when other processes share the cores. `eval()` returns
    log headers only, so `peak_rss_mb` (read as the timed eval returns) is what the run held,
    not a copy of every sample handed back to the caller.
    """
    cold_start, _, _ = one_eval(build(1), **eval_args)
    wall, cpu, log = one_eval(build(samples), **eval_args)
    return {
        "cold_start": cold_start,
        "wall": wall,
        "cpu": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "log": log.location,
    }


def one_eval(task: Task, **eval_args: Any) -> tuple[float, float, EvalLog]:
    """Wall and process CPU seconds of one eval of `task` (after collecting garbage), and its
    log header; raises unless every sample completed."""
    from inspect_ai import eval

    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    [log] = eval(task, model="simulated/default", display="none", log_header_only=True, **eval_args)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    samples = len(task.dataset)
    if log.status != "success" or log.results is None or log.results.completed_samples != samples:
        raise RuntimeError(f"benchmark eval failed: {log.error}")
    return wall, cpu, log


def run_market(
    workdir: Path,
    samples: int,
    latency_ms: float,
    connections: int,
    lean: bool = False,
    live_metrics: bool = True,
) -> dict[str, Any]:
    """Market making on the simulated model; wall time, calls, chain length, log size.

    `live_metrics=False` turns off only Inspect's running metrics display (`--no-score-display`).
    """
    from inspect_ai.log import read_eval_log

    from inspect_market.trajectory import Trajectory

    result = timed_eval(
        lambda n: market_task(workdir, n),
        samples,
        model_args={"latency_ms": latency_ms, "converge_after": CONVERGE_AFTER},
        max_connections=connections,
        log_dir=str(workdir / "logs"),
        **_options(lean),
        **({} if live_metrics else {"score_display": False}),
    )
    samples_logged = read_eval_log(result["log"]).samples or []
    calls = [s.store_as(Trajectory).calls for s in samples_logged]
    return {
        **result,
        "total_calls": sum(calls),
        "longest_chain": max(calls),
        "log_bytes": Path(result["log"]).stat().st_size,
    }


def market_task(workdir: Path, n: int) -> Task:
    """Market making (the truthfulqa task) on n synthetic TruthfulQA questions."""
    from inspect_market.tasks.truthfulqa import truthfulqa

    data = workdir / f"truthfulqa_{n}.csv"
    write_truthfulqa_csv(data, n)
    return truthfulqa(data_path=str(data))


def run_plain(
    workdir: Path,
    samples: int,
    calls_per_sample: int,
    latency_ms: float,
    connections: int,
    lean: bool = False,
    same_length: bool = False,
) -> dict[str, Any]:
    """A plain Inspect task: each sample is `calls_per_sample` chained `generate()` solvers.

    `same_length`: instead, each sample sends the `calls_per_sample` prompts a market on the
    same synthetic TruthfulQA question sends (`market_prompts`), one `generate()` each.
    """
    from inspect_ai import Task
    from inspect_ai.dataset import Sample
    from inspect_ai.solver import generate

    def build(n: int) -> Task:
        if same_length:
            return same_length_task(workdir, n)
        dataset = [
            Sample(input=f"Question {i}: what happens in case {i}?", id=i + 1) for i in range(n)
        ]
        return Task(dataset=dataset, solver=[generate() for _ in range(calls_per_sample)])

    result = timed_eval(
        build,
        samples,
        model_args={"latency_ms": latency_ms},
        max_connections=connections,
        log_dir=str(workdir / "logs"),
        **_options(lean),
    )
    del result["log"]
    return {**result, "total_calls": samples * calls_per_sample}


def market_prompts(proposition: Proposition) -> list[list[ChatMessage]]:
    """The prompts, in order, of a market that runs CONVERGE_AFTER + 2 judgments.

    Built with the suite's own prompt functions, so each has the same messages (system, worked
    examples, tagged request) and length as market making's; the market maker's replies and the
    trader's arguments are in the simulated model's format.
    """
    from inspect_market.judgment import format_judgment
    from inspect_market.solvers import Evidence
    from inspect_market.solvers.judge import judgment_messages
    from inspect_market.solvers.market_making import MARKET_MAKER_EVIDENCE, trade_messages

    prompts: list[list[ChatMessage]] = []
    arguments: list[str] = []
    for round_no in range(1, CONVERGE_AFTER + 3):
        evidence = Evidence(tuple(arguments), heading=MARKET_MAKER_EVIDENCE)
        prompts.append(judgment_messages(proposition, evidence))
        if len(prompts) == CALLS_PER_SAMPLE:
            break
        reply = format_judgment(_REASON, proposition.positive_claim, 0.8)
        prompts.append(trade_messages(proposition, reply, 0.8, round_no))
        arguments.append(_ARGUMENT.format(claim=proposition.negative_claim))
    return prompts


def same_length_task(workdir: Path, n: int, recording: bool = False) -> Task:
    """The same-length floor: market making's prompts on its dataset, one `generate()` each.

    The prompts are built before the eval; the sample keeps its input and the last reply as
    its messages, as market making does. A plain Inspect task has a scorer, so this one has
    Inspect's simplest, `match()` (the last reply against the target; the score means nothing).

    `recording`: the recording floor, which also records what market making records for the
    viewer and the scorer: a transcript span per market round (a judgment and the trade after
    it) and, once per sample, the trajectory of the replies (`replayed_trajectory`) in the
    store through `save_trajectory`.
    """
    from inspect_ai import Task
    from inspect_ai.scorer import match
    from inspect_ai.solver import Generate, TaskState, solver
    from inspect_ai.util import span

    from inspect_market.propositions import Proposition
    from inspect_market.solvers.market_making import market_making_prompts
    from inspect_market.trajectory import save_trajectory

    dataset = market_task(workdir, n).dataset
    propositions = {
        sample.id: Proposition.from_sample(str(sample.input), sample.metadata or {})
        for sample in dataset
    }
    prompts = {key: market_prompts(proposition) for key, proposition in propositions.items()}
    hashes = {role: prompt.sha256 for role, prompt in market_making_prompts().items()}

    @solver
    def replay_prompts() -> Solver:
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            sample_input = state.messages[:1]
            sent = prompts[state.sample_id]
            outputs = []
            for start in range(0, len(sent), 2):
                name = f"round {start // 2 + 1}"
                async with span(name, type="market") if recording else nullcontext():
                    for prompt in sent[start : start + 2]:
                        state.messages = list(prompt)
                        state = await generate(state)
                        outputs.append(state.output)
            if recording:
                proposition = propositions[state.sample_id]
                save_trajectory(replayed_trajectory(proposition, outputs, hashes))
            state.messages = sample_input + state.messages[-1:]
            return state

        return solve

    return Task(dataset=dataset, solver=replay_prompts(), scorer=match())


def replayed_trajectory(
    proposition: Proposition, outputs: list[ModelOutput], hashes: dict[str, str]
) -> TrajectoryData:
    """The trajectory market making records for these replies (judgment, trade, judgment ...),
    read without its parser: each simulated judgment is `format_judgment`'s three lines."""
    from inspect_market.trajectory import Judgment, TrajectoryData, Turn

    judgments = []
    for output in outputs[::2]:
        reasoning, claim, p = (line.partition(": ")[2] for line in output.completion.splitlines())
        side = int(claim == proposition.positive_claim)
        judgment = Judgment(
            role="market_maker",
            claim=claim,
            claim_side=side,
            reasoning=reasoning,
            p=float(p),
            raw=output.completion,
        )
        judgments.append(judgment)
    turns = [
        Turn(role="trader", round=k, text=output.completion, raw=output.completion)
        for k, output in enumerate(outputs[1::2], start=1)
    ]
    return TrajectoryData(
        protocol="market_making",
        prompts="suite",
        prompt_sha256=hashes,
        judgments=judgments,
        turns=turns,
        final_p=judgments[-1].p,
        final_claim_side=judgments[-1].claim_side,
        stop_reason="converged",
        calls=len(outputs),
        input_tokens=sum(o.usage.input_tokens for o in outputs if o.usage),
        output_tokens=sum(o.usage.output_tokens for o in outputs if o.usage),
        trader_stance="honest",
    )


def _options(lean: bool) -> dict[str, Any]:
    """Eval options: Inspect's defaults, or lean (no realtime event buffer, no live metrics)."""
    return {"log_realtime": False, "score_display": False} if lean else {}


def prefix_share(log_path: str) -> list[float]:
    """Per sample: mean share of each market-maker prompt's tokens that prefix the next prompt."""
    from inspect_ai.log import read_eval_log

    def tokens(messages: list[ChatMessage]) -> list[str]:
        rendered = "".join(f"<|{m.role}|>\n{m.text}<|end|>\n" for m in messages)
        return _TOKEN.findall(rendered)

    shares = []
    for sample in read_eval_log(log_path, resolve_attachments=True).samples or []:
        prompts = [
            tokens(e.input)
            for e in sample.events
            if e.event == "model" and _asks_for_judgment(e.input)
        ]
        pairs = list(itertools.pairwise(prompts))
        if pairs:
            shares.append(statistics.mean(_common_prefix(a, b) / len(a) for a, b in pairs))
    return shares


def _asks_for_judgment(messages: list[Any]) -> bool:
    from inspect_market.requests import request_tag

    tag = request_tag(messages)
    return tag is not None and tag.kind == "judgment"


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def write_csqa2_jsonl(path: Path, n: int) -> None:
    """n synthetic items in the authors' CSQA2 JSON Lines format (id, question, answer)."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            topic = _TOPICS[i % len(_TOPICS)]
            item = {
                "id": f"synthetic{i}",
                "question": f"Case {i} of the standard {topic} example ends well?",
                "answer": "yes" if i % 2 else "no",
            }
            f.write(json.dumps(item) + "\n")


def grid_file(workdir: Path, samples: int, latency_ms: float, connections: int) -> Path:
    """A 2 tasks x 2 protocols x 1 model grid on the simulated model, `samples` per cell."""
    truthfulqa_data, csqa2_data = workdir / "truthfulqa.csv", workdir / "csqa2.jsonl"
    write_truthfulqa_csv(truthfulqa_data, samples)
    write_csqa2_jsonl(csqa2_data, samples)
    config = {
        "tasks": [
            {"name": "truthfulqa", "args": {"data_path": str(truthfulqa_data)}},
            {"name": "csqa2", "args": {"data_path": str(csqa2_data)}},
        ],
        "protocols": ["single_shot", "market_making"],
        "models": [
            {
                "name": "simulated/default",
                "args": {"latency_ms": latency_ms, "converge_after": CONVERGE_AFTER},
            }
        ],
        "log_dir": str(workdir / "grid_logs"),
        "limit": samples,
        "eval_args": {"display": "none", "max_connections": connections},
    }
    path = workdir / "grid.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def run_grid(
    workdir: Path, samples: int, latency_ms: float, connections: int, one_by_one: bool
) -> dict[str, Any]:
    """`inspect-market grid` on `grid_file`, or its cells one by one with `inspect_ai.eval`.

    After a one-sample warm-up eval. The grid's wall time includes the report it writes;
    `report` is the time of writing that report again from the same logs.
    """
    from inspect_ai import eval

    from inspect_market import grid
    from inspect_market.cli import main
    from inspect_market.report.document import write_report
    from inspect_market.report.load import load_logs

    path = grid_file(workdir, samples, latency_ms, connections)
    config = grid.load_config(path)
    cells = grid.cells(config)
    warm_up = workdir / "warm_up"
    eval(cells[0].bind(cells[0].build()), limit=1, log_dir=str(warm_up), display="none")
    start = time.perf_counter()
    if one_by_one:
        for cell in cells:
            [log] = eval(
                cell.bind(cell.build()),
                limit=config.limit,
                log_dir=str(workdir / "cell_logs"),
                display="none",
                max_connections=connections,
                log_header_only=True,
            )
            if log.status != "success":
                raise RuntimeError(f"cell {cell.id} failed: {log.error}")
        return {"wall": time.perf_counter() - start, "cells": len(cells)}
    if main(["grid", str(path)]) != 0:
        raise RuntimeError("inspect-market grid failed")
    wall = time.perf_counter() - start
    start = time.perf_counter()
    write_report(load_logs([config.log_dir]), workdir / "report_again")
    return {"wall": wall, "report": time.perf_counter() - start, "cells": len(cells)}


RECORDING_VARIANTS = {
    "bare": "bare floor (same-length)",
    "recording": "recording floor",
    "market": "market making",
}
"""`--overhead`'s variants, in the order of its first round."""


def run_recording(
    workdir: Path, samples: int, latency_ms: float, connections: int, rounds: int
) -> dict[str, dict[str, list[float]]]:
    """Per variant of RECORDING_VARIANTS, its wall and CPU seconds in each round.

    All in this process: a one-sample warm-up eval of each variant, then `rounds` rounds of
    one eval of each, the order rotated by one each round.
    """
    builds: dict[str, Callable[[int], Task]] = {
        "bare": lambda n: same_length_task(workdir, n),
        "recording": lambda n: same_length_task(workdir, n, recording=True),
        "market": lambda n: market_task(workdir, n),
    }
    options = {
        "model_args": {"latency_ms": latency_ms, "converge_after": CONVERGE_AFTER},
        "max_connections": connections,
        "log_dir": str(workdir / "logs"),
    }
    for build in builds.values():
        one_eval(build(1), **options)
    times: dict[str, dict[str, list[float]]] = {
        name: {"wall": [0.0] * rounds, "cpu": [0.0] * rounds} for name in builds
    }
    names = list(builds)
    for round_no in range(rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            task = builds[name](samples)
            wall, cpu, _ = one_eval(task, **options)
            times[name]["wall"][round_no], times[name]["cpu"][round_no] = wall, cpu
    return times


def recording_rows(sizes: Sizes, rounds: int) -> list[tuple[str, str, str]]:
    """`--overhead`: each variant's median seconds, and each floor / market making per round."""
    times = spawn(
        "recording",
        samples=sizes.efficiency_samples,
        latency_ms=sizes.recording_latency_ms,
        connections=sizes.connections,
        rounds=rounds,
    )
    setting = (
        f"{sizes.efficiency_samples} samples, {sizes.recording_latency_ms:.0f} ms, "
        f"{sizes.connections} conn., {rounds} rounds in one process"
    )
    rows = [(f"suite overhead ({setting})", "", "")]
    for name, label in RECORDING_VARIANTS.items():
        for clock in ("wall", "cpu"):
            rows.append((f"  {clock} (s), {label}", _spread(times[name][clock], "{:.2f}"), ""))
    market = times["market"]
    for floor in ("recording", "bare"):
        for clock in ("cpu", "wall"):
            ratios = [f / m for f, m in zip(times[floor][clock], market[clock], strict=True)]
            held = floor == "recording"
            rows.append(
                (
                    f"{clock} ratio per round, {RECORDING_VARIANTS[floor]} / market making",
                    _spread(ratios, "{:.3f}"),
                    f">= {TARGETS['floor_ratio']}" if held else "",
                )
            )
    return rows


def child(kind: str, params: dict[str, Any]) -> None:
    """Run one measurement in this process and print its result as JSON."""
    want_prefix_share = params.pop("prefix_share", False)
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "market":
            result = run_market(Path(tmp), **params)
            log = result.pop("log")
            if want_prefix_share:
                result["prefix_share"] = prefix_share(log)
        elif kind == "grid":
            result = run_grid(Path(tmp), **params)
        elif kind == "recording":
            result = run_recording(Path(tmp), **params)
        else:
            result = run_plain(Path(tmp), **params)
    print(json.dumps(result))


def spawn(kind: str, **params: Any) -> dict[str, Any]:
    """Run one measurement in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, json.dumps(params)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} {params} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(sizes: Sizes) -> list[tuple[str, str, str]]:
    """Run every measurement and return table rows (figure, measured, target)."""
    rows = []
    market_runs: list[dict[str, Any]] = []
    for lean in (False, True):
        runs = efficiency_runs(sizes, sizes.latency_ms, lean)
        market_runs += runs["market"]
        rows += efficiency_rows(runs, sizes, sizes.latency_ms, lean)
    realistic = {
        "market": [
            spawn(
                "market",
                samples=sizes.efficiency_samples,
                latency_ms=sizes.realistic_latency_ms,
                connections=sizes.connections,
            )
        ]
    }
    rows += efficiency_rows(realistic, sizes, sizes.realistic_latency_ms, False)
    rows.append(
        (
            "  cold start, first 1-sample eval in a process (s)",
            _spread([r["cold_start"] for r in market_runs], "{:.1f}"),
            "",
        )
    )
    shares = market_runs[0]["prefix_share"]
    rows.append(
        (
            f"prefix share, per sample ({len(shares)} samples)",
            f"mean {statistics.mean(shares):.3f}, min {min(shares):.3f}",
            f">= {TARGETS['prefix_share']}",
        )
    )
    return rows + overhead_rows(sizes) + grid_rows(sizes) + memory_rows(sizes)


FLOORS = {"plain": "plain generate() floor", "same": "same-length generate() floor"}
"""The floors: short one-message prompts, and market making's own prompts (`market_prompts`)."""


def efficiency_runs(sizes: Sizes, latency_ms: float, lean: bool) -> dict[str, list[dict[str, Any]]]:
    """Market making and both floors at one latency, `repeat` times each, interleaved."""
    common = {"latency_ms": latency_ms, "connections": sizes.connections, "lean": lean}
    runs: dict[str, list[dict[str, Any]]] = {"market": [], "plain": [], "same": []}
    for i in range(sizes.repeat):
        runs["market"].append(
            spawn("market", samples=sizes.efficiency_samples, prefix_share=i == 0, **common)
        )
        for floor in FLOORS:
            runs[floor].append(
                spawn(
                    "plain",
                    samples=sizes.efficiency_samples,
                    calls_per_sample=CALLS_PER_SAMPLE,
                    same_length=floor == "same",
                    **common,
                )
            )
    return runs


def efficiency_rows(
    runs: dict[str, list[dict[str, Any]]], sizes: Sizes, latency_ms: float, lean: bool
) -> list[tuple[str, str, str]]:
    """Efficiency = critical-path bound / wall time, per protocol run; floor / market walls."""
    latency = latency_ms / 1000
    setting = f"{latency_ms:.0f} ms, {sizes.connections} conn." + (", lean" if lean else "")
    rows = []
    for kind, runs_of_kind in runs.items():
        bounds = [
            max(
                r.get("longest_chain", CALLS_PER_SAMPLE) * latency,
                r["total_calls"] * latency / sizes.connections,
            )
            for r in runs_of_kind
        ]
        label = FLOORS.get(kind, "market making")
        held = kind == "market" and not lean and latency_ms == sizes.latency_ms
        target = f">= {TARGETS['efficiency']}" if held else ""
        efficiencies = [b / r["wall"] for b, r in zip(bounds, runs_of_kind, strict=True)]
        rows.append((f"efficiency, {label} ({setting})", _spread(efficiencies, "{:.3f}"), target))
        rows.append(
            (
                f"  bound / wall (s), {runs_of_kind[0]['total_calls']} calls",
                f"{bounds[0]:.2f} / " + _spread([r["wall"] for r in runs_of_kind], "{:.1f}"),
                "",
            )
        )
    for floor in [f for f in FLOORS if f in runs]:
        held = floor == "same" and not lean
        for clock in ("wall", "cpu"):
            ratios = [f[clock] / m[clock] for f, m in zip(runs[floor], runs["market"], strict=True)]
            rows.append(
                (
                    f"{clock} ratio, {FLOORS[floor]} / market making ({setting})",
                    _spread(ratios, "{:.3f}"),
                    f">= {TARGETS['floor_ratio']}" if held else "",
                )
            )
    return rows


def overhead_rows(sizes: Sizes) -> list[tuple[str, str, str]]:
    """Per-call wall and CPU time at zero latency, market making vs the plain floor."""
    variants: dict[str, tuple[str, dict[str, Any]]] = {
        "market": ("market", {}),
        "market, no live metrics": ("market", {"live_metrics": False}),
        "plain": ("plain", {"calls_per_sample": CALLS_PER_SAMPLE}),
    }
    per_call: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": []} for name in variants
    }
    zero = {"latency_ms": 0.0, "connections": sizes.connections}
    for _ in range(sizes.repeat):
        for name, (kind, extra) in variants.items():
            run = spawn(kind, samples=sizes.overhead_samples, **zero, **extra)
            for clock in ("wall", "cpu"):
                per_call[name][clock].append(run[clock] / run["total_calls"] * 1000)
    rows = []
    for clock in ("wall", "cpu"):
        for name in ("market", "market, no live metrics"):
            ratios = [
                m / p for m, p in zip(per_call[name][clock], per_call["plain"][clock], strict=True)
            ]
            held = clock == "wall" and name == "market"
            rows.append(
                (
                    f"per-call {clock} time ratio, {name} / plain (0 ms latency)",
                    _spread(ratios, "{:.3f}"),
                    f"<= {TARGETS['overhead_ratio']}" if held else "",
                )
            )
        for name in variants:
            rows.append(
                (
                    f"  per-call {clock} time, {name} (ms)",
                    _spread(per_call[name][clock], "{:.2f}"),
                    "",
                )
            )
    return rows


def grid_rows(sizes: Sizes) -> list[tuple[str, str, str]]:
    """`inspect-market grid` vs its cells run one by one, interleaved `repeat` times."""
    common = {
        "samples": sizes.grid_samples,
        "latency_ms": sizes.latency_ms,
        "connections": sizes.connections,
    }
    runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for i in range(sizes.repeat):
        for one_by_one in (i % 2 == 1, i % 2 == 0):
            runs[one_by_one].append(spawn("grid", one_by_one=one_by_one, **common))
    grid_runs, cell_runs = runs[False], runs[True]
    setting = (
        f"{grid_runs[0]['cells']} cells x {sizes.grid_samples} samples, "
        f"{sizes.latency_ms:.0f} ms, {sizes.connections} conn."
    )
    ratios = [g["wall"] / c["wall"] for g, c in zip(grid_runs, cell_runs, strict=True)]
    without_report = [
        (g["wall"] - g["report"]) / c["wall"] for g, c in zip(grid_runs, cell_runs, strict=True)
    ]
    return [
        (
            f"grid wall ratio, inspect-market grid / cells one by one ({setting})",
            _spread(ratios, "{:.3f}"),
            "",
        ),
        ("  same, without the grid's report", _spread(without_report, "{:.3f}"), ""),
        ("  wall (s), inspect-market grid", _spread([r["wall"] for r in grid_runs], "{:.1f}"), ""),
        ("  wall (s), its report", _spread([r["report"] for r in grid_runs], "{:.1f}"), ""),
        (
            "  wall (s), cells one by one (eval)",
            _spread([r["wall"] for r in cell_runs], "{:.1f}"),
            "",
        ),
    ]


def memory_rows(sizes: Sizes) -> list[tuple[str, str, str]]:
    """Peak RSS and log size per sample at several sample counts, and the RSS slope."""
    zero = {"latency_ms": 0.0, "connections": sizes.connections}
    memory = {n: spawn("market", samples=n, **zero) for n in sizes.memory_samples}
    rows = [
        (
            f"peak RSS, log size per sample at {n} samples",
            f"{run['peak_rss_mb']:.0f} MB, {run['log_bytes'] / n / 1024:.1f} KiB",
            "",
        )
        for n, run in memory.items()
    ]
    slopes = [
        (memory[b]["peak_rss_mb"] - memory[a]["peak_rss_mb"]) / (b - a) * 1024
        for a, b in itertools.pairwise(sorted(memory))
    ]
    rows.append(
        (
            "RSS growth per added sample between sizes (KiB)",
            ", ".join(f"{s:.0f}" for s in slopes),
            "linear (steady)",
        )
    )
    return rows


def _spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return (
        f"median {fmt.format(statistics.median(values))} "
        f"[{fmt.format(min(values))}..{fmt.format(max(values))}]"
    )


def print_table(rows: list[tuple[str, str, str]], sizes: Sizes) -> None:
    import inspect_ai

    print(
        f"inspect_market benchmark: python {platform.python_version()}, "
        f"inspect-ai {inspect_ai.__version__}, {platform.machine()}, "
        f"repeat {sizes.repeat}"
    )
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':<{value_width}}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script runs")
    parser.add_argument("--repeat", type=int, help="repeats of the timed runs")
    parser.add_argument(
        "--server",
        action="store_true",
        help="instead: samples/min through llama_cpp.server vs gguf/ (bench_server.py)",
    )
    parser.add_argument(
        "--overhead",
        type=int,
        metavar="ROUNDS",
        help="instead: bare floor, recording floor and market making alternated in one process",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PARAMS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], json.loads(args.child[1]))
        return 0
    if args.server:
        import bench_server  # beside this script; runs the embedded GGUF model

        return bench_server.main([])
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        sizes = Sizes(**{**sizes.__dict__, "repeat": args.repeat})
    if args.overhead is not None:
        if args.overhead < 1:
            parser.error(f"--overhead must be at least 1, got {args.overhead}")
        print_table(recording_rows(sizes, args.overhead), sizes)
        return 0
    print_table(measure(sizes), sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
