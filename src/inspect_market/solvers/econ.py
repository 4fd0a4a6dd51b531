"""ECON at inference time (arXiv 2506.08292, ICML 2025): a coordinator's strategy, executors
judging without seeing each other, and the coordinator's final judgment.

An inference-time variant, labelled as such: ECON trains its executors' belief networks with
multi-agent reinforcement learning, which cannot be reproduced without that training. What
runs here is the coordination pattern ECON runs at inference: coordination through a shared
strategy, with no message passing between executors.

Prompts: every judgment (the executors' and the coordinator's final one) uses the set's judge
prompt (`solvers/judge.py`; under `paper` the paper's market-maker prompt), its `{arguments}`
block filled by a block template: `briefing` (the strategy, for an executor) or `final` (the
executors' judgments, for the coordinator). The coordinator's strategy requests are `strategy`
(round 1) and `revision` (later rounds), after a system message. Neither the market-making
paper nor ECON publishes these four in a form that fits, so they are the suite's text in both
prompt sets; each is overridable (`*_template`, placeholders in `solvers/templates.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.model import ChatMessage
from inspect_ai.util import span

from ..params import MAX_LOOP, check_int, check_number
from ..propositions import Proposition
from ..requests import RequestTag
from ..trajectory import Judgment, Turn
from ._calls import argument_text, validate_retries
from .evidence import Evidence, numbered
from .judge import judge_prompt, proposition_values
from .multi_agent_debate import judgment_line
from .protocol import Calls, Final, Params, Play, ProtocolRun, protocol
from .templates import (
    BRIEFING,
    DEFAULT_PROMPTS,
    FINAL,
    REVISION,
    STRATEGY,
    RolePrompt,
    role_prompt,
    unpublished,
)

COORDINATOR_SYSTEM = """\
You coordinate a team of judges on a binary question. Each judge decides alone which of two \
opposite claims is true, guided only by your strategy. Write a short strategy (2 or 3 \
sentences): what to consider, which facts, definitions or distinctions matter and how to weigh \
them. Do NOT state or hint at which claim is true. Reply with the strategy only."""

_QUESTION = """\
{question}

POSITIVE claim: "{positive_claim}"

NEGATIVE claim: "{negative_claim}"

"""
STRATEGY_TEMPLATE = _QUESTION + "Your strategy:"
REVISION_TEMPLATE = (
    _QUESTION
    + """\
Your strategy so far: {strategy}

Your judges disagree. Their judgments under it:
{judgments}

Write a revised strategy that helps them settle the disagreement:"""
)
STRATEGY_EVIDENCE = "Your coordinator's strategy for this question (it gives no answer):"
EXECUTOR_EVIDENCE = "Your judges' judgments, each made alone (they may be right or wrong):"
BRIEFING_TEMPLATE = STRATEGY_EVIDENCE + "\n{strategy}"
FINAL_TEMPLATE = EXECUTOR_EVIDENCE + "\n{judgments}"

STRATEGY_PROMPTS = unpublished(
    RolePrompt("suite", STRATEGY, STRATEGY_TEMPLATE, system=COORDINATOR_SYSTEM)
)
REVISION_PROMPTS = unpublished(
    RolePrompt("suite", REVISION, REVISION_TEMPLATE, system=COORDINATOR_SYSTEM)
)
BRIEFING_PROMPTS = unpublished(RolePrompt("suite", BRIEFING, BRIEFING_TEMPLATE))
FINAL_PROMPTS = unpublished(RolePrompt("suite", FINAL, FINAL_TEMPLATE))
MAX_STRATEGY_SENTENCES = 3
MAX_STRATEGY_CHARS = 600


def econ_prompts(
    prompts: object = DEFAULT_PROMPTS,
    judge_template: str | None = None,
    strategy_template: str | None = None,
    revision_template: str | None = None,
    briefing_template: str | None = None,
    final_template: str | None = None,
) -> dict[str, RolePrompt]:
    """econ's prompt per role (and per block) for these parameters."""
    judge = judge_prompt(prompts, judge_template)
    return {
        "executor": judge,
        "coordinator": judge,
        "strategy": role_prompt(STRATEGY_PROMPTS, prompts, strategy_template),
        "revision": role_prompt(REVISION_PROMPTS, prompts, revision_template),
        "briefing": role_prompt(BRIEFING_PROMPTS, prompts, briefing_template),
        "final": role_prompt(FINAL_PROMPTS, prompts, final_template),
    }


