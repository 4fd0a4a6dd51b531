"""The epoch reducer of inspect_market tasks: Inspect's mean, passed through for one epoch."""

from __future__ import annotations

from inspect_ai.scorer import Score, ScoreReducer, mean_score, score_reducer


@score_reducer(name="epoch_mean")
def epoch_mean() -> ScoreReducer:
    """Inspect's `mean` reducer, except that a sample's only score is returned unchanged.

    Inspect reduces every sample's score even with one epoch, again each time it refreshes
    the live metrics, and its `mean` averages each of the 18 keys of a trajectory score with
    `statistics.mean` (exact fractions): ~0.1 ms per sample per refresh. With one epoch the mean
    is the score itself, so it is passed through.
    """
    mean = mean_score()

    def reduce(scores: list[Score]) -> Score:
        return scores[0] if len(scores) == 1 else mean(scores)

    return reduce
