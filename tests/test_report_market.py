"""The report's prediction-market tables: closing price vs the baselines and the other protocols,
and trader profit by model, checked by hand against the logs' per-sample scores."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, get_model

from inspect_market.cli import main
from inspect_market.report.load import GROUP, fields_of, load_logs
from inspect_market.report.market import comparison_table, playing_roles, profit_table
from inspect_market.world import Agent
from inspect_market.world.bindings import agent_args
from tests.mocks import metrics

N = 12
STRONG, WEAK, WEAK_3, OTHER_WEAK, STRANGER = (0.8, 1), (0.3, 2), (0.3, 3), (0.5, 2), (0.6, 9)
"""Simulated agents as (skill, seed): each is its own model."""


def agent(skill: float, seed: int) -> Model:
    return get_model("simulated/default", memoize=False, **agent_args(Agent(skill, 0.5), seed))


def synthetic(
    log_dir: Path,
    solver: str,
    roles: dict[str, Model],
    main: Model | None = None,
    limit: int | None = None,
    **args: Any,
) -> EvalLog:
    """`solver` on the synthetic task with `roles` bound (the main model: `main`, else the
    first role's)."""
    [log] = eval(
        "inspect_market/synthetic",
        model=main or next(iter(roles.values())),
        model_roles=roles,
        task_args={"n": N, "world_seed": 1, "solver": solver, **args},
        limit=limit,
        log_dir=str(log_dir),
        display="none",
    )
    assert log.status == "success", log.error
    return log


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, EvalLog]]:
    """Markets `a` and `b` differ in trader_2's model only; in market `shared` both traders
    play the `trader` role's model. market_making (8 of the 12 samples) plays that model in
    both its roles (a's trader_2 too); `single_shot` a's and b's trader_1, `stranger` a model
    no market has."""
    log_dir = tmp_path_factory.mktemp("logs")
    strong, weak, weak_3 = agent(*STRONG), agent(*WEAK), agent(*WEAK_3)
    market = "prediction_market"
    runs = {
        "a": synthetic(log_dir, market, {"trader_1": strong, "trader_2": weak, "trader_3": weak_3}),
        "b": synthetic(
            log_dir,
            market,
            {"trader_1": strong, "trader_2": agent(*OTHER_WEAK), "trader_3": weak_3},
        ),
        "shared": synthetic(log_dir, market, {"trader": weak}, main=strong, traders=2),
        "market_making": synthetic(
            log_dir, "market_making", {"market_maker": weak, "trader": weak}, limit=8
        ),
        "single_shot": synthetic(log_dir, "single_shot", {"market_maker": strong}),
        "stranger": synthetic(log_dir, "single_shot", {"market_maker": agent(*STRANGER)}),
    }
    return log_dir, runs


@pytest.fixture(scope="module")
def tables(logs: tuple[Path, dict[str, EvalLog]]) -> dict[str, Any]:
    log_dir, runs = logs
    samples = load_logs([str(log_dir)]).samples
    keys = {
        name: tuple(samples.loc[samples["log"] == log.location, GROUP].iloc[0])
        for name, log in runs.items()
    }
    return {
        "keys": keys,
        "comparison": comparison_table(samples),
        "profit": profit_table(samples),
    }


def scores(log: EvalLog) -> dict[str, dict[str, float]]:
    """The dict score of each sample, by sample id."""
    return {str(s.id): s.scores["trajectory_scorer"].value for s in log.samples or []}  # type: ignore[misc]


