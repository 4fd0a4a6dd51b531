"""The report on disk: tables (markdown, CSV or HTML), figures, and an index tying them together."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from ..errors import InspectMarketError
from .load import GROUP, Loaded, simulated_on_real_data
from .market import comparison_table, profit_table
from .matrix import cross_model
from .plots import (
    accuracy_calls_figure,
    accuracy_data,
    accuracy_tokens_figure,
    draw,
    judgments_data,
    judgments_figure,
    matrix_figure,
    net_gain_data,
    net_gain_figure,
    price_paths_data,
    price_paths_figure,
    reliability_data,
    reliability_figure,
)
from .replay import replay, skipped_rules
from .tables import (
    POINTS,
    calibration_table,
    markdown_table,
    matrix_tables,
    paper_tables,
    protocol_table,
    replay_table,
    row_labels,
    sample_count,
    signed_points,
    summarize,
    task_tables,
)

Format = Literal["md", "csv", "html"]
ReplayRules = tuple[list[float | None], list[int | None]]
"""Replayed thresholds and max judgments (None: the run's own value)."""
FORMATS: tuple[Format, ...] = ("md", "csv", "html")

POINT_COLUMNS = {
    "baseline_accuracy",
    "final_accuracy",
    "net_gain",
    "mde",
    "flip_to_correct",
    "flip_to_wrong",
    "parse_failure_rate",
    "accuracy",
    "accuracy_se",
    "closing_accuracy",
    "first_accuracy",
    "first_accuracy_se",
}
"""Fractions shown in points (%) in markdown and HTML; CSV keeps the fractions."""
HEADERS = {
    "task": "Task",
    "model": "Model",
    "protocol": "Protocol",
    "n": "n",
    "baseline_accuracy": "Baseline, %",
    "final_accuracy": "Final, %",
    "net_gain": "Net gain, points [95% CI]",
    "mcnemar_p": "McNemar p",
    "mde": "MDE, points",
    "flip_to_correct": "Wrong to right, %",
    "flip_to_wrong": "Right to wrong, %",
    "mean_judgments": "Judgments per sample",
    "mean_calls": "Calls per sample",
    "mean_tokens": "Tokens per sample",
    "parse_failure_rate": "Parse failures, % of judgments",
    **{
        f"{metric}_{which}": f"{name}, {which}"
        for metric, name in (("brier", "Brier"), ("ece", "ECE"), ("log_loss", "Log loss"))
        for which in ("baseline", "final")
    },
    "threshold": "Threshold",
    "max_judgments": "Max judgments",
    "not_computable": "Not computable",
    "log": "Log",
    "samples": "Samples",
    "path": "Path",
    "reason": "Reason",
    "compared": "Compared",
    "accuracy": "Accuracy, %",
    "accuracy_se": "Accuracy SE, points",
    "closing_accuracy": "Closing price, same samples, %",
    "left_out": "Samples left out",
    "role": "Trader role",
    "trader_model": "Its model",
    "first_accuracy": "First belief, %",
    "first_accuracy_se": "First belief SE, points",
    "mean_profit": "Mean profit",
    "profit_se": "Profit SE",
}
"""Column headers in markdown and HTML, with the unit each column is shown in."""
ORIGINAL = {header: column for column, header in HEADERS.items()}


@dataclass(frozen=True)
class Section:
    name: str
    """File stem of the table."""
    title: str
    note: str
    table: pd.DataFrame


def _number(column: str, value: float) -> str:
    """A cell of a numeric column in the unit its header states, never in scientific notation."""
    if pd.isna(value):
        return "n/a"
    if column in POINT_COLUMNS:
        return f"{value * POINTS:.1f}"
    if column == "mcnemar_p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    if column in ("mean_tokens", "not_computable"):
        return f"{value:,.0f}"
    if column in ("mean_judgments", "mean_calls"):
        return f"{value:,.1f}"
    if column in ("mean_profit", "profit_se"):
        return f"{value:,.2f}"
    if column in ("threshold", "max_judgments"):
        return f"{value:g}"
    return f"{value:,.3f}"


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The table as shown in markdown and HTML: headers with units (`HEADERS`), fractions as
    points, the net gain with its CI in one cell, n as samples x epochs, the variant in the
    model's label (no variant column)."""
    shown = table.copy()
    if "epochs" in shown:
        shown["n"] = [sample_count(n, e) for n, e in zip(shown["n"], shown["epochs"], strict=True)]
        shown = shown.drop(columns="epochs")
    if "variant" in shown:
        shown = shown.assign(model=row_labels(shown)).drop(columns="variant")
    if "net_gain_low" in shown:
        shown["net_gain"] = [
            f"{signed_points(gain)} [{signed_points(low)}, {signed_points(high)}]"
            for gain, low, high in zip(
                shown["net_gain"], shown["net_gain_low"], shown["net_gain_high"], strict=True
            )
        ]
        shown = shown.drop(columns=["net_gain_low", "net_gain_high"])
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = [_number(str(column), v) for v in shown[column]]
    return shown.rename(columns=HEADERS)


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_")


def log_list(loaded: Loaded) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(included logs with their groups and sample counts, excluded paths with reasons)."""
    samples = loaded.samples
    included = (
        samples.groupby(["log", *GROUP], as_index=False).size().rename(columns={"size": "samples"})
    )
    excluded = pd.DataFrame(
        [(e.path, e.reason) for e in loaded.excluded], columns=["path", "reason"]
    )
    return included, excluded


def shown_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix's cells of the (task, protocol, setting) groups with at least two judging or
    two arguing models: the ones where the matrix says something."""
    keys = ["task", "protocol", "setting"]
    models = matrix.groupby(keys)[["judge_model", "arguer_model"]].transform("nunique")
    result: pd.DataFrame = matrix[(models > 1).any(axis=1)]
    return result


def market_sections(samples: pd.DataFrame) -> list[Section]:
    """The prediction-market comparison and trader-profit tables (none without a market)."""
    comparison = comparison_table(samples)
    if comparison.empty:
        return []
    return [
        Section(
            "market_comparison",
            "Prediction market: closing price vs vote vs best single trader vs market making",
            "Per prediction-market configuration: accuracy (SE over sample ids) of its closing "
            "price, of the traders' mean first belief, of the majority vote of their first "
            "beliefs and of the best trader's first belief (the best chosen on these samples, "
            "so it flatters), then the final accuracy of each market_making and single_shot "
            "configuration on the same task and data, in the same settings and prompt set, "
            "whose every role played one of the market's trader models (an unbound role plays "
            "the main model). Each is one configuration, never pooled, compared on the sample "
            "ids both ran; the closing price is restated on those ids.",
            comparison,
        ),
        Section(
            "trader_profit",
            "Prediction market: trader profit by model",
            "Per configuration and trader role: the model it played (bound to the role, else "
            "to `trader`, else the main model), the accuracy of its first belief and its mean "
            "profit at resolution (shares of the true outcome pay 1, less their cost), with "
            "standard errors over sample ids. A model that played several roles gets a further "
            "row, the mean over those roles, labelled so.",
            profit_table(samples),
        ),
    ]


def sections(
    samples: pd.DataFrame,
    summary: pd.DataFrame,
    matrix: pd.DataFrame,
    replay_rules: ReplayRules | None,
    seed: int,
) -> list[Section]:
    """Every result table of the report, in reading order."""
    result = [
        Section(
            f"task_{_slug(task)}",
            f"Results: {task}",
            "Accuracies of the first (baseline) and last (final) judgment; net gain with a "
            "paired 95% bootstrap CI over sample ids; McNemar: exact two-sided test; MDE: the "
            "smallest net gain that test detects with 80% power at alpha 0.05 on this n; "
            "calls and tokens per sample.",
            table,
        )
        for task, table in task_tables(summary).items()
    ]
    result += [
        Section(
            f"cross_model_{_slug(f'{task} {protocol} {setting}')}",
            f"Cross-model net gain: {protocol} on {task}" + (f" ({setting})" if setting else ""),
            "Rows: the judging role's model; columns: the arguing role's model (an unbound "
            "role plays the main model). Cells: net gain in points [paired 95% bootstrap CI] "
            "and n; empty: that pairing was not run.",
            table,
        )
        for (task, protocol, setting), table in matrix_tables(matrix).items()
    ]
    gain = (
        "cells: net gain in points [paired 95% bootstrap CI over sample ids] "
        "(baseline -> final accuracy)"
    )
    result += [
        Section(f"net_gain_{_slug(protocol)}", f"Net gain: {protocol}", gain, table)
        for protocol, table in paper_tables(summary).items()
    ]
    result += [
        Section(
            "protocols",
            "Protocol comparison",
            "McNemar: exact two-sided test on the baseline/final pairs; MDE: the smallest net "
            "gain (points) that test detects with 80% power at alpha 0.05 on this n if the "
            "share of samples that flip stays as observed (n/a: none would; "
            "`inspect-market plan`); flips: share of samples; "
            "calls and tokens: per sample; parse failures: share of judgments.",
            protocol_table(summary),
        ),
        Section(
            "calibration",
            "Calibration",
            "Of p = probability of the positive claim, parsed p's only; ECE over 10 equal-width "
            "bins, [i/10, (i+1)/10) with 1.0 in the last; log loss of the true outcome's "
            "probability clipped to [1e-6, 1 - 1e-6]. On questions with K options (tasks "
            "named `_mc`) Brier is the sum of the squared errors over the options (twice the "
            "binary score on two), and ECE is n/a.",
            calibration_table(summary),
        ),
    ]
    result += market_sections(samples)
    if replay_rules is not None:
        replayed = replay(samples, *replay_rules)
        skipped = skipped_rules(samples, *replay_rules)
        result.append(
            Section(
                "replay",
                "Threshold replay (market making, from the stored p sequences, no model call)",
                "Net gain over the computable samples. Not computable: samples (x epochs) whose "
                "run stopped before the replayed rule would have; left out, never guessed."
                + "".join(f" Skipped: {line}." for line in skipped),
                replay_table(replayed, seed),
            )
        )
    return result


def figures(
    samples: pd.DataFrame, summary: pd.DataFrame, matrix: pd.DataFrame, out: Path
) -> list[tuple[str, Path]]:
    """Draw the figures into `out`, each with its data as CSV; (caption, PNG path) each."""
    accuracy = accuracy_data(summary)
    drawn = [
        (
            "Net gain (points, 95% CI) per protocol; one panel per task and model",
            draw(net_gain_data(summary), net_gain_figure, out / "net_gain.png"),
        ),
        (
            "Judgments until stop (share of samples); one panel per task and model",
            draw(judgments_data(samples), judgments_figure, out / "judgments.png"),
        ),
        (
            "Final accuracy (95% CI) against tokens per sample, per task and model",
            draw(accuracy, accuracy_tokens_figure, out / "accuracy.png"),
        ),
        (
            "Final accuracy (95% CI) against calls per sample, per task and model",
            draw(accuracy, accuracy_calls_figure, out / "accuracy_calls.png"),
        ),
    ]
    reliability = reliability_data(samples)
    if not reliability.empty:  # binary questions only
        drawn.insert(
            1,
            (
                "Reliability of baseline vs final p, with the p's per bin; one panel per "
                "configuration",
                draw(reliability, reliability_figure, out / "reliability.png"),
            ),
        )
    paths = price_paths_data(samples)
    if not paths.empty:
        drawn.append(
            (
                "Prediction markets: the price of the true outcome after each trade, sample paths "
                "and the mean",
                draw(paths, price_paths_figure, out / "price_paths.png"),
            )
        )
    if not matrix.empty:
        drawn.append(
            (
                "Cross-model net gain (points, 95% CI, n): judging model x arguing model",
                draw(matrix, matrix_figure, out / "cross_model.png"),
            )
        )
    return drawn


def _markdown(parts: list[Section], figs: list[tuple[str, Path]], fmt: Format, out: Path) -> str:
    lines = ["# inspect_market report", ""]
    for part in parts:
        lines += [f"## {part.title}", "", part.note, ""]
        if fmt == "csv":
            path = out / f"{part.name}.csv"
            part.table.to_csv(path, index=False)
            lines += [f"[{path.name}]({path.name})", ""]
        else:
            lines += [markdown_table(readable(part.table)) if len(part.table) else "(none)", ""]
    lines += ["## Figures", ""]
    for caption, path in figs:
        csv = path.with_suffix(".csv").name
        lines += [f"![{caption}]({path.name})", "", f"{caption}. Data: [{csv}]({csv})", ""]
    return "\n".join(lines)


STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a;
  max-width: 1500px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2.2em; padding-bottom: 4px; border-bottom: 2px solid #d6dde5; }
p.note { color: #4a5560; font-size: 0.9em; max-width: 78ch; }
nav { background: #f4f6f8; border: 1px solid #d6dde5; border-radius: 6px; padding: 8px 16px; }
nav ol { margin: 4px 0; padding-left: 20px; columns: 2; font-size: 0.9em; }
a { color: #1f5fa8; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85em; margin: 8px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e8ed; text-align: left;
  vertical-align: top; }
th { background: #eef2f6; border-bottom: 2px solid #b8c3ce; vertical-align: bottom; }
td { overflow-wrap: break-word; }
.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f8fafb; }
figure { margin: 20px 0 32px; }
figure img { max-width: 100%; border: 1px solid #e3e8ed; }
figcaption { font-size: 0.9em; color: #4a5560; margin-top: 4px; }
"""
"""The HTML report's inline style sheet (no fonts, scripts or anything else fetched)."""


def _cells(tag: str, values: Sequence[object], classes: Sequence[str]) -> str:
    return "".join(
        f"<{tag}{k}>{html.escape(str(v))}</{tag}>" for k, v in zip(classes, values, strict=True)
    )


def _html_table(table: pd.DataFrame) -> str:
    """The table as HTML: numeric columns right-aligned (class `num`), text left and wrapping."""
    if not len(table):
        return "<p>(none)</p>"
    shown = readable(table)
    columns = [ORIGINAL.get(str(header), str(header)) for header in shown.columns]
    classes = [
        ' class="num"' if c in table and pd.api.types.is_numeric_dtype(table[c]) else ""
        for c in columns
    ]
    rows = "".join(
        f"<tr>{_cells('td', row, classes)}</tr>" for row in shown.itertuples(index=False)
    )
    head = f"<thead><tr>{_cells('th', list(shown.columns), classes)}</tr></thead>"
    return f'<div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>'


def _html(parts: list[Section], figs: list[tuple[str, Path]]) -> str:
    anchors = [(f"t-{i}", part.title) for i, part in enumerate(parts)]
    anchors.append(("figures", "Figures"))
    toc = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t in anchors)
    body = ["<h1>inspect_market report</h1>", f"<nav><ol>{toc}</ol></nav>"]
    for (anchor, _), part in zip(anchors, parts, strict=False):
        body += [
            f'<h2 id="{anchor}">{html.escape(part.title)}</h2>',
            f'<p class="note">{html.escape(part.note)}</p>' if part.note else "",
            _html_table(part.table),
        ]
    body.append('<h2 id="figures">Figures</h2>')
    for caption, path in figs:
        csv = path.with_suffix(".csv").name
        body.append(
            f'<figure><img src="{path.name}" alt="{html.escape(caption)}"><figcaption>'
            f'{html.escape(caption)}. Data: <a href="{csv}">{csv}</a></figcaption></figure>'
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>inspect_market report</title>"
        f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_report(
    loaded: Loaded,
    out: Path,
    fmt: Format = "md",
    replay_rules: ReplayRules | None = None,
    seed: int = 0,
) -> Path:
    """Write tables, figures and the index into `out`; the index's path.

    A directory that cannot be made or written is one InspectMarketError.
    """
    try:
        return _write_report(loaded, out, fmt, replay_rules, seed)
    except OSError as error:
        raise InspectMarketError(
            f"cannot write the report to {out}: {error.strerror or error}"
        ) from None


def _write_report(
    loaded: Loaded, out: Path, fmt: Format, replay_rules: ReplayRules | None, seed: int
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    included, excluded = log_list(loaded)
    parts = [
        Section("logs", "Logs included", "", included),
        Section("excluded", "Logs and samples left out", "Not in any table below.", excluded),
    ]
    flagged = simulated_on_real_data(loaded.samples) if not loaded.samples.empty else []
    if flagged:
        parts.append(
            Section(
                "simulated_on_real_data",
                "Simulated agents on a real dataset",
                "These rows ran `simulated` agents on a real task: the agents know nothing about "
                "its questions (skill and persuadability apply to the synthetic task only), so "
                "they measure the simulation's rules, not the task.",
                pd.DataFrame({"result": flagged}),
            )
        )
    figs: list[tuple[str, Path]] = []
    if not loaded.samples.empty:
        summary = summarize(loaded.samples, seed=seed)
        matrix = shown_matrix(cross_model(summary, loaded.samples))
        parts += sections(loaded.samples, summary, matrix, replay_rules, seed)
        figs = figures(loaded.samples, summary, matrix, out)
    if fmt == "html":
        index = out / "index.html"
        index.write_text(_html(parts, figs), encoding="utf-8")
    else:
        index = out / "index.md"
        index.write_text(_markdown(parts, figs, fmt, out), encoding="utf-8")
    return index
