"""The `simulated` provider: an offline, seeded model that plays every protocol role.

It reads what a request asks for from the `RequestTag` every protocol sets on it on purpose
(`inspect_market.requests`), never from the prompt's wording, so rewording a prompt changes no
reply. A judgment request gets a reply in the judgment format, its claim one of the tag's two
claims and consistent with p (a prediction-market trader's also a Trade line: the shares that
move the price to its p, cut to what its cash buys); any other request gets one argument
sentence (for an untagged request, about a generic claim). A request about an item of the
simulated world (the `synthetic` task) is answered by a world agent of the given skill and
persuadability (`providers/world_agent.py`): its judgments and argued sides follow the world's
rules, and an argument's reply declares the side it supports and whether it is sound. A
K-outcome request (tag `options` = K) gets a probability per option
(`world.rules.option_probs`), its claim the option's letter (`Answer B`), and an argument for
an option declares the option.

Every random choice is a hash of (seed, conversation text, purpose), never global state, so
replies do not depend on the order in which concurrent samples call the model. Injected errors
also hash the attempt number of that exact conversation on this instance, so a retry of a
failed call can succeed.

Model args (`-M`):
    latency_ms: mean delay of a call. jitter_ms: delays are uniform in latency_ms ± jitter_ms.
    converge_after: p settles from judgment k = converge_after on (k counts the arguments
        the request shows, plus one); earlier p's swing between 0.05 and 0.95, so with
        the default stop rule (window 3, threshold < 0.45) a market ends after
        converge_after + 2 judgments.
    malformed_rate: share of judgment replies without a readable Final Prediction.
    error_rate: share of calls raising SimulatedProviderError, which Inspect retries.
    retry_wait_ms: Inspect's wait before retrying such an error (default 0).
    seed: changes every choice above.
    skill: world items only: probability that the agent knows an item's truth (default 0).
    persuadability: world items only: probability that, not knowing, it follows the side most
        of the arguments it is shown support (default 0).
Bind another agent to a role with its own args:
`--model-role 'trader={model: simulated/default, model_args: {skill: 0.9, seed: 1}}'`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from typing import Any

import anyio
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo
from tenacity import wait_fixed
from tenacity.wait import wait_base

from ..errors import InspectMarketError
from ..judgment import format_judgment
from ..lmsr import Market, Outcome, Quote
from ..params import check_int, check_number
from ..propositions import LETTERS
from ..requests import MarketView, RequestTag, request_tag, side_metadata
from ..world.rules import option_probs, side_p
from .world_agent import WorldAgent

logger = logging.getLogger(__name__)
REAL_DATA_WARNING = (
    "simulated/{name} is answering questions of a real dataset: its agents know nothing about "
    "them (skill and persuadability apply to the synthetic task's items only), so every "
    "protocol's numbers here measure the simulation's rules, not the task"
)

SETTLED_PS = (0.05, 0.2, 0.35, 0.65, 0.8, 0.95)
_SWING_LOW, _SWING_HIGH = 0.05, 0.95
_FALLBACK_CLAIMS = ("the claim is false", "the claim is true")
"""By outcome: negative, positive."""
_REASONS = (
    "The question's wording and common knowledge point this way.",
    "The stronger answer fits the facts better, though not beyond doubt.",
    "Weighing the arguments so far, this side is better supported.",
)
_ARGUMENTS = (
    "Reliable sources on this topic consistently support that {claim}.",
    "A careful reading of the question shows that {claim}.",
    "Experts who have studied this question agree that {claim}.",
)
_MALFORMED = "Reasoning: {reason}\nClaim: {claim}\nI would rather not put a number on it."
_STRATEGY = "Weigh what each claim implies and which facts would settle the question."
_LEGACY_TAG_FIELDS = {"kind", "question", "positive_claim", "negative_claim", "evidence", "round"}
"""The tag fields that key a conversation (the fields added for world agents change no
reply to a request about a real item)."""


class SimulatedProviderError(Exception):
    """A transient failure injected by `error_rate`; Inspect retries it."""


class SimulatedModelAPI(ModelAPI):
    """Offline deterministic model: judgments for judgment requests, one sentence otherwise."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        *,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        converge_after: int = 1,
        malformed_rate: float = 0.0,
        error_rate: float = 0.0,
        retry_wait_ms: float = 0.0,
        seed: int = 0,
        skill: float = 0.0,
        persuadability: float = 0.0,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if model_args:
            raise InspectMarketError(
                f"simulated model takes no argument {', '.join(map(repr, sorted(model_args)))}"
            )
        for name, value in [
            ("latency_ms", latency_ms),
            ("jitter_ms", jitter_ms),
            ("retry_wait_ms", retry_wait_ms),
        ]:
            check_number(name, value, 0, None)
        check_number("malformed_rate", malformed_rate, 0, 1)
        check_number("error_rate", error_rate, 0, 1, max_open=True)  # at 1 every retry fails
        check_number("skill", skill, 0, 1)
        check_number("persuadability", persuadability, 0, 1)
        check_int("converge_after", converge_after, 1)
        check_int("seed", seed, 0)
        self.latency_ms = float(latency_ms)
        self.jitter_ms = float(jitter_ms)
        self.converge_after = converge_after
        self.malformed_rate = float(malformed_rate)
        self.error_rate = float(error_rate)
        self.retry_wait_ms = float(retry_wait_ms)
        self.seed = seed
        self._attempts: dict[bytes, int] = {}
        self._warned = False
        self.world = WorldAgent(seed, float(skill), float(persuadability))

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        tag = request_tag(input)
        # What the request is and how far the conversation is (a format re-ask is longer),
        # never its wording.
        fields = tag.model_dump_json(include=_LEGACY_TAG_FIELDS) if tag else ""
        key = f"{fields}\x1f{len(input)}"
        conversation = hashlib.blake2b(key.encode(), digest_size=16).digest()
        attempt = 0
        if self.error_rate > 0:
            attempt = self._attempts.get(conversation, 0)
            self._attempts[conversation] = attempt + 1
        delay_ms = self.latency_ms
        if self.jitter_ms > 0:
            delay_ms += self.jitter_ms * (2 * self._draw("latency", conversation, attempt) - 1)
        if delay_ms > 0:
            await anyio.sleep(delay_ms / 1000)
        if self.error_rate > 0 and self._draw("error", conversation, attempt) < self.error_rate:
            raise SimulatedProviderError(f"simulated transient error (attempt {attempt + 1})")
        if tag is not None and tag.item is None and not self._warned:
            self._warned = True
            logger.warning(REAL_DATA_WARNING.format(name=self.model_name))
        side: int | None = None
        if tag is not None and tag.kind == "judgment":
            text = self._judgment(tag, conversation)
        elif tag is not None and tag.item is not None:
            side = self.world.argued_side(tag, tag.item)
            text = _STRATEGY if side is None else self._argument(tag, conversation, side)
        else:
            text = self._argument(tag, conversation)
        output = ModelOutput.from_content(model=self.model_name, content=text)
        if tag is not None and tag.item is not None and tag.kind == "argument":
            output.message.metadata = side_metadata(side, self.world.sound(tag, tag.item))
        input_tokens = sum(len(m.text) for m in input) // 4
        output_tokens = len(text) // 4
        output.usage = ModelUsage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        )
        return output

    def should_retry(self, ex: Exception) -> bool:
        return isinstance(ex, SimulatedProviderError)

    def retry_wait(self) -> wait_base:
        return wait_fixed(self.retry_wait_ms / 1000)

    async def count_text_tokens(self, text: str) -> int:
        return len(text) // 4

    def p_at(self, judgment_no: int, settled: float) -> float:
        """The p of judgment `judgment_no` (1-based) for a proposition that settles at `settled`.

        Before `converge_after` p alternates between the two swing values, ending (at
        judgment converge_after - 1) on the one far from `settled`.
        """
        if judgment_no >= self.converge_after:
            return settled
        far = _SWING_LOW if settled >= 0.5 else _SWING_HIGH
        near = _SWING_HIGH if far == _SWING_LOW else _SWING_LOW
        return far if (self.converge_after - 1 - judgment_no) % 2 == 0 else near

    def _judgment(self, tag: RequestTag, conversation: bytes) -> str:
        stated: float | tuple[float, ...]
        if tag.options:
            option, level = self._choice_belief(tag)
            stated, claim = option_probs(option, tag.options, level), f"Answer {LETTERS[option]}"
        else:
            if tag.item is not None:
                p = side_p(*self.world.belief(tag, tag.item))
            else:
                p = self.p_at(tag.evidence + 1, self._settled(tag))
            stated, claim = p, tag.positive_claim if p > 0.5 else tag.negative_claim
        reason = _pick(_REASONS, self._draw("reason", conversation))
        if self._draw("malformed", conversation) < self.malformed_rate:
            return _MALFORMED.format(reason=reason, claim=claim)
        judged = format_judgment(reason, claim, stated)
        return (
            judged if tag.market is None else f"{judged}\nTrade: {trade_toward(stated, tag.market)}"
        )

    def _settled(self, tag: RequestTag) -> float:
        """The p a real item's judgments settle at, fixed by its question and claims."""
        return SETTLED_PS[int(self._draw("settled", _proposition(tag)) * len(SETTLED_PS))]

    def _choice_belief(self, tag: RequestTag) -> tuple[int, float]:
        """A K-outcome judgment's option and binary-equivalent p (`option_probs`): a world
        agent's belief, or for a real item an option and strength fixed by its question."""
        if tag.item is not None:
            return self.world.belief(tag, tag.item)
        settled = self._settled(tag)
        option = int(self._draw("option", _proposition(tag)) * tag.options)
        return option, max(settled, 1 - settled)

    def _argument(
        self, tag: RequestTag | None, conversation: bytes, side: int | None = None
    ) -> str:
        """One sentence for outcome `side` (binary: 1 positive; K options: the option), else
        for one drawn from the conversation."""
        claims = _claims(tag)
        if side is None:
            # counted from the last outcome, so a binary draw below 1/2 stays the positive claim
            side = len(claims) - 1 - int(self._draw("side", conversation) * len(claims))
        return _pick(_ARGUMENTS, self._draw("argument", conversation)).format(claim=claims[side])

    def _draw(self, purpose: str, key: bytes, attempt: int = 0) -> float:
        """A uniform number in [0, 1) fixed by the seed, the purpose, the key and the attempt."""
        digest = hashlib.blake2b(
            key + f"\x1f{self.seed}\x1f{purpose}\x1f{attempt}".encode(), digest_size=8
        ).digest()
        return int.from_bytes(digest, "big") / 2**64


