"""Metrics over trajectory scores: accuracy, net gain, flips, calibration, cost, format health.

Each metric is an Inspect @metric over the per-sample score dicts of `score_trajectory` (after
the epoch reducer: with several epochs every key is its mean over the epochs). The pure helpers
(`mean_of`, `ratio_of`, `flip_rate`, `brier`, `stderr_of`) are shared with the report's tables.
Every metric is NaN on an empty sample list, never an exception.

The viewer's results panel shows the first five metrics, so `final_accuracy` leads and each
accuracy has its standard error right after it; tasks also name it as the headline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from inspect_ai.scorer import Metric, SampleScore, metric

from ..propositions import LETTERS

Values = Sequence[Mapping[str, Any]]


def score_values(sample_score: SampleScore) -> Mapping[str, Any]:
    """The dict score of one sample (TypeError when it is not a trajectory_scorer dict)."""
    value = sample_score.score.value
    if type(value) is dict:  # the usual case, checked first: a Mapping check is slow
        return value
    if not isinstance(value, Mapping):
        raise TypeError("inspect_market metrics need the dict scores of trajectory_scorer")
    return value


def _rows(scores: list[SampleScore]) -> list[Mapping[str, Any]]:
    return [score_values(s) for s in scores]


def mean_of(values: Values, key: str) -> float:
    """Mean of one key over samples (NaN when there are none)."""
    return math.fsum(float(v[key]) for v in values) / len(values) if values else math.nan


def ratio_of(values: Values, numerator: str, denominator: str) -> float:
    """Pooled ratio sum(numerator) / sum(denominator) (NaN when the denominator is 0)."""
    den = math.fsum(float(v[denominator]) for v in values)
    return math.fsum(float(v[numerator]) for v in values) / den if den else math.nan


def flipped(value: Mapping[str, Any], before: int, after: int) -> bool:
    """Whether one sample's baseline correctness is `before` and its final correctness `after`."""
    return bool(value["baseline_correct"] == before and value["final_correct"] == after)


def flip_rate(values: Values, before: int, after: int) -> float:
    """Share of (unreduced, 0/1) samples that are `flipped` from `before` to `after`."""
    if not values:
        return math.nan
    return sum(flipped(v, before, after) for v in values) / len(values)


def brier(values: Values, p_key: str) -> float:
    """Mean squared error of p against the label, over samples whose p was parsed."""
    terms = [(float(v[p_key]) - float(v["label"])) ** 2 for v in values if not math.isnan(v[p_key])]
    return math.fsum(terms) / len(terms) if terms else math.nan


LOG_LOSS_CLIP = 1e-6
"""The log loss clips the probability of the true outcome to [LOG_LOSS_CLIP, 1 -
LOG_LOSS_CLIP]: a forecast certain of a wrong outcome costs ln(10^6) = 13.8, not infinity.
The report's tables clip the same."""


def outcome_probs(row: Mapping[str, Any], which: str) -> list[float] | None:
    """The probability per outcome of a score row's `which` forecast (`final`, `baseline`):
    a binary row's (1 - p, p), a K-outcome row's `<which>_p_A` ...; None when unparsed."""
    if "options" in row:
        probs = [float(row[f"{which}_p_{letter}"]) for letter in LETTERS[: int(row["options"])]]
    else:
        probs = [1.0 - float(row[f"{which}_p"]), float(row[f"{which}_p"])]
    return None if any(math.isnan(q) for q in probs) else probs


def squared_error(row: Mapping[str, Any], which: str) -> float:
    """A forecast's Brier term: binary (p - label)^2; K outcomes the sum over the options of
    (q - 1 if the option is true else q)^2 (twice the binary term on two outcomes); NaN
    when unparsed."""
    probs = outcome_probs(row, which)
    if probs is None:
        return math.nan
    label = int(row["label"])
    if "options" not in row:
        return (probs[1] - label) ** 2
    return math.fsum((q - (k == label)) ** 2 for k, q in enumerate(probs))


def log_loss(row: Mapping[str, Any], which: str) -> float:
    """A forecast's log loss: -ln of the probability of the true outcome (clipped to
    [LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP]); NaN when unparsed."""
    probs = outcome_probs(row, which)
    if probs is None:
        return math.nan
    return -math.log(min(max(probs[int(row["label"])], LOG_LOSS_CLIP), 1 - LOG_LOSS_CLIP))


