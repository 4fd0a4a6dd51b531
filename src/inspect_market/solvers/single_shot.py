"""The single-shot baseline: one judgment, the same prompt and parser as market making."""

from __future__ import annotations

from ._calls import validate_retries
from .judge import judge_prompt
from .protocol import Calls, Final, Play, ProtocolRun, protocol
from .templates import DEFAULT_PROMPTS, RolePrompt


def single_shot_prompts(
    prompts: object = DEFAULT_PROMPTS, judge_template: str | None = None
) -> dict[str, RolePrompt]:
    """single_shot's prompt per role for these parameters."""
    return {"market_maker": judge_prompt(prompts, judge_template)}


@protocol(
    roles=("market_maker",),
    helper_roles=(),
    prompts=single_shot_prompts,
    calls=lambda params: Calls(1, 0),
    multi_outcome=True,
)
def single_shot(
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
) -> Play:
    """One judgment, the baseline itself: baseline = final.

    Role `market_maker` (defaults to the main model).

    Args:
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
        prompts: prompt set, `suite` or `paper` (the paper's market-maker prompt).
        judge_template: the judgment request template, or a file holding it.
    """
    validate_retries(max_format_retries)

    async def play(run: ProtocolRun) -> Final:
        judgment = await run.judge("market_maker")
        run.trajectory.stop_reason = "single"
        return Final.of(judgment)

    return play
