"""Protocols: every solver here turns a proposition into a Trajectory."""

from ._finish import protocol_name
from .debate import debate
from .econ import econ
from .market_making import market_making
from .multi_agent_debate import multi_agent_debate
from .registry import (
    create_protocol,
    protocol_defaults,
    protocol_names,
    protocol_prompts,
    requested_protocol,
)
from .self_consistency import self_consistency
from .single_shot import single_shot

__all__ = [
    "create_protocol",
    "debate",
    "econ",
    "market_making",
    "multi_agent_debate",
    "protocol_defaults",
    "protocol_name",
    "protocol_names",
    "protocol_prompts",
    "requested_protocol",
    "self_consistency",
    "single_shot",
]
