"""A simulated world with known answers: its settings, expected values and direct simulation.

The `synthetic` task asks about this world's items and the `simulated` provider's agents
(`-M skill=`, `-M persuadability=`) play it through Inspect; `expected` (closed form) and
`simulate` (numpy, no Inspect) say what the eval should measure.
"""

from .bindings import agent_args, eval_args
from .closed_form import CLOSED_FORM, expected
from .direct import PROTOCOLS, simulate
from .settings import EXAMPLE_SETTINGS, STANCES, Agent, WorldSettings

__all__ = [
    "CLOSED_FORM",
    "EXAMPLE_SETTINGS",
    "PROTOCOLS",
    "STANCES",
    "Agent",
    "WorldSettings",
    "agent_args",
    "eval_args",
    "expected",
    "simulate",
]
