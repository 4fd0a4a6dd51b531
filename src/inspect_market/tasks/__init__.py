"""The benchmark tasks."""

from .csqa2 import csqa2
from .ethics import ethics_commonsense, ethics_justice
from .scruples import scruples
from .synthetic import synthetic
from .truthfulqa import truthfulqa

__all__ = ["csqa2", "ethics_commonsense", "ethics_justice", "scruples", "synthetic", "truthfulqa"]
