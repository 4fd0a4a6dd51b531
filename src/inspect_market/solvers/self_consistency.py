"""Self-consistency: independent sampled judgments averaged, a compute-matched baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence

from inspect_ai.model import GenerateConfig
from inspect_ai.solver import Generate, Solver, TaskState, solver

from ..params import MAX_LOOP, check_int, check_number
from ..propositions import Proposition
from ..trajectory import Judgment, majority_side
from ._calls import judge_together, role_model, validate_retries
from ._finish import finish, recording
from .judge import request_judgment
from .single_shot import single_shot_prompts
from .templates import DEFAULT_PROMPTS, note_prompts


@solver
def self_consistency(
    samples: int = 5,
    temperature: float = 0.7,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
) -> Solver:
    """`samples` independent judgments by role `market_maker` (defaults to the main model).

    Baseline = the first judgment; final p = the mean p of the parsed judgments (None if none
    parsed); final claim = the majority of the claims that matched a side (None on a tie).

    The default of 5 samples costs 5 calls, what market making costs when it stops at the
    earliest possible point (3 judgments and 2 trades, 2J - 1 calls), the usual outcome at the
    paper's threshold 0.2. For an exact match set `samples` to the `mean_calls` of the market
    making run being compared; tokens differ anyway (every call here is a full judgment, while
    trades are short), so compare `mean_tokens` too.

    Args:
        samples: independent judgments per sample (k); calls are k plus format retries.
        temperature: sampling temperature, above zero so the judgments can differ.
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
        prompts: prompt set, `suite` or `paper` (the paper's market-maker prompt).
        judge_template: the judgment request template, or a file holding it.
    """
    check_int("samples", samples, 1, MAX_LOOP)
    check_number("temperature", temperature, 0, None, min_open=True)
    validate_retries(max_format_retries)
    roles = single_shot_prompts(prompts, judge_template)
    prompt = roles["market_maker"]
    config = GenerateConfig(temperature=temperature)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        market_maker = role_model("market_maker")
        with recording(self_consistency, state) as trajectory:
            note_prompts(trajectory, prompts, roles)
            judgments = await judge_together(
                trajectory,
                (
                    request_judgment(
                        market_maker,
                        proposition,
                        trajectory,
                        role="market_maker",
                        max_format_retries=max_format_retries,
                        prompt=prompt,
                        config=config,
                        draw=draw,
                    )
                    for draw in range(samples)
                ),
            )
            trajectory.stop_reason = "samples_done"
            final_p, final_side = aggregate(judgments)
            return finish(state, trajectory, final_p, final_side, summary(judgments, final_p))

    return solve


def aggregate(judgments: Sequence[Judgment]) -> tuple[float | None, int | None]:
    """Mean p of the parsed judgments and the majority claim side (None when none or a tie)."""
    ps = [j.p for j in judgments if j.p is not None]
    mean_p = math.fsum(ps) / len(ps) if ps else None
    return mean_p, majority_side(j.claim_side for j in judgments)


def summary(judgments: Sequence[Judgment], final_p: float | None) -> str:
    """The final reply shown for an aggregate of judgments."""
    shown = "none" if final_p is None else f"{final_p:.4g}"
    parsed = sum(j.parsed for j in judgments)
    return f"Mean p of {parsed} parsed judgment(s) of {len(judgments)}: {shown}"
