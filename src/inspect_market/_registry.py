"""Imported by Inspect through the `inspect_ai` entry point: registers tasks, solvers, scorers."""

# ruff: noqa: F401
from . import providers
from .scorers import epoch_mean, trajectory_scorer
from .solvers import (
    debate,
    econ,
    market_making,
    multi_agent_debate,
    prediction_market,
    self_consistency,
    single_shot,
)
from .tasks import (
    csqa2,
    ethics_commonsense,
    ethics_justice,
    scruples,
    synthetic,
    truthfulqa,
)
