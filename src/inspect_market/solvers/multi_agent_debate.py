"""Multi-agent debate (Du et al. 2023, "society of minds"): agents judge, read each other, re-judge.

Every judgment is asked with the judge prompt every protocol shares (`solvers/judge.py`); from
round 1 on, an agent's evidence is the other agents' latest judgments.
"""

from __future__ import annotations

from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import span

from ..params import MAX_LOOP, check_int
from ..propositions import Proposition
from ..trajectory import Judgment
from ._calls import argument_text, judge_together, member_model, validate_retries
from ._finish import finish, recording
from .debate import debater_name
from .judge import request_judgment
from .self_consistency import aggregate, summary

AGENT_EVIDENCE = "The other agents' judgments in the last round (they may be right or wrong):"
MAX_REASONING_SENTENCES = 3
MAX_LINE_CHARS = 600


@solver
def multi_agent_debate(agents: int = 3, rounds: int = 2, max_format_retries: int = 2) -> Solver:
    """`agents` agents (roles `agent_1` ... `agent_N`, each else role `agent`, else the main model).

    Round 0: every agent judges alone. Then, for `rounds` rounds, every agent judges again
    seeing the other agents' latest judgments (claim, p, reasoning), all agents of a round at
    once. Baseline = agent 1's round-0 judgment; final p = the mean p of the last round's parsed
    judgments, final claim = their majority (None on a tie). The round-0 majority is recorded as
    a second baseline (`vote_baseline_accuracy`: "Debate or Vote", Choi et al. 2025). Calls per
    sample: agents * (rounds + 1) plus format retries.

    Args:
        agents: number of agents (N, at least 2).
        rounds: debate rounds after round 0.
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
    """
    check_int("agents", agents, 2, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    validate_retries(max_format_retries)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        members = [(f"agent_{n}", member_model("agent", n)) for n in range(1, agents + 1)]
        with recording(multi_agent_debate, state) as trajectory:
            latest: list[Judgment] = []
            for round_no in range(rounds + 1):
                async with span(f"round {round_no}", type="debate"):
                    shown = [judgment_line(proposition, j) for j in latest]
                    sides = [j.claim_side for j in latest]
                    latest = await judge_together(
                        trajectory,
                        (
                            request_judgment(
                                model,
                                proposition,
                                trajectory,
                                role=role,
                                max_format_retries=max_format_retries,
                                evidence_heading=AGENT_EVIDENCE,
                                evidence=shown[:i] + shown[i + 1 :],
                                shown_sides=sides[:i] + sides[i + 1 :],
                                draw=round_no,
                            )
                            for i, (role, model) in enumerate(members)
                        ),
                    )
                if round_no == 0:
                    trajectory.baseline_votes = [j.claim_side for j in latest]
            trajectory.stop_reason = "rounds_done"
            final_p, final_side = aggregate(latest)
            return finish(state, trajectory, final_p, final_side, summary(latest, final_p))

    return solve


def judgment_line(proposition: Proposition, judgment: Judgment) -> str:
    """A judgment as another role is shown it: whose, its claim and p, its reasoning (sanitised)."""
    side = judgment.claim_side
    claim = "neither claim" if side is None else f'"{proposition.claim(side)}"'
    p = "unreadable" if judgment.p is None else f"{judgment.p:g}"
    reasoning = argument_text(
        judgment.reasoning or judgment.raw, MAX_REASONING_SENTENCES, MAX_LINE_CHARS
    )
    return f"{debater_name(judgment.role)} (for {claim}, p = {p}): {reasoning}"
