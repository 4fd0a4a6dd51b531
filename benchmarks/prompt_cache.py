"""Seconds per sample on the embedded GGUF model, with and without saved prompt states.

    python benchmarks/prompt_cache.py --data-path ../shared/data/truthfulqa/TruthfulQA.csv
    python benchmarks/prompt_cache.py --data-path ... --limit 5 --cache-mb 0,1024

Each setting of the gguf model arg `prompt_cache_mb` (0: off) runs the same eval (T = 0,
`--max-samples 1`) in a fresh process and reports: wall time per sample and per judgment, the
prompt tokens llama.cpp evaluated and the tokens it generated (its own perf counters, which do
not depend on machine load, unlike the times), peak RSS, and whether every reply is the same as
in the first setting. Needs the `local` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from typing import Any

MODEL = "gguf/qwen2.5-coder-1.5b"


def run_one(args: argparse.Namespace, cache_mb: int) -> dict[str, Any]:
    """Run the eval in this process; the figures as a dict."""
    import llama_cpp
    from inspect_ai import eval

    from inspect_market.providers import gguf
    from inspect_market.trajectory import Trajectory

    start = time.perf_counter()
    [log] = eval(
        f"inspect_market/{args.task}",
        model=MODEL,
        model_args={"prompt_cache_mb": cache_mb},
        task_args={"data_path": args.data_path, "solver": args.solver},
        limit=args.limit,
        max_samples=1,
        temperature=0,
        max_tokens=args.max_tokens,
        log_dir=args.log_dir,
        display="none",
    )
    wall = time.perf_counter() - start
    [loaded] = gguf._LOADED.values()
    perf = llama_cpp.llama_perf_context(loaded.llm._ctx.ctx)
    samples = log.samples or []
    trajectories = [sample.store_as(Trajectory) for sample in samples]
    replies = [
        event.output.completion
        for sample in samples
        for event in sample.events
        if event.event == "model" and event.output is not None
    ]
    return {
        "cache_mb": cache_mb,
        "status": log.status,
        "samples": len(samples),
        "judgments": sum(len(t.judgments) for t in trajectories),
        "calls": sum(t.calls for t in trajectories),
        "wall_s": wall,
        "prompt_tokens_evaluated": perf.n_p_eval,
        "prompt_eval_s": perf.t_p_eval_ms / 1000,
        "tokens_generated": perf.n_eval,
        "generate_s": perf.t_eval_ms / 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "replies": replies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-path", required=True, help="TruthfulQA.csv (or the task's file)")
    parser.add_argument("--task", default="truthfulqa")
    parser.add_argument("--solver", default="market_making")
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=150)
    parser.add_argument("--cache-mb", default="0,1024", help="comma-separated settings")
    parser.add_argument("--log-dir", default="logs/prompt_cache")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args, args.child)))
        return
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    results = []
    for cache_mb in [int(x) for x in args.cache_mb.split(",")]:
        child = [*sys.argv[1:], "--child", str(cache_mb)]
        out = subprocess.run(
            [sys.executable, __file__, *child], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first = results[0]
    print(
        f"{'cache_mb':>8} {'status':>8} {'samples':>7} {'judg.':>5} {'calls':>5} {'s/sample':>8} "
        f"{'s/judg.':>7} {'prompt tok eval':>15} {'prompt s':>8} {'gen tok':>7} {'gen s':>6} "
        f"{'peak MB':>7} {'same replies':>12}"
    )
    for r in results:
        same = r["replies"] == first["replies"]
        print(
            f"{r['cache_mb']:8d} {r['status']:>8} {r['samples']:7d} {r['judgments']:5d} "
            f"{r['calls']:5d} {r['wall_s'] / r['samples']:8.1f} "
            f"{r['wall_s'] / r['judgments']:7.1f} "
            f"{r['prompt_tokens_evaluated']:15d} {r['prompt_eval_s']:8.1f} "
            f"{r['tokens_generated']:7d} {r['generate_s']:6.1f} {r['peak_rss_mb']:7.0f} "
            f"{'yes' if same else 'NO'!s:>12}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
