"""Market making on the embedded GGUF model: llama_cpp.server with 1, 2, 4 connections vs gguf/.

    python benchmarks/bench.py --server          # or: python benchmarks/bench_server.py
    python benchmarks/bench_server.py --limit 2 --connections 1 2 --cache-connections 2

Each run evaluates market making (max_judgments 3, so 3 judgments = 5 calls per sample, T = 0,
max_tokens 120) on the first `--limit` rows of tests/fixtures/truthfulqa_mini.csv and reports
samples per minute of eval wall time. Server runs use `openai-api/llamacpp/...` against a fresh
`python -m llama_cpp.server` (127.0.0.1, n_ctx 4096) per run, with `max_connections` =
`max_samples` = the connection count, then with the server's RAM state cache (`--cache true`)
at `--cache-connections`. The in-process `gguf/` run comes last (max_samples 1; its provider allows
one connection), with the model loaded before the clock starts. Only one model process runs at
a time. Prints the machine, the load average around each run and the final p's per sample (at
T = 0 they should agree across runs).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "truthfulqa_mini.csv"
GGUF_MODEL = "gguf/qwen2.5-coder-1.5b"
SETTINGS: dict[str, Any] = {"temperature": 0, "max_tokens": 120}


@dataclass
class Run:
    """One timed eval and what it did."""

    label: str
    samples: int
    wall: float
    calls: int
    final_ps: list[float | None]
    load: tuple[float, float]
    model_cpu: float
    """CPU seconds of the process running the model (the server, or this one) during the eval."""
    cache_hits: int | None = None

    @property
    def samples_per_minute(self) -> float:
        return self.samples / self.wall * 60


def timed_market_eval(
    label: str,
    model: str,
    limit: int,
    parallel: int,
    log_dir: Path,
    model_cpu: Callable[[], float],
    model_args: dict[str, Any] | None = None,
    base_url: str | None = None,
) -> Run:
    """Market making on `limit` fixture rows with `parallel` samples and connections at once.

    `base_url` is passed to `eval()` as well as being in the environment: Inspect reuses a
    model object made for the same name and arguments, which would still call an earlier
    run's (stopped) server.

    `model_cpu()` reads the CPU seconds of the process that runs the model; unlike wall time,
    their difference does not grow when other jobs share the cores.
    """
    from inspect_ai import eval

    from inspect_market.trajectory import Trajectory

    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), model_cpu()
    [log] = eval(
        "inspect_market/truthfulqa",
        model=model,
        model_args=model_args or {},
        model_base_url=base_url,
        task_args={"data_path": str(FIXTURE), "solver": "market_making", "max_judgments": 3},
        limit=limit,
        max_samples=parallel,
        max_connections=parallel,
        log_dir=str(log_dir),
        display="none",
        **SETTINGS,
    )
    wall, cpu = time.perf_counter() - start, model_cpu() - cpu_start
    if log.status != "success":
        raise RuntimeError(f"{label}: eval failed: {log.error}")
    trajectories = [s.store_as(Trajectory) for s in sorted(log.samples or [], key=lambda s: s.id)]
    return Run(
        label=label,
        samples=len(trajectories),
        wall=wall,
        calls=sum(t.calls for t in trajectories),
        final_ps=[t.final_p for t in trajectories],
        load=(load_before, os.getloadavg()[0]),
        model_cpu=cpu,
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def server_run(model_path: Path, alias: str, limit: int, parallel: int, cache: bool) -> Run:
    """One eval through a fresh llama_cpp.server (stopped afterwards)."""
    from inspect_market.providers.llama_server import llama_server

    label = f"llama_cpp.server, {parallel} conn." + (", --cache true" if cache else "")
    with (
        tempfile.TemporaryDirectory() as tmp,
        llama_server(model_path, alias, cache=cache, verbose=cache) as server,
        environment(server.env),
    ):
        # queued requests wait for the server's lock: no client timeout (600 s) mid-queue
        run = timed_market_eval(
            label,
            server.model,
            limit,
            parallel,
            Path(tmp),
            lambda: process_cpu_seconds(server.pid),
            {"client_timeout": 3600},
            server.base_url,
        )
        if cache:
            run.cache_hits = server.stderr_path.read_text(errors="replace").count("cache hit")
    return run


def in_process_run(limit: int) -> Run:
    """One eval on the in-process gguf provider, model loaded before the clock starts."""
    from inspect_ai.model import get_model

    get_model(GGUF_MODEL)  # loads the process-wide llama.cpp model the eval will reuse
    with tempfile.TemporaryDirectory() as tmp:
        return timed_market_eval(
            f"in-process {GGUF_MODEL}", GGUF_MODEL, limit, 1, Path(tmp), time.process_time
        )


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    """CPU model, usable cores and RAM of this machine."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    cores = len(os.sched_getaffinity(0))
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {cores} usable cores, {ram:.0f} GiB RAM, {platform.platform()}"


COLUMNS = (
    ("run", 38),
    ("wall s", 8),
    ("samples/min", 12),
    ("calls", 6),
    ("s/call", 7),
    ("model CPU s/sample", 19),
    ("load 1m before/after", 21),
    ("final p", 0),
)


def print_header(limit: int) -> None:
    import inspect_ai

    print(
        f"market making, embedded Qwen2.5-Coder-1.5B Q4_K_M, {limit} samples, max_judgments 3, "
        f"T=0, max_tokens 120; inspect-ai {inspect_ai.__version__}, python "
        f"{platform.python_version()}\nmachine: {machine()}"
    )
    print_row([name for name, _ in COLUMNS])


def print_row(cells: list[str]) -> None:
    print("  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)))
    sys.stdout.flush()


def print_run(run: Run) -> None:
    """One result row, printed as soon as the run ends (a long benchmark keeps what it measured)."""
    final_ps = " ".join("-" if p is None else f"{p:g}" for p in run.final_ps)
    hits = "" if run.cache_hits is None else f"  (cache hits: {run.cache_hits})"
    print_row(
        [
            run.label,
            f"{run.wall:.1f}",
            f"{run.samples_per_minute:.2f}",
            str(run.calls),
            f"{run.wall / run.calls:.1f}",
            f"{run.model_cpu / run.samples:.0f}",
            f"{run.load[0]:.1f} / {run.load[1]:.1f}",
            final_ps + hits,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=4, help="samples per run (fixture has 4)")
    parser.add_argument(
        "--connections", type=int, nargs="*", default=[1, 2, 4], help="server runs (may be none)"
    )
    parser.add_argument(
        "--cache-connections", type=int, default=4, help="the --cache true run's count (0: skip)"
    )
    parser.add_argument("--no-in-process", action="store_true", help="skip the gguf/ run")
    args = parser.parse_args(argv)
    # a plain SIGTERM would skip the `finally` that stops the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from inspect_market.providers.model_files import QWEN_CODER_1_5B, embedded_model_path

    path = embedded_model_path(QWEN_CODER_1_5B.alias)
    print_header(args.limit)
    for n in args.connections:
        print_run(server_run(path, QWEN_CODER_1_5B.alias, args.limit, n, cache=False))
    if args.cache_connections:
        print_run(
            server_run(path, QWEN_CODER_1_5B.alias, args.limit, args.cache_connections, cache=True)
        )
    if not args.no_in_process:
        print_run(in_process_run(args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
