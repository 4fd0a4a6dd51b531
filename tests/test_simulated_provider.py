"""The `simulated` provider: roles, determinism, injected behaviours at their rates, usage."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, ModelOutput, get_model

from inspect_market.errors import InspectMarketError
from inspect_market.judgment import is_consistent, parse_judgment
from inspect_market.propositions import Proposition
from inspect_market.providers.simulated import SimulatedModelAPI, SimulatedProviderError
from inspect_market.solvers import Evidence
from inspect_market.solvers.judge import judgment_messages
from inspect_market.solvers.market_making import MARKET_MAKER_EVIDENCE, trade_messages
from inspect_market.trajectory import Trajectory

FIXTURE = Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv"
N = 2000


def prop(i: int) -> Proposition:
    return Proposition(
        question=f"Question {i}: is the sky green?\nAnswer A: yes\nAnswer B: no",
        positive_claim="answer A is the true answer",
        negative_claim="answer B is the true answer",
    )


def call(api: SimulatedModelAPI, messages: list[ChatMessage]) -> ModelOutput:
    return asyncio.run(api.generate(messages, [], "none", GenerateConfig()))


def judge(api: SimulatedModelAPI, i: int, arguments: int = 0) -> ModelOutput:
    args = [f"Argument {k}." for k in range(arguments)]
    return call(
        api, judgment_messages(prop(i), Evidence(tuple(args), heading=MARKET_MAKER_EVIDENCE))
    )


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def test_judgment_requests_get_consistent_judgments_with_a_quoted_claim() -> None:
    api = SimulatedModelAPI("m", converge_after=3)
    for i in range(50):
        for arguments in range(5):
            parsed = parse_judgment(judge(api, i, arguments).completion, prop(i))
            assert parsed.ok
            assert parsed.claim_side is not None
            assert is_consistent(parsed.claim_side, parsed.p)


def test_p_swings_then_settles_at_converge_after() -> None:
    api = SimulatedModelAPI("m", converge_after=4)
    for i in range(20):
        ps = [parse_judgment(judge(api, i, k).completion, prop(i)).p for k in range(7)]
        assert ps[3:] == [ps[3]] * 4
        assert {ps[0], ps[1], ps[2]} == {0.05, 0.95}
        assert ps[2] is not None and ps[3] is not None and abs(ps[2] - ps[3]) >= 0.45


def test_trader_prompts_get_one_argument_sentence() -> None:
    api = SimulatedModelAPI("m")
    judgment_text = judge(api, 1).completion
    text = call(api, trade_messages(prop(1), judgment_text, 0.2, 1)).completion
    assert text.count(".") == 1 and text.endswith(".")
    assert "answer A is the true answer" in text or "answer B is the true answer" in text
    assert not parse_judgment(text, prop(1)).ok


def test_replies_are_determined_by_seed_and_conversation_not_call_order() -> None:
    conversations = [judgment_messages(prop(i)) for i in range(40)]
    conversations += [trade_messages(prop(i), "Claim: x", 0.3, 1) for i in range(40)]
    order = list(range(len(conversations)))
    random.Random(1).shuffle(order)

    def replies(seed: int, indices: list[int]) -> dict[int, str]:
        api = SimulatedModelAPI("m", seed=seed, malformed_rate=0.3)
        return {i: call(api, conversations[i]).completion for i in indices}

    first = replies(7, list(range(len(conversations))))
    assert replies(7, order) == first
    other_seed = replies(8, order)
    assert sum(other_seed[i] != first[i] for i in first) > len(first) // 4


def reworded(messages: list[ChatMessage]) -> list[ChatMessage]:
    """The same request in other words: every text changed, every message's metadata kept."""
    return [m.model_copy(update={"content": f"In other words: {m.text[::-1]}"}) for m in messages]