def parsed_mean(values: Values, term: Callable[[Mapping[str, Any]], float]) -> float:
    """Mean of a per-sample term over the samples where it is defined (not NaN)."""
    xs = [x for x in map(term, values) if not math.isnan(x)]
    return math.fsum(xs) / len(xs) if xs else math.nan


def defined_mean(values: Values, key: str) -> float:
    """Mean of one key over the samples where it is defined (present and not NaN)."""
    xs = [float(v[key]) for v in values if key in v and not math.isnan(v[key])]
    return math.fsum(xs) / len(xs) if xs else math.nan


def stderr_of(xs: Sequence[float]) -> float:
    """Standard error of the mean, as Inspect's `stderr()`: sample std (n - 1) / sqrt(n).

    NaN when n < 2 (where Inspect reports 0): one sample says nothing about the spread.
    """
    n = len(xs)
    if n < 2:
        return math.nan
    mean = math.fsum(xs) / n
    variance = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    return math.sqrt(variance / n)


def row_metric(name: str, doc: str, compute: Callable[[Values], float]) -> Callable[[], Metric]:
    """A metric named `name` that computes `compute` over the samples' score dicts.

    One definition for the metrics that differ only in what they compute from the rows; each
    is registered under its own name, which the log, the viewer and `evals_df` show.
    """

    def factory() -> Metric:
        def metric_value(scores: list[SampleScore]) -> float:
            return compute(_rows(scores))

        return metric_value

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = doc
    return metric(factory)


def key_mean(name: str, key: str, doc: str) -> Callable[[], Metric]:
    """A metric named `name`: the mean of score key `key` over samples (NaN when none)."""
    return row_metric(name, doc, lambda rows: mean_of(rows, key))


def key_stderr(name: str, key: str, doc: str) -> Callable[[], Metric]:
    """A metric named `name`: the standard error of the mean of score key `key`."""
    return row_metric(name, doc, lambda rows: stderr_of([float(v[key]) for v in rows]))


def forecast_metric(
    name: str, term: Callable[[Mapping[str, Any], str], float], which: str, doc: str
) -> Callable[[], Metric]:
    """A metric named `name`: the mean of a per-sample `term` (squared error, log loss) of
    the `which` forecast over the samples whose forecast was parsed."""
    return row_metric(name, doc, lambda rows: parsed_mean(rows, lambda row: term(row, which)))


final_accuracy = key_mean("final_accuracy", "final_correct", "Accuracy of the final p.")
final_accuracy_stderr = key_stderr(
    "final_accuracy_stderr", "final_correct", "Standard error of `final_accuracy` over samples."
)
baseline_accuracy = key_mean(
    "baseline_accuracy", "baseline_correct", "Accuracy of judgment 1 by p."
)
baseline_accuracy_stderr = key_stderr(
    "baseline_accuracy_stderr",
    "baseline_correct",
    "Standard error of `baseline_accuracy` over samples.",
)
flip_to_correct = key_mean(
    "flip_to_correct",
    "flipped_to_correct",
    "Share of samples wrong at baseline, right at the end (per epoch, then averaged).",
)
flip_to_wrong = key_mean(
    "flip_to_wrong",
    "flipped_to_wrong",
    "Share of samples right at baseline, wrong at the end (per epoch, then averaged).",
)
_BRIER = (
    "Brier score of the parsed {} forecasts: binary (p - label)^2, K outcomes the sum of the "
    "squared errors over the options."
)
_LOG_LOSS = "Log loss of the parsed {} forecasts: -ln P(true outcome), P clipped at 1e-6."
brier_baseline = forecast_metric(
    "brier_baseline", squared_error, "baseline", _BRIER.format("baseline")
)
brier_final = forecast_metric("brier_final", squared_error, "final", _BRIER.format("final"))
log_loss_baseline = forecast_metric(
    "log_loss_baseline", log_loss, "baseline", _LOG_LOSS.format("baseline")
)
log_loss_final = forecast_metric("log_loss_final", log_loss, "final", _LOG_LOSS.format("final"))
baseline_claim_accuracy = key_mean(
    "baseline_claim_accuracy",
    "baseline_claim_correct",
    "Accuracy of the baseline judgment's stated claim (not its p).",
)
final_claim_accuracy = key_mean(
    "final_claim_accuracy", "final_claim_correct", "Accuracy of the final stated claim (not its p)."
)
mean_judgments = key_mean("mean_judgments", "judgments", "Judgments per sample.")
converged_rate = key_mean("converged_rate", "converged", "Share of samples stopped by convergence.")
mean_calls = key_mean("mean_calls", "calls", "Model calls per sample.")
stopped_by_limit_rate = key_mean(
    "stopped_by_limit_rate",
    "stopped_by_limit",
    "Share of samples an Inspect limit (tokens, messages, time) stopped; they count as wrong.",
)


