"""README stays true: its protocol table is the one the protocols' specs generate."""

from __future__ import annotations

from pathlib import Path

from inspect_market.solvers import protocol_name, protocol_table
from inspect_market.solvers.registry import PACKAGE_PROTOCOLS

README = Path(__file__).parents[1] / "README.md"


def test_readme_protocol_table_is_generated_from_the_specs() -> None:
    table = protocol_table([protocol_name(factory) for factory in PACKAGE_PROTOCOLS])
    assert table in README.read_text(), (
        "README's protocol table is stale; paste the output of "
        "`python -c 'from inspect_market.solvers import protocol_table; print(protocol_table())'`"
    )
    assert table.count("\n") == 1 + 7  # header, rule, seven protocols
