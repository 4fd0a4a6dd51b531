"""The report on disk: tables (markdown, CSV or HTML), figures, and an index tying them together."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from ..errors import InspectMarketError
from .load import GROUP, Loaded, simulated_on_real_data
from .plots import (
    accuracy_calls_plot,
    accuracy_tokens_plot,
    judgments_plot,
    net_gain_plot,
    reliability_plot,
)
from .replay import replay, skipped_rules
from .tables import (
    POINTS,
    calibration_table,
    markdown_table,
    paper_tables,
    protocol_table,
    replay_table,
    sample_count,
    summarize,
)

Format = Literal["md", "csv", "html"]
ReplayRules = tuple[list[float | None], list[int | None]]
"""Replayed thresholds and max judgments (None: the run's own value)."""
FORMATS: tuple[Format, ...] = ("md", "csv", "html")

POINT_COLUMNS = {
    "baseline_accuracy",
    "final_accuracy",
    "net_gain",
    "net_gain_low",
    "net_gain_high",
    "mde",
    "flip_to_correct",
    "flip_to_wrong",
    "parse_failure_rate",
}
"""Fractions shown in points (%) in markdown and HTML; CSV keeps the fractions."""


@dataclass(frozen=True)
class Section:
    name: str
    """File stem of the table."""
    title: str
    note: str
    table: pd.DataFrame


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Fractions as points with one decimal, other floats with three; n as samples x epochs."""
    shown = table.copy()
    if "epochs" in shown:
        shown["n"] = [sample_count(n, e) for n, e in zip(shown["n"], shown["epochs"], strict=True)]
        shown = shown.drop(columns="epochs")
    for column in shown.columns:
        if column in POINT_COLUMNS:
            shown[column] = [f"{v * POINTS:.1f}" if pd.notna(v) else "n/a" for v in shown[column]]
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = [f"{v:.3g}" if pd.notna(v) else "n/a" for v in shown[column]]
    return shown


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


def sections(
    samples: pd.DataFrame,
    summary: pd.DataFrame,
    replay_rules: ReplayRules | None,
    seed: int,
) -> list[Section]:
    """Every result table of the report, in reading order."""
    gain = (
        "cells: net gain in points [paired 95% bootstrap CI over sample ids] "
        "(baseline -> final accuracy)"
    )
    result = [
        Section(f"net_gain_{_slug(protocol)}", f"Net gain: {protocol}", gain, table)
        for protocol, table in paper_tables(summary).items()
    ]
    result += [
        Section(
            "protocols",
            "Protocol comparison",
            "McNemar: exact two-sided test on the baseline/final pairs; mde: the smallest net "
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
            "bins, [i/10, (i+1)/10) with 1.0 in the last; log loss with p clipped to "
            "[1e-6, 1 - 1e-6].",
            calibration_table(summary),
        ),
    ]
    if replay_rules is not None:
        replayed = replay(samples, *replay_rules)
        skipped = skipped_rules(samples, *replay_rules)
        result.append(
            Section(
                "replay",
                "Threshold replay (market making, from the stored p sequences, no model call)",
                "Net gain over the computable samples. not_computable: samples (x epochs) whose "
                "run stopped before the replayed rule would have; left out, never guessed."
                + "".join(f" Skipped: {line}." for line in skipped),
                replay_table(replayed, seed),
            )
        )
    return result


def figures(samples: pd.DataFrame, summary: pd.DataFrame, out: Path) -> list[tuple[str, Path]]:
    """Draw the figures into `out`; (caption, path) each."""
    return [
        ("Net gain by task and model, 95% CI", net_gain_plot(summary, out / "net_gain.png")),
        ("Reliability of baseline vs final p", reliability_plot(samples, out / "reliability.png")),
        ("Judgments until stop", judgments_plot(samples, out / "judgments.png")),
        ("Final accuracy against tokens", accuracy_tokens_plot(summary, out / "accuracy.png")),
        (
            "Final accuracy (95% CI) against calls per sample, per task and model",
            accuracy_calls_plot(summary, out / "accuracy_calls.png"),
        ),
    ]


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
    lines += [f"![{caption}]({path.name})\n" for caption, path in figs]
    return "\n".join(lines)


def _html(parts: list[Section], figs: list[tuple[str, Path]]) -> str:
    body = ["<h1>inspect_market report</h1>"]
    for part in parts:
        table = readable(part.table).to_html(index=False) if len(part.table) else "<p>(none)</p>"
        body += [f"<h2>{html.escape(part.title)}</h2>", f"<p>{html.escape(part.note)}</p>", table]
    body.append("<h2>Figures</h2>")
    body += [
        f'<figure><img src="{p.name}"><figcaption>{html.escape(c)}</figcaption></figure>'
        for c, p in figs
    ]
    return "<!doctype html>\n<html><body>\n" + "\n".join(body) + "\n</body></html>\n"


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
        parts += sections(loaded.samples, summary, replay_rules, seed)
        figs = figures(loaded.samples, summary, out)
    if fmt == "html":
        index = out / "index.html"
        index.write_text(_html(parts, figs), encoding="utf-8")
    else:
        index = out / "index.md"
        index.write_text(_markdown(parts, figs, fmt, out), encoding="utf-8")
    return index
