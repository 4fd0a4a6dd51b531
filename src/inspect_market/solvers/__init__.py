"""Protocols: every solver here turns a proposition into a Trajectory."""

from .debate import debate
from .econ import econ
from .evidence import Evidence
from .market_making import market_making
from .multi_agent_debate import multi_agent_debate
from .prediction_market import prediction_market
from .protocol import Calls, Final, ProtocolRun, ProtocolSpec, protocol, protocol_name
from .registry import (
    create_protocol,
    protocol_defaults,
    protocol_metrics,
    protocol_names,
    protocol_prompts,
    protocol_spec,
    protocol_table,
    requested_protocol,
    require_spec,
)
from .self_consistency import self_consistency
from .single_shot import single_shot

__all__ = [
    "Calls",
    "Evidence",
    "Final",
    "ProtocolRun",
    "ProtocolSpec",
    "create_protocol",
    "debate",
    "econ",
    "market_making",
    "multi_agent_debate",
    "prediction_market",
    "protocol",
    "protocol_defaults",
    "protocol_metrics",
    "protocol_name",
    "protocol_names",
    "protocol_prompts",
    "protocol_spec",
    "protocol_table",
    "requested_protocol",
    "require_spec",
    "self_consistency",
    "single_shot",
]