def by_hand(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (sample std / sqrt(n))."""
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def rows_of(table: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    mask = (table[GROUP] == pd.Series(key, index=GROUP)).all(axis=1)
    return table[mask].set_index(table.columns[4]).drop(columns=GROUP)


def label(skill: float, seed: int) -> str:
    return f"simulated/default (seed={seed}, skill={skill})"


def test_a_numbered_role_plays_its_groups_model() -> None:
    def entry(name: str) -> dict[str, Any]:
        return {"model": name, "args": {}, "generate": {}, "base_url": None}

    fields = {
        "task": "t",
        "args": {},
        "main": entry("main"),
        "generate": {},
        "roles": {"trader": entry("group"), "trader_2": entry("own"), "debater": entry("x")},
        "limits": {},
        "data_sha256": "",
        "prompts": {},
        "version": "",
    }
    roles = ["trader_1", "trader_2", "debater_a", "market_maker"]
    flat = fields_of(json.dumps([fields, "p", {}]), roles)
    assert [flat[role] for role in roles] == ["group", "own", "main", "main"]


def test_the_roles_that_play() -> None:
    assert playing_roles("prediction_market", {"traders": 3}) == (
        "trader_1",
        "trader_2",
        "trader_3",
    )
    assert playing_roles("market_making", {}) == ("market_maker", "trader")
    assert playing_roles("market_making", {"traders": 2}) == (
        "market_maker",
        "trader_1",
        "trader_2",
    )
    assert playing_roles("single_shot", {}) == ("market_maker",)


def test_closing_price_vs_baselines_and_protocols_by_hand(
    logs: tuple[Path, dict[str, EvalLog]], tables: dict[str, Any]
) -> None:
    _, runs = logs
    market = scores(runs["a"])
    rows = rows_of(tables["comparison"], tables["keys"]["a"])

    def check(row: str, values: list[float], closing: list[float], left_out: str = "") -> None:
        mean, se = by_hand(values)
        assert rows.loc[row, "accuracy"] == pytest.approx(mean)
        assert rows.loc[row, "accuracy_se"] == pytest.approx(se)
        assert rows.loc[row, ["n", "epochs"]].tolist() == [len(values), 1]
        assert rows.loc[row, "closing_accuracy"] == pytest.approx(statistics.fmean(closing))
        assert rows.loc[row, "left_out"] == left_out

    closing = [s["final_correct"] for s in market.values()]
    check("closing price", closing, closing)
    assert rows.loc["closing price", "accuracy"] == pytest.approx(
        metrics(runs["a"])["final_accuracy"]
    )
    check(
        "traders' mean first belief (baseline)",
        [s["baseline_correct"] for s in market.values()],
        closing,
    )
    check(
        "majority vote of the first beliefs",
        [s["vote_baseline_correct"] for s in market.values()],
        closing,
    )
    firsts = {k: [s[f"trader_{k}_first_correct"] for s in market.values()] for k in (1, 2, 3)}
    best = max(firsts, key=lambda k: (statistics.fmean(firsts[k]), -k))
    [best_row] = [r for r in rows.index if r.startswith("best single trader")]
    assert best_row.startswith(f"best single trader: trader_{best} ")
    check(best_row, firsts[best], closing)
    assert rows.loc[best_row, "accuracy"] == pytest.approx(
        metrics(runs["a"])["best_single_trader_accuracy"]
    )
    single = scores(runs["single_shot"])
    check(
        f"single_shot final: market_maker={label(*STRONG)}",
        [s["final_correct"] for s in single.values()],
        closing,
    )
    assert len(rows) == 6
    # market making ran 8 of the 12 samples: compared on those 8, the closing price restated
    making, market = scores(runs["market_making"]), scores(runs["shared"])
    rows = rows_of(tables["comparison"], tables["keys"]["shared"])
    closing = [market[i]["final_correct"] for i in making]
    assert len(making) == 8 and statistics.fmean(closing) != rows.loc["closing price", "accuracy"]
    check(
        f"market_making final: market_maker={label(*WEAK)}, trader={label(*WEAK)}",
        [s["final_correct"] for s in making.values()],
        closing,
        "on the 8 ids both ran; 4 of the market's and 0 of this run's left out",
    )


def test_configurations_differing_in_one_traders_model_are_never_pooled(
    logs: tuple[Path, dict[str, EvalLog]], tables: dict[str, Any]
) -> None:
    _, runs = logs
    comparison, profit, keys = tables["comparison"], tables["profit"], tables["keys"]
    assert keys["a"] != keys["b"]
    for name in ("a", "b", "shared"):
        rows = rows_of(comparison, keys[name])
        assert rows.loc["closing price", "n"] == N
        assert rows.loc["closing price", "accuracy"] == pytest.approx(
            metrics(runs[name])["final_accuracy"]
        )
    # three row sets, one per market: market making played a's trader_2 and shared's traders'
    # model, not b's; single shot a trader of a and b, the stranger's model none
    compared = comparison.groupby(GROUP)["compared"].apply(list).to_dict()
    assert set(compared) == {keys["a"], keys["b"], keys["shared"]}
    assert [c.split(":")[0] for c in compared[keys["a"]][4:]] == [
        "market_making final",
        "single_shot final",
    ]
    assert [c.split(":")[0] for c in compared[keys["b"]][4:]] == ["single_shot final"]
    assert [c.split(":")[0] for c in compared[keys["shared"]][4:]] == ["market_making final"]
    assert not any(label(*STRANGER) in c for cs in compared.values() for c in cs)
    # each market's trader_2 row is its own model and its own profits
    trader_2 = {name: rows_of(profit, keys[name]).loc["trader_2"] for name in ("a", "b")}
    assert trader_2["a"]["trader_model"] == label(*WEAK)
    assert trader_2["b"]["trader_model"] == label(*OTHER_WEAK)
    for name in ("a", "b"):
        assert trader_2[name]["mean_profit"] == pytest.approx(
            metrics(runs[name])["trader_2_mean_profit"]
        )


def test_trader_profit_by_hand(
    logs: tuple[Path, dict[str, EvalLog]], tables: dict[str, Any]
) -> None:
    _, runs = logs
    profit, keys = tables["profit"], tables["keys"]
    market = scores(runs["a"]).values()
    rows = rows_of(profit, keys["a"])
    assert rows.index.tolist() == ["trader_1", "trader_2", "trader_3"]
    for k, model in ((1, STRONG), (2, WEAK), (3, WEAK_3)):
        row = rows.loc[f"trader_{k}"]
        assert row["trader_model"] == label(*model)
        mean, se = by_hand([s[f"trader_{k}_profit"] for s in market])
        assert (row["mean_profit"], row["profit_se"]) == pytest.approx((mean, se))
        mean, se = by_hand([s[f"trader_{k}_first_correct"] for s in market])
        assert (row["first_accuracy"], row["first_accuracy_se"]) == pytest.approx((mean, se))
        assert row["n"] == N
    # both traders of `shared` play the `trader` role's model: each role, then their mean
    shared = scores(runs["shared"]).values()
    rows = rows_of(profit, keys["shared"])
    assert rows.index.tolist() == ["trader_1", "trader_2", "trader_1, trader_2: mean per role"]
    assert set(rows["trader_model"]) == {label(*WEAK)}
    mean, se = by_hand([(s["trader_1_profit"] + s["trader_2_profit"]) / 2 for s in shared])
    row = rows.loc["trader_1, trader_2: mean per role"]
    assert (row["mean_profit"], row["profit_se"]) == pytest.approx((mean, se))


def test_the_report_shows_both_tables(
    logs: tuple[Path, dict[str, EvalLog]], tmp_path: Path
) -> None:
    log_dir, _ = logs
    for fmt in ("md", "html", "csv"):
        out = tmp_path / fmt
        assert main(["report", str(log_dir), "--out", str(out), "--format", fmt]) == 0
        index = next(out.glob("index.*")).read_text()
        for title in ("vs market making", "trader profit by model"):
            assert title in index, (fmt, title)
    shown = (tmp_path / "md" / "index.md").read_text()
    assert "| Compared | n | Accuracy, % | Accuracy SE, points |" in shown
    assert "| Trader role | Its model | n | First belief, % |" in shown
    assert "<th>Compared</th>" in (tmp_path / "html" / "index.html").read_text()
    csv = pd.read_csv(tmp_path / "csv" / "market_comparison.csv")
    assert csv["accuracy"].between(0, 1).all() and len(csv) == 6 + 5 + 5
    assert len(pd.read_csv(tmp_path / "csv" / "trader_profit.csv")) == 3 + 3 + 3
