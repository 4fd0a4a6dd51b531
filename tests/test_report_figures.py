"""The report's figures, their CSVs, the per-task tables and the cross-model matrix."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from inspect_ai import task_with
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text

from inspect_market.cli import main
from inspect_market.report.document import readable
from inspect_market.report.load import GROUP, load_logs
from inspect_market.report.matrix import MATRIX_KEY, cross_model
from inspect_market.report.plots import (
    accuracy_calls_figure,
    accuracy_data,
    accuracy_tokens_figure,
    judgments_data,
    judgments_figure,
    matrix_figure,
    net_gain_data,
    net_gain_figure,
    reliability_data,
    reliability_figure,
)
from inspect_market.report.tables import summarize, task_tables
from inspect_market.scorers.metrics import log_loss, squared_error
from inspect_market.tasks import truthfulqa
from tests.mocks import run, scripted
from tests.test_report import FIXTURE, FLAT, MARKET, SINGLE, TRADER, by_question, single_shot_log

FIGURES = ["net_gain", "reliability", "judgments", "accuracy", "accuracy_calls"]
TASKS = {"truthfulqa", "truthfulqa_copy"}


def market_on(log_dir: Path, task_name: str, table: dict[str, list[float | None]]) -> None:
    task = task_with(truthfulqa(data_path=FIXTURE), name=task_name)
    run(task, {"market_maker": scripted(by_question(table)), "trader": TRADER}, log_dir)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """Two tasks x two protocols of one model, reported as markdown: (samples, report dir)."""
    log_dir = tmp_path_factory.mktemp("logs")
    market_on(log_dir, "truthfulqa", MARKET)
    market_on(log_dir, "truthfulqa_copy", FLAT)
    single_shot_log(log_dir, MARKET, "mockllm/model")
    single_shot_log(log_dir, SINGLE, "mockllm/model", "truthfulqa_copy")
    out = tmp_path_factory.mktemp("report")
    assert main(["report", str(log_dir), "--out", str(out)]) == 0
    return load_logs([str(log_dir)]).samples, out


def keys(frame: pd.DataFrame) -> set[tuple[str, ...]]:
    return set(frame[GROUP].fillna("").astype(str).itertuples(index=False, name=None))


@pytest.mark.parametrize("stem", FIGURES)
def test_each_figure_has_its_data_keyed_by_configuration(
    report: tuple[pd.DataFrame, Path], stem: str
) -> None:
    samples, out = report
    assert (out / f"{stem}.png").stat().st_size > 5000
    data = pd.read_csv(out / f"{stem}.csv", keep_default_na=False)
    assert samples["config"].nunique() == 4
    assert keys(data) == keys(samples) and len(keys(data)) == 4
    sub = {"reliability": ["which", "bin"], "judgments": ["judgments"]}.get(stem, [])
    assert not data.duplicated([*GROUP, *sub]).any()
    assert f"]({stem}.csv)" in (out / "index.md").read_text()


def panels(figure: Figure) -> dict[str, object]:
    """Titled axes by title (twin axes carry no title)."""
    return {ax.get_title(): ax for ax in figure.axes if ax.get_title()}


def summary_figures(samples: pd.DataFrame) -> dict[str, Figure]:
    """The figures drawn from the per-configuration summary and the judgment counts."""
    summary = summarize(samples)
    return {
        "net_gain": net_gain_figure(net_gain_data(summary)),
        "accuracy": accuracy_tokens_figure(accuracy_data(summary)),
        "accuracy_calls": accuracy_calls_figure(accuracy_data(summary)),
        "judgments": judgments_figure(judgments_data(samples)),
    }


def test_no_panel_mixes_tasks(report: tuple[pd.DataFrame, Path]) -> None:
    samples, _ = report
    drawn = summary_figures(samples)
    for name, figure in drawn.items():
        # one column per task, one row for the model: a panel is one task's
        assert set(panels(figure)) == {f"{t} / mockllm/model" for t in TASKS}, name
    reliability = panels(reliability_figure(reliability_data(samples)))
    assert set(reliability) == {
        f"{t} / mockllm/model / {p}" for t in TASKS for p in ("market_making", "single_shot")
    }


def points(ax: object) -> dict[str, list[tuple[float, float]]]:
    """Per legend label: the (x, y) of each error-bar marker drawn in `ax`."""
    found = {}
    for container in ax.containers:  # type: ignore[attr-defined]
        assert isinstance(container, ErrorbarContainer)
        line = container.lines[0]
        assert line.get_visible() and line.get_marker() == "o"
        found[container.get_label()] = [tuple(xy) for xy in line.get_xydata().tolist()]
    return found


def test_net_gain_by_hand_and_a_zero_gain_is_a_marker(report: tuple[pd.DataFrame, Path]) -> None:
    samples, _ = report
    figure = net_gain_figure(net_gain_data(summarize(samples)))
    drawn = {title: points(ax) for title, ax in panels(figure).items()}
    # Protocols on y (0 market_making, 1 single_shot). MARKET: +25 points; single shot: 0,
    # drawn as a marker at 0. FLAT (p 0.6 throughout): 0. SINGLE single shot: 0.
    assert drawn == {
        "truthfulqa / mockllm/model": {"market_making": [(25.0, 0.0)], "single_shot": [(0.0, 1.0)]},
        "truthfulqa_copy / mockllm/model": {
            "market_making": [(0.0, 0.0)],
            "single_shot": [(0.0, 1.0)],
        },
    }
    xlims = {ax.get_xlim() for ax in panels(figure).values()}
    assert len(xlims) == 1  # one shared scale


def test_reliability_counts_by_hand(report: tuple[pd.DataFrame, Path]) -> None:
    _, out = report
    data = pd.read_csv(out / "reliability.csv", keep_default_na=False)
    mine = data[(data.task == "truthfulqa") & (data.protocol == "market_making")]
    # Final p .25 .2 .4 .7 on labels 0 0 1 1: bins 2 (two p's), 4 and 7.
    final = mine[mine.which == "final"].set_index("bin")
    assert final["count"].to_dict() == {2: 2, 4: 1, 7: 1}
    assert final.loc[2, "mean_p"] == pytest.approx(0.225)
    assert final["frequency"].to_dict() == {2: 0.0, 4: 1.0, 7: 1.0}
    # the bars on each panel's twin axis are those counts
    figure = reliability_figure(data)
    [ax] = [a for a in figure.axes if a.get_title() == "truthfulqa / mockllm/model / market_making"]
    [twin] = [a for a in figure.axes if a is not ax and a.bbox.bounds == ax.bbox.bounds]
    bars = {c.get_label(): [b.get_height() for b in c] for c in twin.containers}
    assert bars["final p's per bin"] == [2, 1, 1]
    assert bars["baseline p's per bin"] == [1, 1, 1, 1]  # baseline p .7 .2 .9 .4


def test_judgments_shares_by_hand(report: tuple[pd.DataFrame, Path]) -> None:
    samples, _ = report
    data = judgments_data(samples)
    mine = data[(data.task == "truthfulqa") & (data.protocol == "market_making")]
    # MARKET stops after 4, 3, 4 and 6 judgments.
    assert dict(zip(mine["judgments"], mine["share"], strict=True)) == {3: 0.25, 4: 0.5, 6: 0.25}
    ax = panels(judgments_figure(data))["truthfulqa / mockllm/model"]
    # one stacked bar per configuration (row 0 market_making, row 1 single_shot)
    bars = [(p.get_y() + p.get_height() / 2, p.get_x(), p.get_width()) for p in ax.patches]  # type: ignore[attr-defined]
    assert bars == [(0, 0, 25), (0, 25, 50), (0, 75, 25), (1, 0, 100)]
    assert [t.get_text() for t in ax.texts] == ["mean 4.2", "mean 1.0"]  # type: ignore[attr-defined]


def test_task_table_in_points_with_readable_headers(report: tuple[pd.DataFrame, Path]) -> None:
    samples, out = report
    tables = task_tables(summarize(samples))
    assert set(tables) == TASKS
    shown = readable(tables["truthfulqa"])
    assert list(shown.columns) == [
        "Task", "Protocol", "Model", "n", "Baseline, %", "Final, %", "Net gain, points [95% CI]",
        "McNemar p", "MDE, points", "Calls per sample", "Tokens per sample",
    ]  # fmt: skip
    market = shown.iloc[0]
    assert (market["Protocol"], market["Baseline, %"], market["Final, %"]) == (
        "market_making", "50.0", "75.0")  # fmt: skip
    assert market["Net gain, points [95% CI]"] == "+25.0 [-50.0, +100.0]"
    assert (market["McNemar p"], market["Calls per sample"], market["Tokens per sample"]) == (
        "1.000", "8.0", "120")  # fmt: skip
    index = (out / "index.md").read_text()
    assert "## Results: truthfulqa_copy" in index
    headers = [line for line in index.splitlines() if line.startswith("| ") and "---" not in line]
    snake = set(GROUP) | {"net_gain", "mcnemar_p", "mean_tokens", "baseline_accuracy", "epochs"}
    assert not any(f"| {name} |" in line for line in headers for name in snake)


def test_readable_numbers_have_units_and_no_scientific_notation() -> None:
    table = pd.DataFrame(
        {"task": ["t"], "model": ["m"], "protocol": ["p"], "variant": ["seed=1"], "n": [300.0],
         "epochs": [1.0], "mcnemar_p": [1.2e-7], "mean_tokens": [123456.7],
         "mean_calls": [5.25], "brier_final": [0.00012], "final_accuracy": [0.123]}
    )  # fmt: skip
    [row] = readable(table).to_dict("records")
    assert row == {"Task": "t", "Model": "m [seed=1]", "Protocol": "p", "n": "300",
                   "McNemar p": "<0.001", "Tokens per sample": "123,457",
                   "Calls per sample": "5.2", "Brier, final": "0.000",
                   "Final, %": "12.3"}  # fmt: skip
    without = readable(table.assign(variant=""))
    assert "Variant" not in without and list(without["Model"]) == ["m"]


def undrawn_tick_labels(figure: Figure) -> set[int]:
    """ids of tick labels at ticks outside their axis's view (matplotlib does not draw those)."""
    hidden = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return hidden