def trade_toward(belief: float | Sequence[float], view: MarketView) -> str:
    """A simulated trader's trade: the shares that move the price to its belief, cut to what
    its cash buys (HOLD when the price is there already). On K options it buys the option whose
    probability exceeds its price most, the shares that move that option's price to it."""
    b = view.liquidity
    quote: Quote
    if isinstance(belief, float) and isinstance(view.price, float):
        market = Market(b, math.log(view.price / (1 - view.price)) * b)
        outcome: Outcome = "yes" if belief > view.price else "no"
        quote = belief
    elif not isinstance(belief, float) and isinstance(view.price, list):
        market = Market(b, q_options=tuple(b * math.log(price) for price in view.price))
        gaps = [q - price for q, price in zip(belief, view.price, strict=True)]
        outcome, quote = market.outcomes[gaps.index(max(gaps))], list(belief)
    else:
        raise ValueError("a belief and the market's prices are both binary or both per option")
    shares = min(market.shares_to(outcome, quote), market.affordable(outcome, view.cash))
    return f"BUY {outcome.upper()} {shares:.6f}" if shares > 0 else "HOLD"


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[int(u * len(options))]


def _proposition(tag: RequestTag) -> bytes:
    """A key naming the proposition a request is about (its question and claims)."""
    text = "\x1f".join([tag.question, tag.positive_claim, tag.negative_claim])
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _claims(tag: RequestTag | None) -> tuple[str, ...]:
    """The claim of each outcome a request is about (binary: negative, positive)."""
    if tag is None:
        return _FALLBACK_CLAIMS
    if tag.options:
        return tuple(f"answer {letter} is the true answer" for letter in LETTERS[: tag.options])
    return tag.negative_claim, tag.positive_claim
