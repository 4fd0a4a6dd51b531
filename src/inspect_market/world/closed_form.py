"""Expected baseline and final accuracy in closed form, for single_shot and market_making.

Notation: s = the main agent's skill, pi = its persuadability, h = the helper's (trader's)
skill. An item's truth is a fair coin; an unknowing judge guesses each side with probability
1/2, so it is right with probability 1/2. Items with K options: see the end.

single_shot: one judgment by the main agent, baseline = final:
    acc = s + (1 - s) / 2;
on items with K options (an unknowing judge picks one of the K uniformly):
    acc = s + (1 - s) / K.

market_making (N = 10, T = 0.2, window 3): every market stops at judgment 3. A knowing market
maker states the same p (0.95 or 0.05) every time; an unknowing one states 0.55, 0.58, 0.42 or
0.45, all within 0.16 of each other. So the baseline is judgment 1 (no argument) and the final
judgment 3, which has seen the trader's 2 arguments:
    baseline = s + (1 - s) / 2,
    final    = s + (1 - s) * (1/2 + pi * (q - r) / 2),
where q (r) is the probability that both arguments support the true (false) side, given that
the market maker does not know the item. A persuaded judge (probability pi) follows the two
arguments when they agree and guesses when they split, so it is right with probability
q + (1 - q - r) / 2; an unpersuaded one guesses. The trader argues the side it knows is true
(honest) or false (adversarial) when it knows the item, else a fresh coin each round:
    independent helper, honest:       q - r = h      (q = h + (1 - h) / 4, r = (1 - h) / 4)
    independent helper, adversarial:  q - r = -h
    no helper (the market maker's own agent trades, so it knows nothing the market maker
    does not): q - r = 0; contrarian stance (argues against the market maker's current
    claim, which is independent of the truth when it does not know): q - r = 0.
Net gain = final - baseline = (1 - s) * pi * (q - r) / 2.

On items with K options (K = 2 gives the binary values): an unknowing judge is right with
probability 1/K; it states a probability per option (weight 2p - 1 on its option, the rest
even: `rules.option_probs`), and no option's probability moves by more than 0.16 between an
unknowing agent's judgments, so every market still stops at judgment 3. A persuaded judge
follows the two arguments when they support the same option and guesses otherwise, so
    final = s + (1 - s) * (1/K + pi * (q (K - 1) - r) / K),
q (r) the probability that both support the true option (the same false option). An unknowing
trader argues a uniform option per round; an adversary the option after the true one:
    honest:       q = h + (1 - h) / K^2,   r = (1 - h) (K - 1) / K^2,   gain term h (K - 1) / K
    adversarial:  q = (1 - h) / K^2,       r = h + (1 - h) (K - 1) / K^2,   gain term -h / K
    no helper, contrarian: the arguments are independent of the truth, gain term 0.
Net gain = (1 - s) * pi * (gain term): an adversary can only take away the 1/K of a guess.

Debate (simulated, not computed here) has the same expected values as market making with an
honest trader: a persuaded judge follows the sound side, argued exactly where the debaters (the
helper) know the item, and guesses between the debaters' opposite sides otherwise.
"""

from __future__ import annotations

from .settings import WorldSettings

CLOSED_FORM = ("single_shot", "market_making")


def expected(protocol: str, settings: WorldSettings, options: int = 0) -> tuple[float, float]:
    """Closed-form expected (baseline accuracy, final accuracy) for protocols that have one
    (single_shot, market_making), on binary items (`options` 0) or items with K options;
    raise ValueError otherwise."""
    k = options or 2
    s = settings.main.skill
    baseline = s + (1 - s) / k
    if protocol == "single_shot":
        return baseline, baseline
    if protocol != "market_making":
        raise ValueError(
            f"no closed form for {protocol!r} (only {', '.join(CLOSED_FORM)}): use simulate()"
        )
    if settings.helper is None or settings.trader_stance == "contrarian":
        gain = 0.0
    elif settings.trader_stance == "adversarial":
        gain = -settings.helper.skill / k
    else:
        gain = settings.helper.skill * (k - 1) / k
    return baseline, s + (1 - s) * (1 / k + settings.main.persuadability * gain)
