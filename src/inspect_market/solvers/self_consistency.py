"""Self-consistency: independent sampled judgments averaged, a compute-matched baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence

from inspect_ai.model import GenerateConfig

from ..judgment import format_probs
from ..params import MAX_LOOP, check_int, check_number
from ..trajectory import Judgment, majority_side
from ._calls import validate_retries
from .protocol import Calls, Final, Play, ProtocolRun, protocol
from .single_shot import single_shot_prompts
from .templates import DEFAULT_PROMPTS


@protocol(
    roles=("market_maker",),
    helper_roles=(),
    prompts=single_shot_prompts,
    calls=lambda params: Calls(params["samples"], 0),
    multi_outcome=True,
)
def self_consistency(
    samples: int = 5,
    temperature: float = 0.7,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
) -> Play:
    """`samples` independent judgments at `temperature`, averaged: a compute-matched baseline.

    Role `market_maker` (defaults to the main model).

    Baseline = the first judgment; final p = the mean p of the parsed judgments (None if none
    parsed; on K options the mean probability of each option); final claim = the majority
    of the claims that matched a side or option (None on a tie).

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
    config = GenerateConfig(temperature=temperature)

    async def play(run: ProtocolRun) -> Final:
        judgments = await run.judge_together(
            [
                (f"sample {draw + 1}", run.judge("market_maker", config=config, draw=draw))
                for draw in range(samples)
            ]
        )
        run.trajectory.stop_reason = "samples_done"
        return aggregate(judgments)

    return play


def aggregate(judgments: Sequence[Judgment]) -> Final:
    """Mean p of the parsed judgments (None when none parsed; on K options the mean of each
    option's probability) and the majority claim (None on a tie), shown as a line that says
    what was averaged."""
    claim = majority_side(j.claim_side for j in judgments)
    vectors = [j.probs for j in judgments if j.probs is not None]
    if vectors:
        means = [math.fsum(column) / len(vectors) for column in zip(*vectors, strict=True)]
        text = f"Mean probabilities of {len(vectors)} parsed judgment(s) of {len(judgments)}: "
        return Final(None, claim, text + format_probs(means), means)
    ps = [j.p for j in judgments if j.p is not None]
    mean_p = math.fsum(ps) / len(ps) if ps else None
    shown = "none" if mean_p is None else f"{mean_p:.4g}"
    text = f"Mean p of {len(ps)} parsed judgment(s) of {len(judgments)}: {shown}"
    return Final(mean_p, claim, text)
