"""The `simulated` provider's world agents: what they know, follow and argue, from the tag only."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput

from inspect_market.judgment import parse_judgment
from inspect_market.propositions import Proposition
from inspect_market.providers.simulated import SimulatedModelAPI
from inspect_market.requests import RequestTag, reply_side, reply_sound, tagged_request
from inspect_market.tasks.synthetic import record_to_sample
from inspect_market.world.rules import GUESS_P, KNOWN_P, LEAN_P, truth

N = 2000


def prop(i: int, world_seed: int = 5) -> Proposition:
    sample = record_to_sample({"index": i, "world_seed": world_seed})
    assert sample.metadata is not None
    return Proposition.from_sample(str(sample.input), sample.metadata)


def ask(api: SimulatedModelAPI, kind: str, i: int, **details: Any) -> ModelOutput:
    tag = RequestTag.of(kind, prop(i), **details)  # type: ignore[arg-type]
    messages: list[ChatMessage] = [tagged_request("Whatever the template says.", tag)]
    return asyncio.run(api.generate(messages, [], "none", GenerateConfig()))


def judged(api: SimulatedModelAPI, i: int, **details: Any) -> tuple[int, float]:
    parsed = parse_judgment(ask(api, "judgment", i, **details).completion, prop(i))
    assert parsed.ok and parsed.claim_side is not None and parsed.p is not None
    return parsed.claim_side, parsed.p


def key(i: int) -> str:
    key = prop(i).key
    assert key is not None
    return key


def test_a_knowing_agent_judges_the_truth_confidently_an_unknowing_one_guesses() -> None:
    api = SimulatedModelAPI("m", skill=0.3, seed=2)
    results = [judged(api, i, role="market_maker") for i in range(N)]
    confident = [abs(p - 0.5) == pytest.approx(KNOWN_P - 0.5) for _, p in results]
    assert sum(confident) / N == pytest.approx(0.3, abs=0.03)
    right = [side == truth(key(i)) for i, (side, _) in enumerate(results)]
    assert all(r for r, c in zip(right, confident, strict=True) if c)
    guessed = [r for r, c in zip(right, confident, strict=True) if not c]
    assert sum(guessed) / len(guessed) == pytest.approx(0.5, abs=0.04)
    assert {round(abs(p - 0.5), 6) for _, p in results} == {
        round(KNOWN_P - 0.5, 6),
        round(GUESS_P - 0.5, 6),
    }


def test_an_unknowing_judge_follows_the_majority_at_its_persuadability() -> None:
    api = SimulatedModelAPI("m", skill=0.0, persuadability=0.7, seed=1)
    follows = [judged(api, i, evidence=3, shown_sides=[0, 1, 0]) for i in range(N)]
    lean = [side == 0 and p == pytest.approx(1 - LEAN_P) for side, p in follows]
    assert sum(lean) / N == pytest.approx(0.7, abs=0.03)
    # no majority (a split, or sides unknown): it guesses
    for sides in ([0, 1], [None], []):
        ps = {judged(api, i, evidence=len(sides), shown_sides=sides)[1] for i in range(200)}
        assert ps == {GUESS_P, round(1 - GUESS_P, 6)}


def test_knowledge_is_the_models_not_the_roles_and_guesses_differ_by_role() -> None:
    api = SimulatedModelAPI("m", skill=0.5, seed=3)
    same_agent = [
        judged(api, i, role="agent_1") == judged(api, i, role="agent_2") for i in range(400)
    ]
    knows = [abs(judged(api, i, role="agent_1")[1] - 0.5) > 0.4 for i in range(400)]
    # knowing: identical judgments; guessing: independent coins (agree half the time)
    assert all(s for s, k in zip(same_agent, knows, strict=True) if k)
    unknown = [s for s, k in zip(same_agent, knows, strict=True) if not k]
    assert sum(unknown) / len(unknown) == pytest.approx(0.5, abs=0.1)
    other_seed = SimulatedModelAPI("m", skill=0.5, seed=4)
    both = [k and abs(judged(other_seed, i)[1] - 0.5) > 0.4 for i, k in enumerate(knows)]
    assert sum(both) / len(both) == pytest.approx(0.25, abs=0.06)  # independent agents


@pytest.mark.parametrize(("stance", "lies"), [("honest", False), ("adversarial", True)])
def test_a_knowing_trader_argues_by_its_stance_and_declares_the_side(
    stance: str, lies: bool
) -> None:
    api = SimulatedModelAPI("m", skill=1.0)
    for i in range(100):
        output = ask(api, "argument", i, role="trader", stance=stance, round=1)
        side = reply_side(output)
        assert side == (1 - truth(key(i)) if lies else truth(key(i)))
        assert prop(i).claim(side) in output.completion


def test_a_persuaded_judge_follows_a_sound_argument_over_the_majority() -> None:
    api = SimulatedModelAPI("m", skill=0.0, persuadability=1.0, seed=4)
    for i in range(200):
        shown: dict[str, Any] = {"evidence": 3, "shown_sides": [1, 0, 1]}
        assert judged(api, i, **shown, shown_sound=[False, True, False]) == (
            0,
            round(1 - LEAN_P, 10),
        )
        assert judged(api, i, **shown, shown_sound=[False] * 3) == (1, LEAN_P)


@pytest.mark.parametrize("skill", [1.0, 0.0])
def test_a_debater_argues_its_assigned_side_soundly_only_knowing_it_true(skill: float) -> None:
    """Knowing, a debater told the false side argues it as an adversary would (not soundly)."""
    api = SimulatedModelAPI("m", skill=skill)
    for i in range(100):
        for side in (0, 1):
            output = ask(api, "argument", i, role="debater_b", side=side, evidence=2)
            assert reply_side(output) == side
            assert prop(i).claim(side) in output.completion
            assert reply_sound(output) == (skill == 1.0 and side == truth(key(i)))
    trader = ask(api, "argument", 1, role="trader", stance="contrarian", side=truth(key(1)))
    assert not reply_sound(trader)  # only a debater's argument is ever sound


def test_unknowing_arguers_argue_a_fresh_random_side_each_turn_a_contrarian_as_told() -> None:
    api = SimulatedModelAPI("m", skill=0.0)
    sides = [
        reply_side(ask(api, "argument", i, role="trader", round=r))
        for i in range(300)
        for r in (1, 2)
    ]
    assert sum(s == 1 for s in sides) / len(sides) == pytest.approx(0.5, abs=0.06)
    assert sides[0::2] != sides[1::2]
    told = [
        reply_side(ask(api, "argument", i, role="trader", stance="contrarian", side=i % 2))
        for i in range(50)
    ]
    assert told == [i % 2 for i in range(50)]
    strategy = ask(api, "argument", 1, role="coordinator")
    assert reply_side(strategy) is None


def test_world_replies_ignore_wording_and_call_order_and_follow_the_seed() -> None:
    requests = [
        [tagged_request(f"Judge item {i}.", RequestTag.of("judgment", prop(i), role="judge"))]
        for i in range(60)
    ] + [
        [tagged_request(f"Argue {i}.", RequestTag.of("argument", prop(i), role="trader"))]
        for i in range(60)
    ]

    def replies(seed: int, order: list[int], reword: bool = False) -> dict[int, str]:
        api = SimulatedModelAPI("m", skill=0.4, persuadability=0.5, seed=seed)
        out = {}
        for k in order:
            messages = requests[k]
            if reword:
                messages = [m.model_copy(update={"content": m.text[::-1]}) for m in messages]
            out[k] = asyncio.run(api.generate(messages, [], "none", GenerateConfig())).completion
        return out

    order = list(range(len(requests)))
    first = replies(1, order)
    random.Random(0).shuffle(order)
    assert replies(1, order) == first
    assert replies(1, order, reword=True) == first
    other = replies(2, order)
    assert sum(other[k] != first[k] for k in first) > len(first) // 4


def test_world_fields_change_no_reply_about_a_real_item() -> None:
    """The fields added for world agents are not part of a real item's conversation key."""
    api = SimulatedModelAPI("m", malformed_rate=0.3, seed=6, skill=0.9, persuadability=1.0)
    real = Proposition("Question 1?", "answer A is true", "answer B is true")
    for kind in ("judgment", "argument"):
        plain = RequestTag.of(kind, real, evidence=2)  # type: ignore[arg-type]
        detailed = RequestTag.of(  # type: ignore[arg-type]
            kind,
            real,
            evidence=2,
            role="trader",
            draw=3,
            stance="adversarial",
            side=1,
            shown_sides=[1, 1],
        )
        texts = [
            asyncio.run(api.generate([tagged_request("x", t)], [], "none", GenerateConfig()))
            for t in (plain, detailed)
        ]
        assert texts[0].completion == texts[1].completion
        assert texts[1].message.metadata is None