def test_rewording_a_prompt_does_not_change_the_replies() -> None:
    api = SimulatedModelAPI("m", converge_after=2, malformed_rate=0.3, seed=4)
    requests = [
        judgment_messages(prop(i), Evidence(("A.",) * k, heading=MARKET_MAKER_EVIDENCE))
        for i in range(30)
        for k in range(3)
    ]
    requests += [trade_messages(prop(i), "Claim: x", 0.3, k) for i in range(30) for k in (1, 2)]
    for messages in requests:
        assert call(api, reworded(messages)).completion == call(api, messages).completion


def test_the_request_tag_not_the_wording_decides_what_is_asked() -> None:
    api = SimulatedModelAPI("m")
    # An untagged request that reads like a judgment request gets an argument sentence.
    untagged = [m.model_copy(update={"metadata": None}) for m in judgment_messages(prop(1))]
    assert not parse_judgment(call(api, untagged).completion, prop(1)).ok
    # A tagged request in any words gets a judgment about the tag's claims.
    tagged = [judgment_messages(prop(1))[-1].model_copy(update={"content": "Hello."})]
    assert parse_judgment(call(api, tagged).completion, prop(1)).ok
    assert call(api, [ChatMessageUser(content="Final Prediction?")]).completion.endswith(".")


def test_malformed_judgments_at_configured_rate() -> None:
    api = SimulatedModelAPI("m", malformed_rate=0.2, seed=3)
    failed = [not parse_judgment(judge(api, i).completion, prop(i)).ok for i in range(N)]
    assert share(failed) == pytest.approx(0.2, abs=0.03)


def test_transient_errors_at_configured_rate_and_a_retry_can_succeed() -> None:
    api = SimulatedModelAPI("m", error_rate=0.3, seed=5)
    first_attempt_failed = []
    for i in range(N):
        messages = judgment_messages(prop(i))
        failures = 0
        while True:
            try:
                output = call(api, messages)
                break
            except SimulatedProviderError as ex:
                assert api.should_retry(ex)
                failures += 1
        first_attempt_failed.append(failures > 0)
        assert parse_judgment(output.completion, prop(i)).ok
    assert share(first_attempt_failed) == pytest.approx(0.3, abs=0.03)


def test_every_output_carries_usage() -> None:
    api = SimulatedModelAPI("m")
    for output in [
        judge(api, 1),
        judge(api, 2, 3),
        call(api, trade_messages(prop(1), "x", None, 1)),
    ]:
        assert output.usage is not None
        assert output.usage.input_tokens > 100
        assert output.usage.output_tokens > 0
        assert output.usage.total_tokens == output.usage.input_tokens + output.usage.output_tokens


def test_latency_with_jitter() -> None:
    api = SimulatedModelAPI("m", latency_ms=60, jitter_ms=20)
    start = time.perf_counter()
    judge(api, 1)
    assert time.perf_counter() - start >= 0.04


@pytest.mark.parametrize(
    "args",
    [
        {"latency_ms": -1},
        {"error_rate": 1},
        {"malformed_rate": 1.5},
        {"converge_after": 0},
        {"seed": "x"},
        {"latncy_ms": 5},
    ],
)
def test_bad_model_args_fail_with_one_clear_error(args: dict[str, Any]) -> None:
    with pytest.raises(InspectMarketError):
        SimulatedModelAPI("m", **args)


def test_inspect_retries_injected_errors_through_the_registered_provider() -> None:
    model = get_model("simulated/default", error_rate=0.5, seed=2, memoize=False)
    outputs = [asyncio.run(model.generate(judgment_messages(prop(i)))) for i in range(10)]
    assert all(parse_judgment(o.completion, prop(i)).ok for i, o in enumerate(outputs))


def test_market_making_runs_offline_end_to_end(tmp_path: Path) -> None:
    [log] = eval(
        "inspect_market/truthfulqa",
        model="simulated/default",
        model_args={"converge_after": 2, "malformed_rate": 0.1, "error_rate": 0.1},
        task_args={"data_path": str(FIXTURE)},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples
    for sample in log.samples:
        trajectory = sample.store_as(Trajectory)
        # a rare judgment stays malformed after its re-asks (p None): the market goes on
        assert sum(j.parsed for j in trajectory.judgments) >= 4
        assert trajectory.stop_reason in ("converged", "max_judgments")
