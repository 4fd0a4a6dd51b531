"""The trajectory's one save to the sample store."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from inspect_market.trajectory import TrajectoryData, save_trajectory


def test_a_bad_field_fails_the_save() -> None:
    trajectory = TrajectoryData(protocol="market_making")
    trajectory.stop_reason = "bored"  # type: ignore[assignment]
    with pytest.raises(ValidationError, match="stop_reason"):
        save_trajectory(trajectory)
