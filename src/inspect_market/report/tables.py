"""Per-sample rows -> the report's tables: per-group statistics, the paper table, the rest.

Accuracy, flips, Brier and parse-failure rate reuse the scorer's metric functions, so a table
computed from a log equals the metrics logged with it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from ..scorers.metrics import defined_mean, flip_rate, mean_of, ratio_of
from .load import GROUP
from .power import minimum_detectable_effect
from .stats import (
    bootstrap_ci,
    discordant_pairs,
    ece,
    mcnemar_exact,
    paired_bootstrap_ci,
)

POINTS = 100.0
"""Accuracies and gains are shown in percentage points, as in the paper."""


def group_stats(samples: pd.DataFrame, seed: int = 0) -> dict[str, float]:
    """The statistics of one group of rows (accuracies as fractions).

    n counts samples (ids) and `epochs` the rows per sample: the net-gain CI and the McNemar
    test take one averaged difference per sample, the final-accuracy CI (`final_accuracy_low`,
    `_high`) one mean per sample, so repeated epochs add no evidence. `mde`: the net gain the
    McNemar test detects with 80% power at alpha 0.05 on these n samples, their discordant
    share held (`power.minimum_detectable_effect`). Cost, parse failures and
    calibration only when the rows carry them (replayed rows do not).
    """
    records = cast(Sequence[Mapping[str, Any]], samples.to_dict("records"))
    before, after, ids = samples["baseline_correct"], samples["final_correct"], samples["id"]
    low, high = paired_bootstrap_ci(before, after, ids, seed=seed)
    final_low, final_high = bootstrap_ci(after, ids, seed=seed)
    n = ids.nunique()
    stats = {
        "n": float(n),
        "epochs": len(samples) / ids.nunique(),
        "baseline_accuracy": mean_of(records, "baseline_correct"),
        "final_accuracy": mean_of(records, "final_correct"),
        "final_accuracy_low": final_low,
        "final_accuracy_high": final_high,
        "net_gain_low": low,
        "net_gain_high": high,
        "mcnemar_p": mcnemar_exact(before, after, ids),
        "mde": minimum_detectable_effect(n, sum(discordant_pairs(before, after, ids)) / n),
        "flip_to_correct": flip_rate(records, 0, 1),
        "flip_to_wrong": flip_rate(records, 1, 0),
        "mean_judgments": mean_of(records, "judgments"),
    }
    stats["net_gain"] = stats["final_accuracy"] - stats["baseline_accuracy"]
    if "calls" in samples:
        stats |= {
            "mean_calls": mean_of(records, "calls"),
            "mean_tokens": mean_of(records, "input_tokens") + mean_of(records, "output_tokens"),
            "parse_failure_rate": ratio_of(records, "parse_failures", "judgments"),
        }
        binary = bool((samples["options"] == 0).all())
        for which in ("baseline", "final"):
            p, label = samples[f"{which}_p"], samples["label"]
            stats[f"brier_{which}"] = defined_mean(records, f"squared_error_{which}")
            # the calibration of one p: binary questions only
            stats[f"ece_{which}"] = ece(p, label) if binary else np.nan
            stats[f"log_loss_{which}"] = defined_mean(records, f"log_loss_{which}")
    return stats


def summarize(samples: pd.DataFrame, by: Sequence[str] = GROUP, seed: int = 0) -> pd.DataFrame:
    """One row of `group_stats` per group of `by`, sorted by the group."""
    rows = [
        {**dict(zip(by, cast(tuple[Any, ...], key), strict=True)), **group_stats(group, seed)}
        for key, group in samples.groupby(list(by), sort=True)
    ]
    return pd.DataFrame(rows, columns=None if rows else [*by, "n"])


def sample_count(n: float, epochs: float) -> str:
    """'4' samples, or '4 x 3' for 4 samples of 3 epochs (rows per sample)."""
    return f"{n:g}" if epochs == 1 or n == 0 else f"{n:g} x {epochs:.3g}"


def signed_points(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value * POINTS:+.1f}"


def gain_cell(row: Mapping[Hashable, Any]) -> str:
    """Net gain, its CI and the accuracies behind it: '+25.0 [-25.0, +75.0] (50.0 -> 75.0)'."""
    return (
        f"{signed_points(row['net_gain'])} "
        f"[{signed_points(row['net_gain_low'])}, {signed_points(row['net_gain_high'])}] "
        f"({row['baseline_accuracy'] * POINTS:.1f} -> {row['final_accuracy'] * POINTS:.1f})"
    )


def matrix_cell(cell: Mapping[Hashable, Any], sep: str = " ") -> str:
    """A cross-model cell: '+12.5 [+4.0, +21.0] n=200' (points; `sep` between the parts)."""
    interval = f"[{signed_points(cell['net_gain_low'])}, {signed_points(cell['net_gain_high'])}]"
    return f"{signed_points(cell['net_gain'])}{sep}{interval}{sep}n={cell['n']:g}"


def row_labels(summary: pd.DataFrame) -> pd.Series:
    """The model, and the variant in brackets when there is one: 'mockllm/m [trader=mockllm/t]'."""
    return summary["model"].where(
        summary["variant"] == "", summary["model"] + " [" + summary["variant"] + "]"
    )


def paper_tables(summary: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per protocol: rows = model (and variant), columns = task, cells = `gain_cell` (the
    paper's table shape)."""
    tables = {}
    for protocol, rows in summary.groupby("protocol", sort=True):
        cells = rows.assign(
            model=row_labels(rows), cell=[gain_cell(r) for r in rows.to_dict("records")]
        )
        table = cells.pivot(index="model", columns="task", values="cell").fillna("")
        table.columns.name = None
        tables[str(protocol)] = table.reset_index()
    return tables


