"""The report's figures as PNG files, drawn on matplotlib's Agg canvas (no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .stats import calibration_bins
from .tables import POINTS, row_labels


def _figure(panels: int, width: float = 7.0, height: float = 3.5) -> tuple[Figure, list[Axes]]:
    figure = Figure(figsize=(width, height * panels), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1, squeeze=False)[:, 0]
    return figure, list(axes)


def _save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=120)
    return path


def net_gain_plot(summary: pd.DataFrame, path: Path) -> Path:
    """Net gain (points) by task, one bar per model, with its 95% CI; one panel per protocol."""
    protocols = sorted(summary["protocol"].unique())
    figure, axes = _figure(len(protocols))
    for ax, protocol in zip(axes, protocols, strict=True):
        rows = summary[summary["protocol"] == protocol]
        rows = rows.assign(model=row_labels(rows))
        tasks = sorted(rows["task"].unique())
        models = sorted(rows["model"].unique())
        width = 0.8 / len(models)
        for i, model in enumerate(models):
            bars = rows[rows["model"] == model].set_index("task").reindex(tasks)
            gain = bars["net_gain"].to_numpy(float) * POINTS
            error = np.vstack(
                [
                    gain - bars["net_gain_low"].to_numpy(float) * POINTS,
                    bars["net_gain_high"].to_numpy(float) * POINTS - gain,
                ]
            )
            x = np.arange(len(tasks)) + (i - (len(models) - 1) / 2) * width
            ax.bar(x, gain, width, yerr=error, capsize=3, label=model)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(np.arange(len(tasks)), tasks)
        ax.set_ylabel("net gain (points)")
        ax.set_title(protocol)
        ax.legend(fontsize="small")
    return _save(figure, path)


def reliability_plot(samples: pd.DataFrame, path: Path) -> Path:
    """Observed frequency of the positive claim against mean p per bin, baseline vs final."""
    protocols = sorted(samples["protocol"].unique())
    figure, axes = _figure(len(protocols), width=5.0, height=4.5)
    for ax, protocol in zip(axes, protocols, strict=True):
        rows = samples[samples["protocol"] == protocol]
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="calibrated")
        for which, marker in (("baseline", "o"), ("final", "s")):
            bins = calibration_bins(rows[f"{which}_p"], rows["label"])
            ax.plot(bins["mean_p"], bins["frequency"], marker=marker, label=f"{which} p")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean p", ylabel="frequency of label 1")
        ax.set_title(protocol)
        ax.legend(fontsize="small")
    return _save(figure, path)


def judgments_plot(samples: pd.DataFrame, path: Path) -> Path:
    """Histogram of judgments until stop, per protocol."""
    figure, [ax] = _figure(1)
    top = int(samples["judgments"].max())
    edges = np.arange(0.5, top + 1.5)
    for protocol, rows in samples.groupby("protocol", sort=True):
        ax.hist(rows["judgments"], bins=edges.tolist(), alpha=0.6, label=str(protocol))
    ax.set_xticks(np.arange(1, top + 1))
    ax.set(xlabel="judgments until stop", ylabel="samples")
    ax.legend(fontsize="small")
    return _save(figure, path)


def accuracy_tokens_plot(summary: pd.DataFrame, path: Path) -> Path:
    """Final accuracy against mean tokens per sample; one point per task and model, per protocol."""
    figure, [ax] = _figure(1)
    for protocol, rows in summary.groupby("protocol", sort=True):
        x, y = rows["mean_tokens"], rows["final_accuracy"] * POINTS
        ax.scatter(x, y, label=str(protocol))
        names = rows["task"] + "/" + row_labels(rows)
        for name, at in zip(names, zip(x, y, strict=True), strict=True):
            ax.annotate(
                name,
                at,
                fontsize="x-small",
                xytext=(3, 3),
                textcoords="offset points",
            )
    ax.set(xlabel="mean tokens per sample", ylabel="final accuracy (%)")
    ax.legend(fontsize="small")
    return _save(figure, path)


CALLS_DODGE = 0.015
"""Points of a panel at equal calls are spread apart by this share of the panel's calls range."""


def dodged(calls: pd.Series) -> pd.Series:
    """`calls` with equal values spread symmetrically apart (unique values unchanged)."""
    step = CALLS_DODGE * max(1.0, float(calls.max() - calls.min()))
    same = calls.groupby(calls)
    offset: pd.Series = (same.cumcount() - (same.transform("size") - 1) / 2) * step
    return calls + offset


def accuracy_calls_figure(summary: pd.DataFrame) -> Figure:
    """Final accuracy (%, 95% CI bars) against mean calls per sample, one point per protocol;
    one panel per task and model (with its variant), so every point in a panel shares them.
    A protocol keeps its colour across panels; points at equal calls are dodged apart."""
    rows = summary.assign(panel=summary["task"] + " / " + row_labels(summary))
    rows = rows.sort_values(["panel", "protocol"])
    colours = {name: f"C{i % 10}" for i, name in enumerate(sorted(rows["protocol"].unique()))}
    panels = sorted(rows["panel"].unique())
    figure, axes = _figure(len(panels), width=9.0)
    for ax, panel in zip(axes, panels, strict=True):
        points = rows[rows["panel"] == panel]
        points = points.assign(x=dodged(points["mean_calls"]))
        for protocol, point in points.groupby("protocol", sort=True):
            accuracy = point["final_accuracy"].to_numpy(float) * POINTS
            error = np.vstack(
                [
                    accuracy - point["final_accuracy_low"].to_numpy(float) * POINTS,
                    point["final_accuracy_high"].to_numpy(float) * POINTS - accuracy,
                ]
            )
            ax.errorbar(
                point["x"],
                accuracy,
                yerr=error,
                fmt="o",
                capsize=3,
                color=colours[str(protocol)],
                label=str(protocol),
            )
        ax.set(xlabel="mean calls per sample", ylabel="final accuracy (%)", ylim=(-5, 105))
        ax.set_title(panel)
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return figure


def accuracy_calls_plot(summary: pd.DataFrame, path: Path) -> Path:
    """`accuracy_calls_figure` as a PNG: the cost-matched comparison of protocols."""
    return _save(accuracy_calls_figure(summary), path)
