"""ECON at inference time (arXiv 2506.08292, ICML 2025): a coordinator's strategy, executors
judging without seeing each other, and the coordinator's final judgment.

An inference-time variant, labelled as such: ECON trains its executors' belief networks with
multi-agent reinforcement learning, which cannot be reproduced without that training. What
runs here is the coordination pattern ECON runs at inference: coordination through a shared
strategy, with no message passing between executors. The coordinator's strategy prompt lives
here; every judgment uses the judge prompt every protocol shares (`solvers/judge.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.model import ChatMessage, ChatMessageSystem
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import span

from ..params import MAX_LOOP, check_int, check_number
from ..propositions import Proposition
from ..requests import RequestTag, tagged_request
from ..trajectory import Judgment, Turn
from ._calls import (
    argument_text,
    counted_generate,
    judge_together,
    member_model,
    role_model,
    validate_retries,
)
from ._finish import finish, recording
from .judge import request_judgment
from .multi_agent_debate import judgment_line

COORDINATOR_SYSTEM = """\
You coordinate a team of judges on a binary question. Each judge decides alone which of two \
opposite claims is true, guided only by your strategy. Write a short strategy (2 or 3 \
sentences): what to consider, which facts, definitions or distinctions matter and how to weigh \
them. Do NOT state or hint at which claim is true. Reply with the strategy only."""

STRATEGY_EVIDENCE = "Your coordinator's strategy for this question (it gives no answer):"
EXECUTOR_EVIDENCE = "Your judges' judgments, each made alone (they may be right or wrong):"
MAX_STRATEGY_SENTENCES = 3
MAX_STRATEGY_CHARS = 600


@solver
def econ(
    executors: int = 3, rounds: int = 3, threshold: float = 0.2, max_format_retries: int = 2
) -> Solver:
    """ECON's inference-time coordination: role `coordinator` and `executors` executors.

    Executors are roles `executor_1` ... `executor_N`, each else role `executor`; every role
    defaults to the main model. Each round the coordinator writes a strategy for the question
    (no answer) and every executor judges alone from the question and the strategy only: no
    executor sees another's judgment. When the executors' p's spread by more than `threshold`
    (or one cannot be read) and rounds remain, the next round's strategy is revised from their
    judgments; otherwise the coordinator writes the final judgment from the last round's
    executor judgments. Baseline = executor 1's first judgment; final = the coordinator's.
    This is an inference-time variant: ECON's trained belief networks are not reproduced.
    Calls per sample: (1 + executors) per round + 1, plus format retries.

    Args:
        executors: number of executors (N).
        rounds: most strategy rounds (ECON's max_iterations_infer).
        threshold: largest spread of the executors' p's that stops the rounds.
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
    """
    check_int("executors", executors, 1, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    check_number("threshold", threshold, 0, 1)
    validate_retries(max_format_retries)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        coordinator = role_model("coordinator")
        members = [(f"executor_{n}", member_model("executor", n)) for n in range(1, executors + 1)]
        with recording(econ, state) as trajectory:
            trajectory.stop_reason = "rounds_done"
            shown: list[str] = []
            shown_sides: list[int | None] = []
            strategy = ""
            for round_no in range(1, rounds + 1):
                async with span(f"round {round_no}", type="econ"):
                    messages = strategy_messages(proposition, round_no, strategy, shown)
                    output = await counted_generate(coordinator, messages, trajectory)
                    strategy = argument_text(
                        output.completion, MAX_STRATEGY_SENTENCES, MAX_STRATEGY_CHARS
                    )
                    trajectory.turns.append(
                        Turn(
                            role="coordinator",
                            round=round_no,
                            text=strategy,
                            raw=output.completion,
                        )
                    )
                    judgments = await judge_together(
                        trajectory,
                        (
                            request_judgment(
                                model,
                                proposition,
                                trajectory,
                                role=role,
                                max_format_retries=max_format_retries,
                                evidence_heading=STRATEGY_EVIDENCE,
                                evidence=[strategy],
                                shown_sides=[None],
                                draw=round_no,
                            )
                            for role, model in members
                        ),
                    )
                    shown = [judgment_line(proposition, j) for j in judgments]
                    shown_sides = [j.claim_side for j in judgments]
                if agree(judgments, threshold):
                    trajectory.stop_reason = "converged"
                    break
            async with span("final judgment", type="coordinator"):
                final = await request_judgment(
                    coordinator,
                    proposition,
                    trajectory,
                    role="coordinator",
                    max_format_retries=max_format_retries,
                    evidence_heading=EXECUTOR_EVIDENCE,
                    evidence=shown,
                    shown_sides=shown_sides,
                )
            return finish(state, trajectory, final.p, final.claim_side, final.raw)

    return solve


def agree(judgments: Sequence[Judgment], threshold: float) -> bool:
    """Whether every p was read and they spread by at most `threshold`."""
    ps = [j.p for j in judgments]
    if any(p is None for p in ps):
        return False
    read = [p for p in ps if p is not None]
    return max(read) - min(read) <= threshold


def strategy_messages(
    proposition: Proposition, round_no: int, strategy: str, judged: Sequence[str]
) -> list[ChatMessage]:
    """The coordinator's view: the question, and from round 2 its strategy and the judgments."""
    parts = [
        proposition.question,
        f'POSITIVE claim: "{proposition.positive_claim}"',
        f'NEGATIVE claim: "{proposition.negative_claim}"',
    ]
    if judged:
        parts += [
            f"Your strategy so far: {strategy}",
            "Your judges disagree. Their judgments under it:\n" + "\n".join(judged),
            "Write a revised strategy that helps them settle the disagreement:",
        ]
    else:
        parts.append("Your strategy:")
    tag = RequestTag.of("argument", proposition, len(judged), round=round_no, role="coordinator")
    return [ChatMessageSystem(content=COORDINATOR_SYSTEM), tagged_request("\n\n".join(parts), tag)]
