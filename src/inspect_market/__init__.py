"""inspect_market: market making, debate and baselines as Inspect AI protocols."""

from .judgment import ParsedJudgment, decide, format_judgment, parse_judgment
from .propositions import Proposition, make_sample
from .scorers import CORE_METRICS, score_trajectory, trajectory_scorer
from .solvers import (
    create_protocol,
    debate,
    econ,
    market_making,
    multi_agent_debate,
    prediction_market,
    protocol,
    protocol_metrics,
    protocol_names,
    self_consistency,
    single_shot,
)
from .stopping import stop_reason
from .tasks import csqa2, ethics_commonsense, ethics_justice, scruples, truthfulqa
from .trajectory import Judgment, Trajectory, Turn

__all__ = [
    "CORE_METRICS",
    "Judgment",
    "ParsedJudgment",
    "Proposition",
    "Trajectory",
    "Turn",
    "create_protocol",
    "csqa2",
    "debate",
    "decide",
    "econ",
    "ethics_commonsense",
    "ethics_justice",
    "format_judgment",
    "make_sample",
    "market_making",
    "multi_agent_debate",
    "parse_judgment",
    "prediction_market",
    "protocol",
    "protocol_metrics",
    "protocol_names",
    "score_trajectory",
    "scruples",
    "self_consistency",
    "single_shot",
    "stop_reason",
    "trajectory_scorer",
    "truthfulqa",
]
