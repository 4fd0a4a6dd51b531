"""The report's figures as PNG files, drawn on matplotlib's Agg canvas (no pyplot state).

Every figure is drawn from one tidy frame, keyed by configuration (task, model, protocol,
variant; the cross-model matrix by task, protocol, setting and the two roles' models), that is
written beside it as CSV with the same stem, so anyone can redraw it. Panels are one task each
(columns) and one model each (rows); inside a panel every configuration is its own point, bar
or row (`reliability.png`: its own panel): nothing is pooled across tasks, models or variants.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .load import GROUP
from .stats import calibration_bins
from .tables import POINTS, matrix_cell

PANEL = (3.4, 2.8)
"""Width and height (inches) of one panel."""
TITLE_WIDTH = 48
"""Characters per line of a panel title (longer titles wrap)."""
ROW_HEIGHT = 0.42
"""Inches per configuration row of the net-gain and judgments panels."""
LABEL_CHAR = 0.07
"""Inches per character of a configuration's row label (added to the panel's width)."""
ROW_LABEL_WIDTH = 40
"""Characters per line of a configuration's row label (longer labels wrap)."""
LEGEND_COLUMN = 4.0
"""Inches of figure width per legend column."""
LEGEND_LABEL_WIDTH = 50
"""Characters per line of a legend entry (longer entries wrap)."""
LEGEND_LINE = 0.22
"""Inches of figure height added per line of the legend."""
MARKERS = "osD^vPX*hp<>"
"""Markers of a protocol's configurations (its variants), in turn."""
CALLS_DODGE = 0.015
"""Points of a panel at equal x are spread apart by this share of the panel's x range."""


