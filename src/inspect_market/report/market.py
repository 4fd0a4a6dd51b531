"""Prediction markets against their baselines and the other protocols, and the traders' profits.

Per prediction_market configuration: the closing price's accuracy, the traders' mean first
belief (the baseline), the majority vote of their first beliefs, the best single trader's first
belief, and the final accuracy of every market_making and single_shot configuration that ran
the same task in the same setting (`setting`) with none but the market's trader models. Each
comparison is exact: one configuration against one configuration, on the sample ids both ran
(the closing price is restated on those ids; ids only one of them ran are counted, never
guessed). And per trader role, the model it played and its profit at resolution.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..scorers.metrics import FIRST_CORRECT, PROFIT, stderr_of
from ..solvers import protocol_spec
from .load import GROUP, VOTE, fields_of, group_of
from .matrix import model_labels, model_of

MARKET = "prediction_market"
COMPARED = ("market_making", "single_shot")
"""The protocols whose final accuracy is set beside a market's closing price."""
COMPARISON_COLUMNS = [
    *GROUP,
    "compared",
    "n",
    "epochs",
    "accuracy",
    "accuracy_se",
    "closing_accuracy",
    "left_out",
]
PROFIT_COLUMNS = [
    *GROUP,
    "role",
    "trader_model",
    "n",
    "epochs",
    "first_accuracy",
    "first_accuracy_se",
    "mean_profit",
    "profit_se",
]


@dataclass(frozen=True)
class Run:
    """The rows of one configuration and the model (its flat fields) each playing role played."""

    key: dict[str, str]
    """Its `GROUP` values."""
    protocol: str
    config: str
    rows: pd.DataFrame
    models: dict[str, dict[str, str]]


