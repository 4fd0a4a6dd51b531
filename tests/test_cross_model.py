"""The cross-model matrix on the simulated world: market maker skill x trader skill, against
the world's closed form (benchmarks/cross_model.py at a small n)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from inspect_market.report.load import load_logs
from inspect_market.report.matrix import cross_model
from inspect_market.report.tables import summarize

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "cross_model.py"
N = 60


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cross_model", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cross_model"] = module
    spec.loader.exec_module(module)
    return module


def test_matrix_cells_match_the_closed_form(bench: ModuleType, tmp_path: Path) -> None:
    bench.run_grid(tmp_path, N)
    samples = load_logs([str(tmp_path)]).samples
    summary = summarize(samples)
    matrix = cross_model(summary, samples)
    skills = [str(s) for s in bench.SKILLS]
    assert sorted(matrix["judge_model"].unique()) == [
        f"simulated/default (skill={s})" for s in skills
    ]
    assert sorted(matrix["arguer_model"].unique()) == [
        f"simulated/default (skill={s})" for s in skills
    ]
    assert len(matrix) == 9 and set(matrix["n"]) == {N}
    # each cell is the run whose main model (the market maker) and trader have those skills
    for cell in matrix.to_dict("records"):
        variant = (
            f"model.args.skill={bench.skill_of(cell['judge_model'])}, "
            f"trader.args.skill={bench.skill_of(cell['arguer_model'])}"
        )
        [gain] = summary.loc[summary["variant"] == variant, "net_gain"]
        assert cell["net_gain"] == gain
    table = bench.compare(matrix)
    # closed form by hand for one cell: (1 - 0.2) * 0.8 * 0.8 / 2 = 0.256
    weak_strong = table[(table.market_maker_skill == 0.2) & (table.trader_skill == 0.8)]
    assert list(weak_strong["expected"]) == [pytest.approx(0.256)]
    assert (table["z"].abs() <= bench.TOLERANCE).all(), table
