"""The logarithmic market scoring rule (Hanson 2003) over K outcomes: prices and trade costs.

The market maker holds q_k, the shares of each outcome k sold so far; with liquidity b the cost
function is C(q) = b ln sum_k e^(q_k/b), the price of outcome k is e^(q_k/b) / sum_j e^(q_j/b)
(the softmax of q/b: the market's probability of outcome k), and buying x shares of one
outcome costs the rise in C. A share pays 1 if its outcome is true.

A binary market has the outcomes YES (the positive claim) and NO; its `price` is the YES
price. A K-outcome market's outcomes are the options' letters. Seen from one outcome, the
others act as one: q_rest = b ln sum_(j != k) e^(q_j/b), and the outcome's price is that of
a binary market with q_yes = q_k and q_no = q_rest, so every formula below is the binary one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .propositions import LETTERS

Outcome = str
"""An outcome's name: `yes` or `no` in a binary market, an option's letter in a K-outcome one."""
BINARY: tuple[Outcome, ...] = ("no", "yes")
"""A binary market's outcomes, by outcome number (as `Proposition.claims`: 1 is YES)."""
MAX_PRICE_LOGIT = 20.0
"""Prices are kept within logit +-20 (about 2e-9 of 0 or 1), so every cost stays finite."""

Quote = float | list[float]
"""A market's prices, or a belief in the same form: the YES price (binary), else a price per
option (A first)."""


def outcome_names(options: int) -> tuple[Outcome, ...]:
    """The outcomes of a market on a question with `options` options (0: binary), by outcome
    number (binary: NO, YES; else A, B, ...)."""
    return BINARY if not options else tuple(LETTERS[:options])


@dataclass(frozen=True)
class Market:
    """The shares sold so far and the liquidity b: binary `Market(b, q_yes, q_no)`, or on K
    options `Market(b, q_options=...)` (`Market.choice(b, k)` opens one)."""

    b: float
    q_yes: float = 0.0
    q_no: float = 0.0
    q_options: tuple[float, ...] = ()
    """The shares sold of each option of a K-outcome market (A first); empty when binary."""

    def __post_init__(self) -> None:
        if self.q_options and (self.q_yes or self.q_no):
            raise ValueError("a market has YES and NO shares or options' shares, not both")
        if self.q_options and not 2 <= len(self.q_options) <= len(LETTERS):
            raise ValueError(f"a market has 2 to {len(LETTERS)} options")

    @classmethod
    def choice(cls, b: float, options: int) -> Market:
        """A K-outcome market before any trade."""
        return cls(b, q_options=(0.0,) * options)

    @property
    def binary(self) -> bool:
        return not self.q_options

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """The outcomes' names, by outcome number."""
        return outcome_names(len(self.q_options))

    @property
    def q(self) -> tuple[float, ...]:
        """The shares sold of each outcome, by outcome number."""
        return self.q_options or (self.q_no, self.q_yes)

    @property
    def price(self) -> float:
        """The YES price of a binary market: the market's probability of the positive claim."""
        if not self.binary:
            raise ValueError("a K-outcome market has a price per option (prices)")
        return self.price_of_outcome("yes")

    @property
    def prices(self) -> list[float]:
        """Each outcome's price, by outcome number (they sum to 1)."""
        return [self.price_of_outcome(outcome) for outcome in self.outcomes]

    @property
    def quote(self) -> Quote:
        """The prices as a trader states a belief: the YES price (binary), else `prices`."""
        return self.price if self.binary else self.prices

    def price_of_outcome(self, outcome: Outcome) -> float:
        """An outcome's price: the market's probability of it."""
        mine, rest = self._split(outcome)
        return 1.0 / (1.0 + math.exp((rest - mine) / self.b))

    def cost(self) -> float:
        """The cost function C(q), computed stably."""
        return _log_sum(self.q, self.b)

    def bought(self, outcome: Outcome, shares: float) -> Market:
        """The market after `shares` of `outcome` are bought."""
        if self.binary:
            if outcome == "yes":
                return Market(self.b, self.q_yes + shares, self.q_no)
            self._index(outcome)
            return Market(self.b, self.q_yes, self.q_no + shares)
        k = self._index(outcome)
        q = list(self.q_options)
        q[k] += shares
        return Market(self.b, q_options=tuple(q))

    def price_of(self, outcome: Outcome, shares: float) -> float:
        """What buying `shares` of `outcome` costs."""
        return self.bought(outcome, shares).cost() - self.cost()

    def affordable(self, outcome: Outcome, cash: float) -> float:
        """The most shares of `outcome` that `cash` buys (closed form), capped so its price
        stays within MAX_PRICE_LOGIT."""
        if cash <= 0:
            return 0.0
        mine, other = self._split(outcome)
        # C(mine + x) - C = cash  <=>  e^((mine + x)/b) = e^(cash/b) (e^(mine/b) + e^(other/b))
        #                                                 - e^(other/b), all scaled by e^(-M/b)
        top = max(mine, other)
        total = math.exp((mine - top) / self.b) + math.exp((other - top) / self.b)
        log_target = cash / self.b + math.log(total)
        rest = math.exp((other - top) / self.b)
        shares = top + self.b * (log_target + math.log1p(-rest * math.exp(-log_target))) - mine
        return max(0.0, min(shares, self._shares_to_logit(outcome, MAX_PRICE_LOGIT)))

    def shares_to(self, outcome: Outcome, belief: Quote) -> float:
        """Shares of `outcome` that move its price to `belief`'s (0 when it is already past):
        `belief` in the form of `quote`, the YES price (binary) or a price per option."""
        if self.binary != isinstance(belief, float | int):
            raise ValueError("a belief is one YES price (binary) or a price per option (K)")
        if isinstance(belief, float | int):
            logit = _logit(belief)
            return self._shares_to_logit(outcome, logit if outcome == "yes" else -logit)
        if len(belief) != len(self.outcomes):
            raise ValueError(f"a belief per option of {len(self.outcomes)}, not {len(belief)}")
        return self._shares_to_logit(outcome, _logit(belief[self._index(outcome)]))

    def _shares_to_logit(self, outcome: Outcome, logit: float) -> float:
        """Shares of `outcome` that move its price to logit `logit` (0 when already past)."""
        mine, rest = self._split(outcome)
        return max(0.0, self.b * logit - (mine - rest))

    def _index(self, outcome: Outcome) -> int:
        if outcome not in self.outcomes:
            raise ValueError(f"{outcome!r} is not an outcome of this market: {self.outcomes}")
        return self.outcomes.index(outcome)

    def _split(self, outcome: Outcome) -> tuple[float, float]:
        """(q of `outcome`, q_rest): the shares of `outcome`, and the others as one outcome."""
        k = self._index(outcome)
        q = self.q
        return q[k], _log_sum(q[:k] + q[k + 1 :], self.b)


def _log_sum(q: Sequence[float], b: float) -> float:
    """b ln sum_k e^(q_k/b), computed stably (exactly q_0 for one outcome)."""
    top = max(q)
    k = q.index(top)
    others = [*q[:k], *q[k + 1 :]]
    return top + b * math.log1p(math.fsum(math.exp((x - top) / b) for x in others))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return max(-MAX_PRICE_LOGIT, min(MAX_PRICE_LOGIT, math.log(p / (1 - p))))