def overlapping_texts(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn, non-empty texts of the figure whose boxes overlap."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    hidden = undrawn_tick_labels(figure)
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in figure.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
    ]


PROTOCOLS = ["debate", "econ", "market_making", "multi_agent_debate",
             "self_consistency (samples=5)", "single_shot"]  # fmt: skip
TASK_NAMES = ["csqa2", "ethics", "scruples", "synthetic", "truthfulqa"]


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    """Samples of 6 protocols x 5 tasks x 2 models, 40 each, drawn at random."""
    rng = np.random.default_rng(0)
    frames = []
    models = ["openai/gpt-4.1-mini", "ollama/qwen2.5:1.5b"]
    for task, protocol, model in itertools.product(TASK_NAMES, PROTOCOLS, models):
        p = rng.random((2, 40))
        frames.append(
            pd.DataFrame(
                {"id": [str(i) for i in range(40)], "task": task, "model": model,
                 "protocol": protocol, "variant": "", "label": rng.integers(0, 2, 40),
                 "baseline_p": p[0], "final_p": p[1], "baseline_correct": rng.integers(0, 2, 40),
                 "final_correct": rng.integers(0, 2, 40), "judgments": rng.integers(1, 11, 40),
                 "parse_failures": 0, "calls": rng.integers(1, 20, 40),
                 "input_tokens": rng.integers(500, 20_000, 40), "output_tokens": 100}
            )
        )  # fmt: skip
    samples = pd.concat(frames, ignore_index=True).astype({"label": float})
    rows = samples.to_dict("records")
    for which in ("baseline", "final"):  # as load_logs adds them, from each sample's score
        samples[f"squared_error_{which}"] = [squared_error(row, which) for row in rows]
        samples[f"log_loss_{which}"] = [log_loss(row, which) for row in rows]
    return samples.assign(options=0)


