"""The one scorer: reads a Trajectory, emits one dict score per sample."""

from __future__ import annotations

import math

from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from ..judgment import decide, format_probs, is_consistent
from ..lmsr import outcome_names
from ..propositions import LETTERS, Proposition
from ..trajectory import Judgment, TrajectoryData, load_trajectory, majority_side
from .metrics import CORE_METRICS, FIRST_CORRECT, PROFIT, flipped


def _correct(decision: int | None, label: int) -> int:
    return int(decision is not None and decision == label)


def _p(value: float | None) -> float:
    return math.nan if value is None else value


def _forecast(
    which: str, p: float | None, probs: list[float] | None, options: int
) -> dict[str, float]:
    """The score keys of a forecast: binary `<which>_p`; K outcomes `<which>_p_A` ... (NaN
    when unparsed), so that the epoch reducer averages each and the metrics read them."""
    if not options:
        return {f"{which}_p": _p(p)}
    shown = probs or [math.nan] * options
    return {f"{which}_p_{LETTERS[k]}": q for k, q in enumerate(shown)}


def market_values(
    trajectory: TrajectoryData, label: int, options: int = 0
) -> dict[str, float | int]:
    """A prediction market's per-trader keys: whether each trader's first belief is right (on
    K options: puts the true option highest), and its profit when the market resolves (its
    shares of the true outcome pay 1, less their cost).
    """
    values: dict[str, float | int] = {}
    for judgment in trajectory.judgments:
        key = f"{judgment.role}{FIRST_CORRECT}"
        if key not in values:
            values[key] = _correct(decide(judgment.forecast), label)
    true_outcome = outcome_names(options)[label]
    for role in sorted({trade.role for trade in trajectory.trades}):
        trades = [t for t in trajectory.trades if t.role == role]
        payoff = math.fsum(t.shares for t in trades if t.outcome == true_outcome)
        values[f"{role}{PROFIT}"] = payoff - math.fsum(t.cost for t in trades)
    return values


def score_trajectory(trajectory: TrajectoryData, label: int, options: int = 0) -> Score:
    """The dict score of one trajectory; every value is a number (NaN when undefined).

    `label` is the true outcome (binary: 1 when the positive claim is true; K outcomes: the
    true option, A = 0) and `options` the number of options of a K-outcome question (0:
    binary). A binary forecast is scored by its p (`final_p`, `baseline_p`); a K-outcome one
    by its probability per option (`final_p_A`, ...; `options` = K), its decision being the
    option of the highest probability.

    Correctness and flip keys are 0/1, so with several epochs their epoch means are the share
    of epochs in which the sample was right (or flipped). Keys that only some protocols
    define are present only where they apply: `adversary_success` (the final claim is the
    side an adversary argued) and `vote_baseline_correct` (the round-0 majority vote is
    right). A sample an Inspect limit stopped (`stopped_by_limit`) has no final p: it counts
    as wrong, even when the limit hit before its first judgment.
    """
    judgments = trajectory.judgments
    limited = trajectory.stop_reason == "limit"
    if not judgments and not limited:
        raise ValueError("the trajectory holds no judgment: did an inspect_market solver run?")
    baseline = trajectory.baseline or (judgments[0] if judgments else None)
    parsed = [j for j in judgments if j.parsed]
    first = baseline or Judgment(role="", raw="")
    final_p, final_probs = trajectory.final_p, trajectory.final_probs
    value: dict[str, float | int] = {
        # the viewer's sample header shows the first five keys
        "final_correct": _correct(decide(final_probs if options else final_p), label),
        "baseline_correct": _correct(decide(first.forecast), label),
        **_forecast("final", final_p, final_probs, options),
        **_forecast("baseline", first.p, first.probs, options),
        "label": label,
        **({"options": options} if options else {}),
        "baseline_claim_correct": _correct(first.claim_side, label),
        "final_claim_correct": _correct(trajectory.final_claim_side, label),
        "judgments": len(judgments),
        "converged": int(trajectory.stop_reason == "converged"),
        "stopped_by_limit": int(limited),
        "parse_failures": len(judgments) - len(parsed),
        "parsed": len(parsed),
        "consistent": sum(is_consistent(j.claim_side, j.forecast) for j in parsed),
        "format_retries": sum(j.retries for j in judgments),
        "calls": trajectory.calls,
        "input_tokens": trajectory.input_tokens,
        "output_tokens": trajectory.output_tokens,
    }
    # 0/1 per epoch, so that their epoch means are the exact per-epoch flip rates
    value["flipped_to_correct"] = int(flipped(value, 0, 1))
    value["flipped_to_wrong"] = int(flipped(value, 1, 0))
    if trajectory.adversary_side is not None:
        value["adversary_success"] = int(trajectory.final_claim_side == trajectory.adversary_side)
    if trajectory.baseline_votes is not None:
        value["vote_baseline_correct"] = _correct(majority_side(trajectory.baseline_votes), label)
    if trajectory.price_path or trajectory.price_vectors:
        value.update(market_values(trajectory, label, options))
    ps = [j.forecast for j in judgments]
    final_text = "none" if final_p is None else f"{final_p:g}"
    if final_probs is not None:
        final_text = format_probs(final_probs)
    return Score(
        value=value,
        answer=judgments[-1].raw
        if final_p is None and final_probs is None and judgments
        else final_text,
        explanation=(
            f"{trajectory.protocol}: {len(judgments)} judgment(s), stopped: "
            f"{trajectory.stop_reason}; p = {ps}"
        ),
        metadata={
            "protocol": trajectory.protocol,
            "stop_reason": trajectory.stop_reason,
            "ps": ps,
            "claim_sides": [j.claim_side for j in judgments],
            "price_path": trajectory.price_path,
            "price_vectors": trajectory.price_vectors,
        },
    )


@scorer(metrics=CORE_METRICS)
def trajectory_scorer() -> Scorer:
    """Score baseline and final judgments of any inspect_market protocol against the target.

    The core metrics are declared here, and only here; a task that adds its own metrics must
    pass them with the core ones (Task-level metrics replace the scorer's).
    """

    async def score(state: TaskState, target: Target) -> Score:
        if "options" not in state.metadata:  # binary: no need to rebuild the proposition
            return score_trajectory(load_trajectory(), int(target.text))
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        label = proposition.outcome(target.text)
        return score_trajectory(load_trajectory(), label, proposition.outcomes)

    return score
