"""Debate: a judge decides between two debaters assigned the two opposite claims."""

from __future__ import annotations

from inspect_ai.model import Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import collect, span

from ..debate_prompts import DEBATE_EVIDENCE, debate_lines, debater_messages
from ..params import check_int
from ..prompts import judgment_messages
from ..propositions import Proposition
from ..trajectory import Judgment, TrajectoryData, Turn
from ._calls import (
    counted_generate,
    leading_sentences,
    request_judgment,
    validate_retries,
)
from ._finish import finish, recording

# Debater role -> the side it argues (1 = positive claim, 0 = negative claim).
SIDES = {"debater_a": 1, "debater_b": 0}
MAX_TURN_SENTENCES = 3
MAX_TURN_CHARS = 1500


@solver
def debate(rounds: int = 3, max_format_retries: int = 2) -> Solver:
    """Debate between roles `debater_a` and `debater_b`, judged by role `judge`.

    All roles default to the main model. The judge first judges alone (the baseline); then
    debater_a argues for the positive claim and debater_b for the negative one, for `rounds`
    rounds, both turns of a round written concurrently and each seeing all earlier rounds; then
    the judge judges again with the whole debate as evidence (the final judgment). Judgments
    use the market maker's prompt and parser. Calls per sample: 2 + 2 * rounds plus format
    retries.

    Args:
        rounds: debate rounds (each one turn per debater).
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
    """
    check_int("rounds", rounds, 1)
    validate_retries(max_format_retries)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        judge = get_model(role="judge")
        debaters = {role: get_model(role=role) for role in SIDES}

        async def judgment(trajectory: TrajectoryData, evidence: list[str]) -> Judgment:
            return await request_judgment(
                judge,
                judgment_messages(proposition, DEBATE_EVIDENCE, evidence),
                proposition,
                trajectory,
                role="judge",
                max_format_retries=max_format_retries,
            )

        async def turn(
            trajectory: TrajectoryData, role: str, model: Model, round_no: int, lines: list[str]
        ) -> Turn:
            messages = debater_messages(proposition, role, SIDES[role], lines, round_no, rounds)
            output = await counted_generate(model, messages, trajectory)
            text = leading_sentences(output.completion, MAX_TURN_SENTENCES, MAX_TURN_CHARS)
            return Turn(role=role, round=round_no, text=text, raw=output.completion)

        with recording("debate") as trajectory:
            async with span("baseline", type="judgment"):
                await judgment(trajectory, [])
            for round_no in range(1, rounds + 1):
                async with span(f"round {round_no}", type="round"):
                    lines = debate_lines(proposition, trajectory.turns, SIDES)
                    trajectory.turns.extend(
                        await collect(
                            *(
                                turn(trajectory, role, model, round_no, lines)
                                for role, model in debaters.items()
                            )
                        )
                    )
            async with span("final", type="judgment"):
                final = await judgment(
                    trajectory, debate_lines(proposition, trajectory.turns, SIDES)
                )
            trajectory.stop_reason = "rounds_done"
            return finish(state, trajectory, final.p, final.claim_side, final.raw)

    return solve
