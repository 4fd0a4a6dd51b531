"""The trajectory scorer and its metrics."""

from .metrics import CORE_METRICS, HEADLINE
from .reducer import epoch_mean
from .trajectory_scorer import score_trajectory, trajectory_scorer

__all__ = ["CORE_METRICS", "HEADLINE", "epoch_mean", "score_trajectory", "trajectory_scorer"]
