"""Multi-agent debate (Du et al. 2023, "society of minds"): agents judge, read each other, re-judge.

Every judgment is asked with the set's judge prompt (`solvers/judge.py`; under `paper` the
paper's market-maker prompt); from round 1 on, its `{arguments}` block is the other agents'
latest judgments, shown through the `peers` block template. The market-making paper publishes
no such block, so the peers block is the suite's text in both prompt sets (override it with
`peers_template`).
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.model import Model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import span

from ..params import MAX_LOOP, check_int
from ..propositions import Proposition
from ..trajectory import Judgment, TrajectoryData
from ._calls import argument_text, judge_together, member_model, validate_retries
from ._finish import finish, recording
from .debate import debater_name
from .judge import judge_prompt, numbered, request_judgment
from .self_consistency import aggregate, summary
from .templates import DEFAULT_PROMPTS, PEERS, RolePrompt, note_prompts, role_prompt, unpublished

AGENT_EVIDENCE = "The other agents' judgments in the last round (they may be right or wrong):"
PEERS_TEMPLATE = AGENT_EVIDENCE + "\n{judgments}"
PEERS_PROMPTS = unpublished(RolePrompt("suite", PEERS, PEERS_TEMPLATE))
MAX_REASONING_SENTENCES = 3
MAX_LINE_CHARS = 600


@solver
def multi_agent_debate(
    agents: int = 3,
    rounds: int = 2,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    judge_template: str | None = None,
    peers_template: str | None = None,
) -> Solver:
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
        prompts: prompt set, `suite` or `paper` (agents get the paper's market-maker prompt;
            the peers block is the suite's in both).
        judge_template: the agents' judgment request template, or a file holding it.
        peers_template: the block showing the other agents' judgments, or a file holding it.
    """
    check_int("agents", agents, 2, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    validate_retries(max_format_retries)
    roles = multi_agent_debate_prompts(prompts, judge_template, peers_template)
    agent_prompt, peers_prompt = roles["agent"], roles["peers"]

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        members = [(f"agent_{n}", member_model("agent", n)) for n in range(1, agents + 1)]

        async def judge(
            trajectory: TrajectoryData,
            role: str,
            model: Model,
            others: list[str],
            others_sides: list[int | None],
            round_no: int,
        ) -> Judgment:
            return await request_judgment(
                model,
                proposition,
                trajectory,
                role=role,
                max_format_retries=max_format_retries,
                evidence=others,
                prompt=agent_prompt,
                arguments=judgments_block(peers_prompt, others, round=round_no, rounds=rounds),
                shown_sides=others_sides,
                draw=round_no,
            )

        with recording(multi_agent_debate, state) as trajectory:
            note_prompts(trajectory, prompts, roles)
            latest: list[Judgment] = []
            for round_no in range(rounds + 1):
                async with span(f"round {round_no}", type="debate"):
                    shown = [judgment_line(proposition, j) for j in latest]
                    sides = [j.claim_side for j in latest]
                    latest = await judge_together(
                        trajectory,
                        (
                            judge(
                                trajectory,
                                role,
                                model,
                                shown[:i] + shown[i + 1 :],
                                sides[:i] + sides[i + 1 :],
                                round_no,
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


def judgments_block(prompt: RolePrompt, lines: Sequence[str], **values: int) -> str:
    """A block template showing judgment `lines` (numbered) as `{judgments}`; none: nothing."""
    if not lines:
        return ""
    return prompt.block({"judgments": numbered(lines), **{k: str(v) for k, v in values.items()}})


def judgment_line(proposition: Proposition, judgment: Judgment) -> str:
    """A judgment as another role is shown it: whose, its claim and p, its reasoning (sanitised)."""
    side = judgment.claim_side
    claim = "neither claim" if side is None else f'"{proposition.claim(side)}"'
    p = "unreadable" if judgment.p is None else f"{judgment.p:g}"
    reasoning = argument_text(
        judgment.reasoning or judgment.raw, MAX_REASONING_SENTENCES, MAX_LINE_CHARS
    )
    return f"{debater_name(judgment.role)} (for {claim}, p = {p}): {reasoning}"
