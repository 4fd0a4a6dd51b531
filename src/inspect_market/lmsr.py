"""The logarithmic market scoring rule (Hanson 2003) for a binary market: prices and trade costs.

The market maker holds q_yes and q_no, the YES and NO shares sold so far; with liquidity b the
cost function is C = b ln(e^(q_yes/b) + e^(q_no/b)), the YES price is
e^(q_yes/b) / (e^(q_yes/b) + e^(q_no/b)) (the market's probability of the positive claim), and
buying x shares of one outcome costs the rise in C. A share pays 1 if its outcome is true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["yes", "no"]
MAX_PRICE_LOGIT = 20.0
"""Prices are kept within logit +-20 (about 2e-9 of 0 or 1), so every cost stays finite."""


@dataclass(frozen=True)
class Market:
    """The shares sold so far and the liquidity b."""

    b: float
    q_yes: float = 0.0
    q_no: float = 0.0

    @property
    def price(self) -> float:
        """The YES price: the market's probability of the positive claim."""
        return 1.0 / (1.0 + math.exp((self.q_no - self.q_yes) / self.b))

    def cost(self) -> float:
        """The cost function C(q_yes, q_no), computed stably."""
        high = max(self.q_yes, self.q_no)
        low = min(self.q_yes, self.q_no)
        return high + self.b * math.log1p(math.exp((low - high) / self.b))

    def bought(self, outcome: Outcome, shares: float) -> Market:
        """The market after `shares` of `outcome` are bought."""
        if outcome == "yes":
            return Market(self.b, self.q_yes + shares, self.q_no)
        return Market(self.b, self.q_yes, self.q_no + shares)

    def price_of(self, outcome: Outcome, shares: float) -> float:
        """What buying `shares` of `outcome` costs."""
        return self.bought(outcome, shares).cost() - self.cost()

    def affordable(self, outcome: Outcome, cash: float) -> float:
        """The most shares of `outcome` that `cash` buys (closed form), capped so the price
        stays within MAX_PRICE_LOGIT."""
        if cash <= 0:
            return 0.0
        mine, other = (self.q_yes, self.q_no) if outcome == "yes" else (self.q_no, self.q_yes)
        # C(mine + x) - C = cash  <=>  e^((mine + x)/b) = e^(cash/b) (e^(mine/b) + e^(other/b))
        #                                                 - e^(other/b), all scaled by e^(-M/b)
        top = max(mine, other)
        total = math.exp((mine - top) / self.b) + math.exp((other - top) / self.b)
        log_target = cash / self.b + math.log(total)
        rest = math.exp((other - top) / self.b)
        shares = top + self.b * (log_target + math.log1p(-rest * math.exp(-log_target))) - mine
        return max(0.0, min(shares, self.shares_to(outcome, _bound(outcome))))

    def shares_to(self, outcome: Outcome, price: float) -> float:
        """Shares of `outcome` that move the YES price to `price` (0 when it is already past)."""
        target = self.b * _logit(price)
        gap = (
            target - (self.q_yes - self.q_no)
            if outcome == "yes"
            else ((self.q_yes - self.q_no) - target)
        )
        return max(0.0, gap)


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return max(-MAX_PRICE_LOGIT, min(MAX_PRICE_LOGIT, math.log(p / (1 - p))))


def _bound(outcome: Outcome) -> float:
    return 1.0 if outcome == "yes" else 0.0