def _canvas(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def colours(protocols: Iterable[str]) -> dict[str, str]:
    """One colour per protocol, the same in every panel of a figure."""
    return {name: f"C{i % 10}" for i, name in enumerate(sorted(set(protocols)))}


def facets(
    frame: pd.DataFrame,
    rows: str,
    sharex: bool = True,
    sharey: bool = True,
    heights: Mapping[str, float] | None = None,
    width: float = PANEL[0],
    stack: bool = False,
) -> tuple[Figure, dict[tuple[str, str], Axes]]:
    """A grid of panels titled 'task / row', one column per task (`width` inches), one panel
    per (value of column `rows`, task) in `frame`: in a row per value (`heights`: inches per
    row, default `PANEL`'s), or with `stack` each task's values one under another from the top
    (for panels that do not line up across tasks)."""
    tasks = sorted(frame["task"].unique())
    per_task = {task: sorted(frame.loc[frame["task"] == task, rows].unique()) for task in tasks}
    labels = sorted(frame[rows].unique())
    places = {
        (label, task): (values.index(label) if stack else labels.index(label), j)
        for j, (task, values) in enumerate(per_task.items())
        for label in values
    }
    count = max(len(values) for values in per_task.values()) if stack else len(labels)
    inches = [PANEL[1]] * count if stack else [(heights or {}).get(x, PANEL[1]) for x in labels]
    figure = _canvas(width * len(tasks) + 1.5, sum(inches) + 0.8)
    grid = figure.subplots(
        count, len(tasks), squeeze=False, sharex=sharex, sharey=sharey,
        gridspec_kw={"height_ratios": inches},
    )  # fmt: skip
    panels = {}
    for (label, task), (i, j) in places.items():
        ax = grid[i, j]
        ax.set_title(textwrap.fill(f"{task} / {label}", TITLE_WIDTH), fontsize="small", pad=8)
        ax.tick_params(labelleft=True, labelbottom=True)
        panels[(label, task)] = ax
    for ax in set(grid.flat) - set(panels.values()):
        ax.remove()
    return figure, panels


def _legend(figure: Figure, axes: Sequence[Axes]) -> None:
    """One legend for the figure, below the panels, each label once (long labels wrap)."""
    entries: dict[str, Artist] = {}
    for ax in axes:
        handles, names = ax.get_legend_handles_labels()
        entries.update(zip(names, handles, strict=True))
    columns = max(1, min(len(entries), int(figure.get_figwidth() // LEGEND_COLUMN)))
    lines = sum(textwrap.fill(n, LEGEND_LABEL_WIDTH).count("\n") + 1 for n in entries)
    figure.set_figheight(figure.get_figheight() + LEGEND_LINE * np.ceil(lines / columns))
    figure.legend(
        list(entries.values()),
        [textwrap.fill(name, LEGEND_LABEL_WIDTH) for name in entries],
        loc="outside lower center",
        ncols=columns,
        fontsize="small",
    )


def net_gain_data(summary: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: n, baseline and final accuracy, net gain and its 95% CI (fractions)."""
    columns = ["n", "baseline_accuracy", "final_accuracy", "net_gain"]
    return summary[[*GROUP, *columns, "net_gain_low", "net_gain_high"]]


def _interval(values: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(points, error bars below and above) of `column` and its `_low`/`_high`, in points."""
    point = values[column].to_numpy(float) * POINTS
    low = values[f"{column}_low"].to_numpy(float) * POINTS
    high = values[f"{column}_high"].to_numpy(float) * POINTS
    return point, np.vstack([point - low, high - point])


def configurations(data: pd.DataFrame) -> pd.DataFrame:
    """The frame with `row`: the protocol and its variant ('market_making [trader=...]')."""
    variant = data["protocol"] + " [" + data["variant"] + "]"
    return data.assign(row=data["protocol"].where(data["variant"] == "", variant))


def row_panels(rows: pd.DataFrame) -> tuple[Figure, dict[tuple[str, str], Axes]]:
    """`facets` of one panel per task and model, tall enough for a row per configuration."""
    most = rows.groupby(["model", "task"])["row"].nunique().groupby("model").max()
    heights = {str(m): max(PANEL[1], ROW_HEIGHT * count + 1.2) for m, count in most.items()}
    longest = min(int(rows["row"].str.len().max()), ROW_LABEL_WIDTH)
    width = PANEL[0] + LABEL_CHAR * longest
    return facets(rows, "model", sharey=False, heights=heights, width=width)


def _row_axis(ax: Axes, order: list[str]) -> None:
    """Configuration names on the y axis, first at the top."""
    ax.set_yticks(range(len(order)), [textwrap.fill(n, ROW_LABEL_WIDTH) for n in order])
    ax.tick_params(axis="y", labelsize="small")
    ax.set_ylim(len(order) - 0.4, -0.6)


def net_gain_figure(data: pd.DataFrame) -> Figure:
    """Net gain (points) with its 95% CI: one panel per task and model, one marker per
    configuration (a row: the protocol and its variant, in the protocol's colour), all panels
    on one scale; a zero gain is a marker on the zero line."""
    rows = configurations(data)
    palette = colours(rows["protocol"])
    figure, panels = row_panels(rows)
    for (model, task), ax in panels.items():
        cell = rows[(rows["model"] == model) & (rows["task"] == task)]
        order = sorted(cell["row"].unique())
        for (protocol, name), point in cell.groupby(["protocol", "row"], sort=True):
            gain, error = _interval(point, "net_gain")
            ax.errorbar(
                gain, [order.index(str(name))], xerr=error, fmt="o", capsize=3,
                color=palette[str(protocol)], label=str(protocol),
            )  # fmt: skip
        ax.axvline(0, color="black", linewidth=0.8)
        _row_axis(ax, order)
        ax.set_xlabel("net gain (points, 95% CI)")
    return figure


def reliability_data(samples: pd.DataFrame) -> pd.DataFrame:
    """Per configuration of binary questions (a K-option forecast has no one p), baseline/final
    and bin of p: count, mean p, frequency of label 1."""
    parts = []
    for key, rows in samples[samples["options"] == 0].groupby(GROUP, sort=True):
        for which in ("baseline", "final"):
            bins = calibration_bins(rows[f"{which}_p"], rows["label"])
            keyed = pd.DataFrame([key], columns=GROUP).merge(bins, how="cross")
            parts.append(keyed.assign(which=which))
    columns = [*GROUP, "which", "bin", "count", "mean_p", "frequency"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def reliability_figure(data: pd.DataFrame) -> Figure:
    """Frequency of the positive claim against mean p per bin, baseline and final; bars on the
    right axis count the p's in each bin. One panel per configuration."""
    rows = configurations(data)
    rows = rows.assign(label=rows["model"] + " / " + rows["row"])
    figure, panels = facets(rows, "label", stack=True)
    for (label, task), ax in panels.items():
        cell = rows[(rows["label"] == label) & (rows["task"] == task)]
        counts = ax.twinx()
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="calibrated")
        for offset, (which, marker, colour) in zip(
            (-0.022, 0.022), (("baseline", "o", "C0"), ("final", "s", "C1")), strict=True
        ):
            bins = cell[cell["which"] == which]
            ax.plot(
                bins["mean_p"], bins["frequency"], marker=marker, color=colour, label=f"{which} p"
            )
            counts.bar(
                (bins["bin"] + 0.5) / 10 + offset, bins["count"], width=0.044, color=colour,
                alpha=0.3, label=f"{which} p's per bin",
            )  # fmt: skip
        counts.set_ylim(0, 3 * max(1, cell["count"].max()))
        counts.set_ylabel("p's per bin", fontsize="small")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean p", ylabel="frequency of label 1")
        ax.set_zorder(counts.get_zorder() + 1)
        ax.patch.set_visible(False)
    _legend(figure, [*panels.values(), *(ax for ax in figure.axes if ax not in panels.values())])
    return figure


def judgments_data(samples: pd.DataFrame) -> pd.DataFrame:
    """Per configuration and number of judgments until stop: samples (rows) and their share."""
    counts = samples.groupby([*GROUP, "judgments"]).size().rename("samples").reset_index()
    total = counts.groupby(GROUP)["samples"].transform("sum")
    return counts.assign(share=counts["samples"] / total)


def judgments_figure(data: pd.DataFrame) -> Figure:
    """Per configuration (a row of its task and model's panel), the share of samples (%) by
    judgments until stop, stacked, one colour per number of judgments; the mean at the right."""
    rows = configurations(data)
    top = int(rows["judgments"].max())
    norm = BoundaryNorm(np.arange(0.5, top + 1.5), 256)
    scale = ScalarMappable(norm, "viridis")
    figure, panels = row_panels(rows)
    for (model, task), ax in panels.items():
        cell = rows[(rows["model"] == model) & (rows["task"] == task)]
        order = sorted(cell["row"].unique())
        for name, bars in cell.groupby("row", sort=True):
            bars = bars.sort_values("judgments")
            y = order.index(str(name))
            shares = bars["share"].to_numpy(float) * POINTS
            starts = np.cumsum(shares) - shares
            ax.barh(y, shares, 0.7, starts, color=scale.to_rgba(bars["judgments"].to_numpy(float)))
            mean = float(np.average(bars["judgments"], weights=bars["samples"]))
            ax.text(102, y, f"mean {mean:.1f}", va="center", fontsize="small")
        _row_axis(ax, order)
        ax.set(xlim=(0, 125), xticks=range(0, 101, 25), xlabel="share of samples (%)")
    figure.colorbar(
        scale, ax=list(panels.values()), label="judgments until stop",
        ticks=range(1, top + 1), shrink=0.8,
    )  # fmt: skip
    return figure


def accuracy_data(summary: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: n, final accuracy and its 95% CI, mean calls and tokens per sample."""
    columns = ["n", "final_accuracy", "final_accuracy_low", "final_accuracy_high"]
    return summary[[*GROUP, *columns, "mean_calls", "mean_tokens"]]


def dodged(values: pd.Series) -> pd.Series:
    """`values` with equal values spread symmetrically apart (unique values unchanged)."""
    step = CALLS_DODGE * max(1.0, float(values.max() - values.min()))
    same = values.groupby(values)
    offset: pd.Series = (same.cumcount() - (same.transform("size") - 1) / 2) * step
    return values + offset


def accuracy_cost_figure(data: pd.DataFrame, cost: str, xlabel: str) -> Figure:
    """Final accuracy (%, 95% CI bars) against column `cost`, one point per configuration;
    one panel per task and model. A protocol keeps its colour across panels, its variants
    take markers in turn; points at equal cost are dodged apart."""
    rows = configurations(data).sort_values(["model", "task", "row"])
    palette = colours(rows["protocol"])
    markers = {
        name: MARKERS[i % len(MARKERS)]
        for _, group in rows.groupby("protocol")
        for i, name in enumerate(sorted(group["row"].unique()))
    }
    figure, panels = facets(rows, "model", sharex=False)
    for (model, task), ax in panels.items():
        points = rows[(rows["model"] == model) & (rows["task"] == task)]
        points = points.assign(x=dodged(points[cost]))
        for (protocol, name), point in points.groupby(["protocol", "row"], sort=True):
            accuracy, error = _interval(point, "final_accuracy")
            ax.errorbar(
                point["x"], accuracy, yerr=error, fmt=markers[str(name)], capsize=3,
                color=palette[str(protocol)], label=str(name),
            )  # fmt: skip
        ax.set(xlabel=xlabel, ylabel="final accuracy (%)", ylim=(-5, 105))
        ax.xaxis.set_major_locator(MaxNLocator(4))
    _legend(figure, list(panels.values()))
    return figure


def accuracy_calls_figure(data: pd.DataFrame) -> Figure:
    """Final accuracy against mean calls per sample: the cost-matched comparison."""
    return accuracy_cost_figure(data, "mean_calls", "mean calls per sample")


def accuracy_tokens_figure(data: pd.DataFrame) -> Figure:
    """Final accuracy against mean tokens per sample."""
    return accuracy_cost_figure(data, "mean_tokens", "mean tokens per sample")


DARK_CELL = 0.6
"""Heat-map cells beyond this share of the colour scale's half-range get white text."""


def matrix_figure(data: pd.DataFrame) -> Figure:
    """Net gain per (judging model, arguing model) as a heat-map, one per task, protocol and
    setting; cells annotated with the gain, its 95% CI and n; pairings not run left grey."""
    groups = list(data.groupby(["task", "protocol", "setting"], sort=True))
    limit = max(1.0, float(np.nanmax(np.abs(data["net_gain"].to_numpy(float)))) * POINTS)
    norm = TwoSlopeNorm(0.0, -limit, limit)
    sizes = [(r["arguer_model"].nunique(), r["judge_model"].nunique()) for _, r in groups]
    width = max(w for w, _ in sizes) * 2.2 + 3.5
    figure = _canvas(width, sum(h * 1.1 + 1.6 for _, h in sizes))
    axes = figure.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, ((task, protocol, setting), cells) in zip(axes, groups, strict=True):
        grid = cells.pivot(index="judge_model", columns="arguer_model", values="net_gain")
        image = ax.imshow(grid.to_numpy(float) * POINTS, cmap="RdBu", norm=norm, aspect="auto")
        for cell in cells.to_dict("records"):
            y = list(grid.index).index(cell["judge_model"])
            x = list(grid.columns).index(cell["arguer_model"])
            dark = abs(cell["net_gain"]) * POINTS > DARK_CELL * limit
            ax.text(
                x, y, matrix_cell(cell, "\n"), ha="center", va="center", fontsize="small",
                color="white" if dark else "black",
            )  # fmt: skip
        ax.set_xticks(range(len(grid.columns)), [textwrap.fill(c, 24) for c in grid.columns])
        ax.set_yticks(range(len(grid.index)), [textwrap.fill(i, 30) for i in grid.index])
        [judge], [arguer] = cells["judge_role"].unique(), cells["arguer_role"].unique()
        ax.set(xlabel=f"{arguer} model", ylabel=f"{judge} model", facecolor="lightgrey")
        title = f"{task} / {protocol}" + (f" / {setting}" if setting else "")
        ax.set_title(textwrap.fill(title, 80), fontsize="small")
        figure.colorbar(image, ax=ax, label="net gain (points)")
    return figure


PATHS_SHOWN = 5
"""Sample price paths drawn per configuration (beside the mean path)."""


def price_paths_data(samples: pd.DataFrame) -> pd.DataFrame:
    """Per prediction-market configuration: the mean price of the true outcome after each trade
    (`mean`; a path that stopped early keeps its closing price) and the paths of that price in
    its first PATHS_SHOWN samples (the YES or NO price on binary questions, the true option's
    on questions with K options)."""
    markets = samples[samples["true_price_path"].map(len) > 0]
    parts = []
    for key, rows in markets.groupby(GROUP, sort=True):
        paths = rows["true_price_path"]
        length = int(paths.map(len).max())
        padded = np.array([path + [path[-1]] * (length - len(path)) for path in paths])
        mean = pd.DataFrame({"path": "mean", "trade": range(length), "price": padded.mean(axis=0)})
        shown = [
            pd.DataFrame({"path": f"sample {sample}", "trade": range(len(path)), "price": path})
            for sample, path in zip(rows["id"], paths, strict=True)
        ][:PATHS_SHOWN]
        for part in (mean, *shown):
            parts.append(pd.DataFrame([key], columns=GROUP).merge(part, how="cross"))
    columns = [*GROUP, "path", "trade", "price"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def price_paths_figure(data: pd.DataFrame) -> Figure:
    """The price of the true outcome after each trade: sample paths (thin) and the mean (thick),
    one panel per prediction-market configuration."""
    rows = configurations(data)
    rows = rows.assign(label=rows["model"] + " / " + rows["row"])
    figure, panels = facets(rows, "label", stack=True)
    for (label, task), ax in panels.items():
        cell = rows[(rows["label"] == label) & (rows["task"] == task)]
        for path, points in cell.groupby("path", sort=False):
            mean = path == "mean"
            ax.plot(
                points["trade"], points["price"], color="C0" if mean else "grey",
                linewidth=2.2 if mean else 0.8, alpha=1 if mean else 0.6,
                label="mean over samples" if mean else "sample paths",
            )  # fmt: skip
        ax.axhline(0.5, color="black", linewidth=0.5, linestyle=":")
        ax.set(ylim=(0, 1), xlabel="trade", ylabel="price of the true outcome")
    _legend(figure, list(panels.values()))
    return figure


def draw(data: pd.DataFrame, figure: Callable[[pd.DataFrame], Figure], path: Path) -> Path:
    """`figure(data)` saved at `path` (PNG) and `data` beside it as CSV with the same stem."""
    data.to_csv(path.with_suffix(".csv"), index=False)
    figure(data).savefig(path, dpi=110)
    return path