@metric
def net_gain() -> Metric:
    """Final minus baseline accuracy over the same samples."""

    def compute(scores: list[SampleScore]) -> float:
        rows = _rows(scores)
        return mean_of(rows, "final_correct") - mean_of(rows, "baseline_correct")

    return compute


@metric
def net_gain_stderr() -> Metric:
    """Paired standard error of `net_gain`: of the per-sample final minus baseline correctness."""

    def compute(scores: list[SampleScore]) -> float:
        rows = _rows(scores)
        return stderr_of([float(v["final_correct"]) - float(v["baseline_correct"]) for v in rows])

    return compute


@metric
def parse_failure_rate() -> Metric:
    """Share of all judgments whose prediction could not be read after the retries."""

    def compute(scores: list[SampleScore]) -> float:
        return ratio_of(_rows(scores), "parse_failures", "judgments")

    return compute


@metric
def claim_consistency_rate() -> Metric:
    """Share of parsed judgments whose claim is on the side of 0.5 that their p is on."""

    def compute(scores: list[SampleScore]) -> float:
        return ratio_of(_rows(scores), "consistent", "parsed")

    return compute


@metric
def mean_tokens() -> Metric:
    """Input plus output tokens per sample."""

    def compute(scores: list[SampleScore]) -> float:
        rows = _rows(scores)
        return mean_of(rows, "input_tokens") + mean_of(rows, "output_tokens")

    return compute


@metric
def adversary_success_rate() -> Metric:
    """Share of samples whose final claim is the side an adversarial agent argued for.

    Over the samples an adversary took part in; a protocol adds it when it has an adversary.
    """

    def compute(scores: list[SampleScore]) -> float:
        return defined_mean(_rows(scores), "adversary_success")

    return compute


@metric
def vote_baseline_accuracy() -> Metric:
    """Accuracy of the round-0 majority vote (a protocol that takes a vote adds it)."""

    def compute(scores: list[SampleScore]) -> float:
        return defined_mean(_rows(scores), "vote_baseline_correct")

    return compute


FIRST_CORRECT = "_first_correct"
"""Suffix of a prediction-market score key: a trader's first belief is right (0/1)."""
PROFIT = "_profit"
"""Suffix of a prediction-market score key: a trader's profit at resolution."""


def _per_trader(rows: Values, suffix: str) -> dict[str, float]:
    """Per trader role, the mean of its `<role><suffix>` key (traders in key order)."""
    keys = sorted({k for row in rows for k in row if k.endswith(suffix)})
    return {k.removesuffix(suffix): defined_mean(rows, k) for k in keys}


@metric
def best_single_trader_accuracy() -> Metric:
    """The accuracy of the best trader's first belief (each trader alone, before any trade)."""

    def compute(scores: list[SampleScore]) -> float:
        accuracies = _per_trader(_rows(scores), FIRST_CORRECT).values()
        return max(accuracies) if accuracies else math.nan

    return compute


@metric
def trader_profits() -> Metric:
    """Each trader's mean profit at resolution (`<role>_mean_profit`): the market's own ranking
    of which trader brought information."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        profits = _per_trader(_rows(scores), PROFIT)
        return {f"{role}_mean_profit": value for role, value in profits.items()}

    return compute


CORE_METRICS: list[Metric] = [
    final_accuracy(),
    final_accuracy_stderr(),
    net_gain(),
    net_gain_stderr(),
    baseline_accuracy(),
    baseline_accuracy_stderr(),
    flip_to_correct(),
    flip_to_wrong(),
    brier_baseline(),
    brier_final(),
    log_loss_baseline(),
    log_loss_final(),
    baseline_claim_accuracy(),
    final_claim_accuracy(),
    mean_judgments(),
    converged_rate(),
    parse_failure_rate(),
    claim_consistency_rate(),
    mean_calls(),
    mean_tokens(),
    stopped_by_limit_rate(),
]
"""The metrics of every protocol, in the order the viewer lists them (its results panel shows
the first five); a protocol's spec adds those that apply only to it. The headline,
`final_accuracy`, is set on the task (`HEADLINE`)."""
HEADLINE = "final_accuracy"