def test_no_text_overlaps_at_6_protocols_by_5_tasks(large: pd.DataFrame) -> None:
    drawn = {
        **summary_figures(large),
        "reliability": reliability_figure(reliability_data(large)),
    }
    for name, figure in drawn.items():
        assert overlapping_texts(figure) == [], name
        assert len(panels(figure)) == (60 if name == "reliability" else 10), name


def test_overlap_check_can_fail() -> None:
    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    assert ("one label", "another label") in overlapping_texts(figure)


def market_with(log_dir: Path, table: dict[str, list[float | None]], judge: str,
                trader: str | None) -> None:  # fmt: skip
    roles = {"market_maker": scripted(by_question(table), judge)}
    if trader is not None:
        roles["trader"] = scripted(lambda messages: "Look again.", trader)
    run(truthfulqa(data_path=FIXTURE), roles, log_dir)


def test_cross_model_matrix_from_role_bindings(tmp_path: Path) -> None:
    market_with(tmp_path, MARKET, "mockllm/model", None)  # trader unbound: plays mockllm/model
    market_with(tmp_path, MARKET, "mockllm/model", "mockllm/strong")
    market_with(tmp_path, FLAT, "mockllm/other", "mockllm/strong")
    samples = load_logs([str(tmp_path)]).samples
    matrix = cross_model(summarize(samples), samples)
    cells = {
        (r["judge_model"], r["arguer_model"]): (r["net_gain"], r["n"])
        for r in matrix.to_dict("records")
    }
    # the scripts ignore the trader: MARKET gains 25 points, FLAT none
    assert cells == {
        ("mockllm/model", "mockllm/model"): (0.25, 4),
        ("mockllm/model", "mockllm/strong"): (0.25, 4),
        ("mockllm/other", "mockllm/strong"): (0.0, 4),
    }
    assert set(matrix["judge_role"]) == {"market_maker"} and set(matrix["arguer_role"]) == {
        "trader"
    }
    out = tmp_path / "report"
    assert main(["report", str(tmp_path), "--out", str(out), "--format", "html"]) == 0
    page = (out / "index.html").read_text()
    assert "Cross-model net gain: market_making on truthfulqa" in page
    assert "+25.0 [-50.0, +100.0] n=4" in page and 'src="cross_model.png"' in page
    data = pd.read_csv(out / "cross_model.csv", keep_default_na=False)
    assert len(data) == 3 and len(keys(data)) == 3 and not data.duplicated(MATRIX_KEY).any()
    heat = matrix_figure(matrix)
    [ax] = [a for a in heat.axes if a.get_title()]
    annotations = sorted(t.get_text() for t in ax.texts)
    assert annotations == ["+0.0\n[+0.0, +0.0]\nn=4"] + ["+25.0\n[-50.0, +100.0]\nn=4"] * 2
    assert overlapping_texts(heat) == []


