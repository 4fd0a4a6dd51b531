"""Multi-agent debate (Du et al. 2023, "society of minds"): agents judge, read each other, re-judge.

Every judgment is asked with the set's judge prompt (`solvers/judge.py`; under `paper` the
paper's market-maker prompt); from round 1 on, its `{arguments}` block is the other agents'
latest judgments, shown through the `peers` block template. The market-making paper publishes
no such block, so the peers block is the suite's text in both prompt sets (override it with
`peers_template`).
"""

from __future__ import annotations

from inspect_ai.util import span

from ..params import MAX_LOOP, check_int
from ..propositions import Proposition
from ..scorers.metrics import vote_baseline_accuracy
from ..trajectory import Judgment
from ._calls import argument_text, validate_retries
from .debate import debater_name
from .evidence import Evidence
from .judge import judge_prompt
from .protocol import Calls, Final, Params, Play, ProtocolRun, protocol
from .self_consistency import aggregate
from .templates import DEFAULT_PROMPTS, PEERS, RolePrompt, role_prompt, unpublished

AGENT_EVIDENCE = "The other agents' judgments in the last round (they may be right or wrong):"
PEERS_TEMPLATE = AGENT_EVIDENCE + "\n{judgments}"
PEERS_PROMPTS = unpublished(RolePrompt("suite", PEERS, PEERS_TEMPLATE))
MAX_REASONING_SENTENCES = 3
MAX_LINE_CHARS = 600


def multi_agent_debate_prompts(
    prompts: object = DEFAULT_PROMPTS,
    judge_template: str | None = None,
    peers_template: str | None = None,
) -> dict[str, RolePrompt]:
    """multi_agent_debate's prompt per role (and for its peers block) for these parameters."""
    return {
        "agent": judge_prompt(prompts, judge_template),
        "peers": role_prompt(PEERS_PROMPTS, prompts, peers_template),
    }


def _agents(params: Params) -> tuple[str, ...]:
    return tuple(f"agent_{n}" for n in range(1, params["agents"] + 1))


@protocol(
    roles=lambda params: ("agent", *_agents(params)),
    helper_roles=lambda params: _agents(params)[1:],
    prompts=multi_agent_debate_prompts,
    calls=lambda params: Calls(params["agents"] * (params["rounds"] + 1), 0),
    metrics=lambda params: [vote_baseline_accuracy()],
)
def multi_agent_debate(
    agents: int = 3,
    rounds: int = 2,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
    peers_template: str | None = None,
) -> Play:
    """Agents judge, then judge again for `rounds` rounds seeing each other (Du et al. 2023).

    Roles `agent_1` ... `agent_N`, each else role `agent`, else the main model.

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
        prompts: prompt set, `suite` or `paper` (agents get the paper's market-maker prompt;
            the peers block is the suite's in both).
        judge_template: the agents' judgment request template, or a file holding it.
        peers_template: the block showing the other agents' judgments, or a file holding it.
    """
    check_int("agents", agents, 2, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    validate_retries(max_format_retries)

    async def play(run: ProtocolRun) -> Final:
        members = [(f"agent_{n}", run.member("agent", n)) for n in range(1, agents + 1)]
        prompt, peers = run.prompts["agent"], run.prompts["peers"]
        latest: list[Judgment] = []
        for round_no in range(rounds + 1):
            async with span(f"round {round_no}", type="debate"):
                shown = [judgment_line(run.proposition, j) for j in latest]
                sides = [j.claim_side for j in latest]
                values = {"round": str(round_no), "rounds": str(rounds)}
                latest = await run.judge_together(
                    [
                        (
                            role,
                            run.judge(
                                role,
                                Evidence(
                                    tuple(shown[:i] + shown[i + 1 :]),
                                    tuple(sides[:i] + sides[i + 1 :]),
                                    block=peers,
                                    values=values,
                                ),
                                model=model,
                                prompt=prompt,
                                draw=round_no,
                            ),
                        )
                        for i, (role, model) in enumerate(members)
                    ]
                )
            if round_no == 0:
                run.trajectory.baseline_votes = [j.claim_side for j in latest]
        run.trajectory.stop_reason = "rounds_done"
        return aggregate(latest)

    return play


def judgment_line(proposition: Proposition, judgment: Judgment) -> str:
    """A judgment as another role is shown it: whose, its claim and p, its reasoning (sanitised)."""
    side = judgment.claim_side
    claim = "neither claim" if side is None else f'"{proposition.claim(side)}"'
    p = "unreadable" if judgment.p is None else f"{judgment.p:g}"
    reasoning = argument_text(
        judgment.reasoning or judgment.raw, MAX_REASONING_SENTENCES, MAX_LINE_CHARS
    )
    return f"{debater_name(judgment.role)} (for {claim}, p = {p}): {reasoning}"