def _calls(params: Params) -> Calls:
    """The earliest stop: the executors agree in round 1."""
    return Calls(params["executors"] + 1, 1)


def _max_calls(params: Params) -> Calls:
    return Calls(params["executors"] * params["rounds"] + 1, params["rounds"])


@protocol(
    roles=lambda params: (
        "coordinator",
        "executor",
        *(f"executor_{n}" for n in range(1, params["executors"] + 1)),
    ),
    helper_roles=("executor",),
    prompts=econ_prompts,
    calls=_calls,
    max_calls=_max_calls,
)
def econ(
    executors: int = 3,
    rounds: int = 3,
    threshold: float = 0.2,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
    strategy_template: str | None = None,
    revision_template: str | None = None,
    briefing_template: str | None = None,
    final_template: str | None = None,
) -> Play:
    """ECON at inference time: a coordinator's strategy, executors judging alone, its judgment.

    Role `coordinator` and `executors` executors.

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
        prompts: prompt set, `suite` or `paper` (judgments get the paper's market-maker
            prompt; the coordinator's strategy and the blocks are the suite's in both).
        judge_template: the judgment request template (executors and the final judgment).
        strategy_template: the coordinator's round-1 strategy request.
        revision_template: the coordinator's strategy request from round 2 on.
        briefing_template: the block showing the strategy to an executor.
        final_template: the block showing the executors' judgments to the coordinator.
        (Each template: a template string or a file holding one.)
    """
    check_int("executors", executors, 1, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    check_number("threshold", threshold, 0, 1)
    validate_retries(max_format_retries)

    async def play(run: ProtocolRun) -> Final:
        proposition, trajectory = run.proposition, run.trajectory
        coordinator = run.model("coordinator")
        members = [(f"executor_{n}", run.member("executor", n)) for n in range(1, executors + 1)]
        prompt = run.prompts["executor"]
        trajectory.stop_reason = "rounds_done"
        judgments: list[Judgment] = []
        strategy = ""
        for round_no in range(1, rounds + 1):
            async with span(f"round {round_no}", type="econ"):
                shown = [judgment_line(proposition, j) for j in judgments]
                asked = run.prompts["revision" if shown else "strategy"]
                messages = strategy_messages(proposition, asked, round_no, rounds, strategy, shown)
                output = await run.generate(coordinator, messages)
                strategy = argument_text(
                    output.completion, MAX_STRATEGY_SENTENCES, MAX_STRATEGY_CHARS
                )
                trajectory.turns.append(
                    Turn(role="coordinator", round=round_no, text=strategy, raw=output.completion)
                )
                briefing = Evidence(
                    (strategy,),
                    block=run.prompts["briefing"],
                    values={"strategy": strategy, "round": str(round_no), "rounds": str(rounds)},
                )
                judgments = await run.judge_together(
                    [
                        (role, run.judge(role, briefing, model=model, prompt=prompt, draw=round_no))
                        for role, model in members
                    ]
                )
            if agree(judgments, threshold):
                trajectory.stop_reason = "converged"
                break
        async with span("final judgment", type="coordinator"):
            executed = Evidence(
                tuple(judgment_line(proposition, j) for j in judgments),
                tuple(j.claim_side for j in judgments),
                block=run.prompts["final"],
                values={"round": str(round_no)},
            )
            final = await run.judge("coordinator", executed, model=coordinator)
        return Final.of(final)

    return play


def agree(judgments: Sequence[Judgment], threshold: float) -> bool:
    """Whether every p was read and they spread by at most `threshold`."""
    ps = [j.p for j in judgments]
    if any(p is None for p in ps):
        return False
    read = [p for p in ps if p is not None]
    return max(read) - min(read) <= threshold


def strategy_messages(
    proposition: Proposition,
    prompt: RolePrompt,
    round_no: int,
    rounds: int,
    strategy: str,
    judged: Sequence[str],
) -> list[ChatMessage]:
    """The coordinator's view: the question, and from round 2 its strategy and the judgments."""
    values = {
        **proposition_values(prompt.prompt_set, proposition),
        "strategy": strategy,
        "judgments": numbered(judged),
        "round": str(round_no),
        "rounds": str(rounds),
    }
    tag = RequestTag.of("argument", proposition, len(judged), round=round_no, role="coordinator")
    return prompt.request(values, tag)