def test_one_trader_and_one_market_maker_shows_no_matrix(tmp_path: Path) -> None:
    market_with(tmp_path, MARKET, "mockllm/model", "mockllm/strong")
    out = tmp_path / "report"
    assert main(["report", str(tmp_path), "--out", str(out)]) == 0
    assert "Cross-model" not in (out / "index.md").read_text()
    assert not (out / "cross_model.png").exists()


def test_html_page_is_self_contained_and_styled(
    report: tuple[pd.DataFrame, Path], tmp_path: Path
) -> None:
    samples, _ = report
    log_dir = str(Path(samples["log"].iloc[0]).parent)
    assert main(["report", log_dir, "--out", str(tmp_path), "--format", "html"]) == 0
    page = (tmp_path / "index.html").read_text()
    assert "<style>" in page and 'charset="utf-8"' in page
    assert not re.search(r"""(src|href)="(https?:)?//""", page) and "@import" not in page
    for name in re.findall(r'(?:src|href)="([^"#]+)"', page):
        assert (tmp_path / name).is_file(), name
    # numbers right-aligned, text not; headers in words with units
    assert '<th class="num">Net gain, points [95% CI]</th>' in page
    assert '<td class="num">+25.0 [-50.0, +100.0]</td>' in page and "<td>market_making</td>" in page
    assert "mcnemar_p" not in page and "net_gain_low" not in page


def test_other_differences_make_separate_matrices(tmp_path: Path) -> None:
    market_with(tmp_path, MARKET, "mockllm/model", "mockllm/strong")
    market_with(tmp_path, FLAT, "mockllm/other", "mockllm/strong")
    roles = {
        "market_maker": scripted(by_question(FLAT)),
        "trader": scripted(lambda messages: "Look again.", "mockllm/strong"),
    }
    run(truthfulqa(data_path=FIXTURE), roles, tmp_path, temperature=0.3)
    samples = load_logs([str(tmp_path)]).samples
    matrix = cross_model(summarize(samples), samples)
    cells = set(zip(matrix["setting"], matrix["judge_model"], matrix["net_gain"], strict=True))
    assert cells == {
        ("temperature=unset", "mockllm/model", 0.25),
        ("temperature=unset", "mockllm/other", 0.0),
        ("temperature=0.3", "mockllm/model", 0.0),
    }