def playing_roles(protocol: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The roles that make calls in a run: the spec's roles but a group whose numbered members
    play (`trader` beside `trader_1` ... `trader_K`)."""
    spec = protocol_spec(protocol)
    if spec is None:
        return ()
    roles = spec.roles(spec.params(dict(params)))
    groups = {group_of(role) for role in roles}
    return tuple(role for role in roles if role not in groups)


def setting(config: str) -> str:
    """What a compared run must share with a market: its configuration but the roles' models,
    the protocol, its parameters (given as task arguments too) and its template hashes."""
    fields, _, params = json.loads(config)
    shared = {key: fields[key] for key in ("task", "data_sha256", "generate", "limits", "version")}
    shared["args"] = {k: v for k, v in fields["args"].items() if k not in params}
    shared["prompt_set"] = fields["prompts"].get("set")
    return json.dumps(shared, sort_keys=True, default=str)


def _runs(samples: pd.DataFrame) -> list[Run]:
    """The prediction-market and compared configurations among `samples`."""
    runs = []
    for key, rows in samples.groupby([*GROUP, "config"], sort=True):
        first = rows.iloc[0]
        protocol = str(first["protocol_name"])
        if protocol in (MARKET, *COMPARED):
            roles = playing_roles(protocol, first["params"])
            config = str(key[-1])
            fields = fields_of(config, roles)
            group = {name: str(first[name]) for name in GROUP}
            runs.append(Run(group, protocol, config, rows, {r: model_of(fields, r) for r in roles}))
    return runs


def _identity(model: Mapping[str, str]) -> str:
    return json.dumps(model, sort_keys=True)


def _model_names(runs: Sequence[Run]) -> dict[str, str]:
    """A label per model played in `runs` (name and the settings in which the models differ)."""
    unique = {_identity(m): m for run in runs for m in run.models.values()}
    return dict(zip(unique, model_labels(list(unique.values())), strict=True))


def mean_and_se(
    values: pd.Series, ids: pd.Series, keep: pd.Index | None = None
) -> tuple[float, float, float, float]:
    """(n, epochs, mean, standard error) of `values` over the sample ids in `keep` (default
    all) where defined: one mean per sample id (over its epochs), so epochs add no evidence."""
    inside = values.notna()
    if keep is not None:
        inside &= ids.isin(keep)
    means = values[inside].groupby(ids[inside]).mean()
    n = len(means)
    epochs = float(inside.sum()) / n if n else 1.0
    mean = float(means.mean()) if n else math.nan
    return float(n), epochs, mean, stderr_of(means.tolist())


def _scores(run: Run, key: str) -> pd.Series:
    """A key of the run's `market_scores`, per row (NaN where a row has none)."""
    return pd.Series([s.get(key, math.nan) for s in run.rows["market_scores"]], run.rows.index)


def _left_out(market: int, compared: int, shared: int) -> str:
    if market == compared == shared:
        return ""
    if shared == 0:
        return "no sample id in common: not compared"
    return (
        f"on the {shared} ids both ran; {market - shared} of the market's and "
        f"{compared - shared} of this run's left out"
    )


def _matches(market: Run, run: Run) -> bool:
    """Whether `run` ran the market's task in its setting with none but its trader models."""
    traders = {_identity(m) for m in market.models.values()}
    return (
        run.protocol in COMPARED
        and setting(run.config) == setting(market.config)
        and all(_identity(m) in traders for m in run.models.values())
    )


def _market_rows(
    market: Run, runs: Sequence[Run], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The comparison rows of one market configuration."""
    rows, ids = market.rows, market.rows["id"]
    closing = rows["final_correct"]
    own = pd.Index(ids.unique())
    first = {role: _scores(market, f"{role}{FIRST_CORRECT}") for role in market.models}
    best = max(first, key=lambda role: mean_and_se(first[role], ids)[2])
    entries = [
        ("closing price", closing, ids),
        ("traders' mean first belief (baseline)", rows["baseline_correct"], ids),
        ("majority vote of the first beliefs", _scores(market, VOTE), ids),
        (
            f"best single trader: {best} ({names[_identity(market.models[best])]})",
            first[best],
            ids,
        ),
    ]
    matched = [run for run in runs if _matches(market, run)]
    labels = [
        f"{run.key['protocol']} final: "
        + ", ".join(f"{role}={names[_identity(m)]}" for role, m in run.models.items())
        for run in matched
    ]
    for run, label in zip(matched, labels, strict=True):
        # the variant tells apart runs of the same models that differ in something else
        variant = run.key["variant"] if labels.count(label) > 1 else ""
        shown = f"{label} [{variant}]" if variant else label
        entries.append((shown, run.rows["final_correct"], run.rows["id"]))
    table = []
    for label, values, of in entries:
        theirs = pd.Index(of.unique())
        shared = own.intersection(theirs)
        n, epochs, accuracy, se = mean_and_se(values, of, shared)
        table.append(
            {
                **market.key,
                "compared": label,
                "n": n,
                "epochs": epochs,
                "accuracy": accuracy,
                "accuracy_se": se,
                "closing_accuracy": mean_and_se(closing, ids, shared)[2],
                "left_out": _left_out(len(own), len(theirs), len(shared)),
            }
        )
    return table


def comparison_table(samples: pd.DataFrame) -> pd.DataFrame:
    """`COMPARISON_COLUMNS`: per prediction-market configuration, its closing price, its three
    baselines and each matching market_making and single_shot configuration (`_matches`)."""
    runs = _runs(samples)
    names = _model_names(runs)
    rows = [row for run in runs if run.protocol == MARKET for row in _market_rows(run, runs, names)]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _profit_row(market: Run, roles: Sequence[str], label: str, model: str) -> dict[str, Any]:
    """One trader role's (or the mean over several roles') first-belief accuracy and profit."""
    ids = market.rows["id"]
    first = pd.concat([_scores(market, f"{r}{FIRST_CORRECT}") for r in roles], axis=1)
    profit = pd.concat([_scores(market, f"{r}{PROFIT}") for r in roles], axis=1)
    _, _, accuracy, accuracy_se = mean_and_se(first.mean(axis=1), ids)
    n, epochs, mean_profit, profit_se = mean_and_se(profit.mean(axis=1), ids)
    return {
        **market.key,
        "role": label,
        "trader_model": model,
        "n": n,
        "epochs": epochs,
        "first_accuracy": accuracy,
        "first_accuracy_se": accuracy_se,
        "mean_profit": mean_profit,
        "profit_se": profit_se,
    }


def profit_table(samples: pd.DataFrame) -> pd.DataFrame:
    """`PROFIT_COLUMNS`: per prediction-market configuration and trader role, the model bound
    to it (else the `trader` role's, else the main model), its first belief's accuracy and its
    mean profit at resolution; then, per model that played several roles, the mean per role."""
    runs = [run for run in _runs(samples) if run.protocol == MARKET]
    names = _model_names(runs)
    rows = []
    for market in runs:
        by_model: dict[str, list[str]] = {}
        for role, model in market.models.items():
            by_model.setdefault(_identity(model), []).append(role)
            rows.append(_profit_row(market, [role], role, names[_identity(model)]))
        for identity, roles in by_model.items():
            if len(roles) > 1:
                label = f"{', '.join(roles)}: mean per role"
                rows.append(_profit_row(market, roles, label, names[identity]))
    return pd.DataFrame(rows, columns=PROFIT_COLUMNS)
