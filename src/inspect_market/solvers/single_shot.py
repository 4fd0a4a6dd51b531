"""The single-shot baseline: one judgment, the same prompt and parser as market making."""

from __future__ import annotations

from inspect_ai.solver import Generate, Solver, TaskState, solver

from ..propositions import Proposition
from ._calls import role_model, validate_retries
from ._finish import finish, recording
from .judge import judge_prompt, request_judgment
from .templates import DEFAULT_PROMPTS, RolePrompt, note_prompts


@solver
def single_shot(
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
) -> Solver:
    """One judgment by role `market_maker` (defaults to the main model); baseline = final.

    Args:
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
        prompts: prompt set, `suite` or `paper` (the paper's market-maker prompt).
        judge_template: the judgment request template, or a file holding it.
    """
    validate_retries(max_format_retries)
    roles = single_shot_prompts(prompts, judge_template)
    prompt = roles["market_maker"]

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        with recording(single_shot, state) as trajectory:
            note_prompts(trajectory, prompts, roles)
            judgment = await request_judgment(
                role_model("market_maker"),
                proposition,
                trajectory,
                role="market_maker",
                max_format_retries=max_format_retries,
                prompt=prompt,
            )
            trajectory.stop_reason = "single"
            return finish(state, trajectory, judgment.p, judgment.claim_side, judgment.raw)

    return solve


def single_shot_prompts(
    prompts: object = DEFAULT_PROMPTS, judge_template: str | None = None
) -> dict[str, RolePrompt]:
    """single_shot's prompt per role for these parameters."""
    return {"market_maker": judge_prompt(prompts, judge_template)}