def task_tables(summary: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per task: one row per protocol (and model, variant) with `TASK_COLUMNS`."""
    return {
        str(task): rows[TASK_COLUMNS].sort_values(
            ["protocol", "model", "variant"], ignore_index=True
        )
        for task, rows in summary.groupby("task", sort=True)
    }


def matrix_tables(matrix: pd.DataFrame) -> dict[tuple[str, str, str], pd.DataFrame]:
    """Per (task, protocol, setting): rows = judging model, columns = arguing model, cells =
    `matrix_cell` ('' for a pairing not run)."""
    tables = {}
    for (task, protocol, setting), cells in matrix.groupby(["task", "protocol", "setting"]):
        [judge], [arguer] = cells["judge_role"].unique(), cells["arguer_role"].unique()
        shown = cells.assign(cell=[matrix_cell(c) for c in cells.to_dict("records")])
        table = shown.pivot(index="judge_model", columns="arguer_model", values="cell")
        table = table.fillna("").rename_axis(index=f"{judge} \u2193 {arguer} \u2192", columns=None)
        tables[(str(task), str(protocol), str(setting))] = table.reset_index()
    return tables


TASK_ORDER = ["protocol", "model", "variant"]
"""Rows of a task's table: by protocol, then model and variant."""
_GAIN_COLUMNS = [
    "n",
    "epochs",
    "baseline_accuracy",
    "final_accuracy",
    "net_gain",
    "net_gain_low",
    "net_gain_high",
    "mcnemar_p",
    "mde",
]
"""What every results table shows of a configuration's gain, in this order."""
TASK_COLUMNS = ["task", *TASK_ORDER, *_GAIN_COLUMNS, "mean_calls", "mean_tokens"]
PROTOCOL_COLUMNS = [
    *GROUP,
    *_GAIN_COLUMNS,
    "flip_to_correct",
    "flip_to_wrong",
    "mean_judgments",
    "mean_calls",
    "mean_tokens",
    "parse_failure_rate",
]
CALIBRATION_COLUMNS = [
    *GROUP,
    "n",
    "epochs",
    *(f"{m}_{w}" for m in ("brier", "ece", "log_loss") for w in ("baseline", "final")),
]
REPLAY_COLUMNS = [
    *GROUP,
    "threshold",
    "max_judgments",
    "n",
    "epochs",
    "not_computable",
    "baseline_accuracy",
    "final_accuracy",
    "net_gain",
    "net_gain_low",
    "net_gain_high",
    "mean_judgments",
]


def protocol_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per task and protocol: accuracy, net gain with CI, McNemar p, minimum detectable effect,
    flips, cost, parse failures."""
    return summary[PROTOCOL_COLUMNS].sort_values(["task", "protocol", "model"], ignore_index=True)


def calibration_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Brier score, ECE and log loss of baseline and final p per group."""
    return summary[CALIBRATION_COLUMNS]


def replay_table(replayed: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Net gain per group and replayed rule over the computable samples; the others counted."""
    if replayed.empty:
        return pd.DataFrame(columns=REPLAY_COLUMNS)
    by = [*GROUP, "threshold", "max_judgments"]
    counts = (
        replayed.assign(not_computable=~replayed["computable"].astype(bool))
        .groupby(by, as_index=False)["not_computable"]
        .sum()
    )
    computable = replayed[replayed["computable"].astype(bool)]
    columns = ["id", "baseline_correct", "final_correct", "judgments", *by]
    answered = summarize(computable[columns], by, seed)
    table = counts.merge(answered, on=by, how="left")
    table["n"] = table["n"].fillna(0.0)
    result: pd.DataFrame = table.reindex(columns=REPLAY_COLUMNS)
    return result


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table (pipes in cells escaped)."""

    def row(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [row(list(table.columns)), row(["---"] * len(table.columns))]
    lines += [row(list(r)) for r in table.itertuples(index=False)]
    return "\n".join(lines)
