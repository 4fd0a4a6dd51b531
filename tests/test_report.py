"""The report on logs of scripted-mock evals: loader, statistics, replay, tables, files."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from inspect_ai import Task, task_with
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, get_model
from inspect_ai.scorer import match
from matplotlib.axes import Axes
from matplotlib.container import ErrorbarContainer

from inspect_market.cli import main
from inspect_market.report.load import load_logs
from inspect_market.report.plots import accuracy_calls_figure
from inspect_market.report.power import sample_size
from inspect_market.report.replay import replay, replay_stop, skipped_rules
from inspect_market.report.tables import paper_tables, replay_table, summarize
from inspect_market.tasks import truthfulqa
from inspect_market.tasks.sources import sha256_of
from tests.mocks import (
    NEG_B,
    POS_A,
    Script,
    arguments_seen,
    judgment,
    metrics,
    output,
    run,
    scripted,
)

FIXTURE = str(Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv")
# Labels of the fixture's questions (seed 0): sky 0, spider 0, frozen 1, city 1.
MARKET = {
    "colour is the sky": [0.7, 0.3, 0.2, 0.25],  # wrong -> right, converges at 4
    "legs does a spider": [0.2, 0.2, 0.2],  # right -> right, converges at 3
    "frozen water": [0.9, 0.4, 0.45, 0.4],  # right -> wrong, converges at 4
    "city or the country": [0.4, 0.6, None, 0.6, 0.65, 0.7],  # wrong -> right, 1 unparsed, 6
}
SINGLE = {"colour is the sky": [0.3], "legs does a spider": [0.6], "frozen water": [0.8],
          "city or the country": [0.5]}  # fmt: skip
FLAT = {key: [0.6] for key in MARKET}
TRADER = scripted(lambda messages: "Consider the evidence again.")


def by_question(table: dict[str, list[float | None]]) -> Script:
    """Judgment k on a question gets table[question][k] (the last repeats); None: unparseable."""

    def script(messages: list[ChatMessage]) -> str:
        key, request = next(
            (key, m) for m in messages if m.role == "user" for key in table if key in m.text
        )
        ps = table[key]
        p = ps[min(arguments_seen([request]), len(ps) - 1)]
        if p is None:
            return "I would rather not say."
        return judgment(p, POS_A if p >= 0.5 else NEG_B)

    return script


def market_log(log_dir: Path, table: dict[str, list[float | None]], model: str) -> EvalLog:
    roles = {"market_maker": scripted(by_question(table), model), "trader": TRADER}
    return run(truthfulqa(data_path=FIXTURE), roles, log_dir)


def single_shot_log(log_dir: Path, table: dict[str, list[float | None]], model: str,
                    task_name: str = "truthfulqa") -> EvalLog:  # fmt: skip
    task = task_with(truthfulqa(data_path=FIXTURE, solver="single_shot"), name=task_name)
    return run(task, {"market_maker": scripted(by_question(table), model)}, log_dir)


def error_log(log_dir: Path) -> EvalLog:
    def fail(*args: object) -> None:
        raise RuntimeError("mock model down")

    model = get_model("mockllm/broken", custom_outputs=fail)
    return run(
        truthfulqa(data_path=FIXTURE, solver="single_shot"), {"market_maker": model}, log_dir
    )


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EvalLog]:
    """Two tasks, two models, two protocols, and one errored log, in one directory."""
    log_dir = tmp_path_factory.mktemp("logs")
    made = {
        "market": market_log(log_dir, MARKET, "mockllm/model"),
        "market_other": market_log(log_dir, FLAT, "mockllm/other"),
        "single": single_shot_log(log_dir, MARKET, "mockllm/model"),
        "single_other_task": single_shot_log(log_dir, SINGLE, "mockllm/other", "truthfulqa_copy"),
        "error": error_log(log_dir),
    }
    assert made["error"].status == "error"
    assert all(log.status == "success" for name, log in made.items() if name != "error")
    return made


@pytest.fixture(scope="module")
def log_dir(logs: dict[str, EvalLog]) -> Path:
    return Path(logs["market"].location).parent


@pytest.fixture(scope="module")
def summary(log_dir: Path) -> pd.DataFrame:
    return summarize(load_logs([str(log_dir)]).samples)


def row(frame: pd.DataFrame, task: str, model: str, protocol: str) -> pd.Series:
    match = frame[(frame.task == task) & (frame.model == model) & (frame.protocol == protocol)]
    assert len(match) == 1, match
    return match.iloc[0]


def test_loader_lists_the_errored_log_and_keeps_it_out(
    logs: dict[str, EvalLog], log_dir: Path
) -> None:
    loaded = load_logs([str(log_dir)])
    assert [(Path(e.path).name, e.kind) for e in loaded.excluded] == [
        (Path(logs["error"].location).name, "status")
    ]
    assert "mock model down" in loaded.excluded[0].reason
    assert len(loaded.samples) == 16
    groups = set(loaded.samples[["task", "model", "protocol"]].itertuples(index=False, name=None))
    assert groups == {
        ("truthfulqa", "mockllm/model", "market_making"),
        ("truthfulqa", "mockllm/other", "market_making"),
        ("truthfulqa", "mockllm/model", "single_shot"),
        ("truthfulqa_copy", "mockllm/other", "single_shot"),
    }
    assert Path(logs["error"].location).name not in set(
        loaded.samples["log"].map(lambda p: Path(p).name)
    )


def test_loader_marks_missing_and_unreadable_paths(tmp_path: Path) -> None:
    garbage = tmp_path / "broken.eval"
    garbage.write_bytes(b"not a zip")
    loaded = load_logs([str(tmp_path / "absent"), str(garbage)])
    assert [e.kind for e in loaded.excluded] == ["missing", "unreadable"]
    assert loaded.samples.empty


def test_market_making_statistics_by_hand(summary: pd.DataFrame) -> None:
    r = row(summary, "truthfulqa", "mockllm/model", "market_making")
    assert r["n"] == 4
    assert (r["baseline_accuracy"], r["final_accuracy"]) == (0.5, 0.75)
    assert r["net_gain"] == 0.25
    # Differences +1, 0, -1, +1: seed 0's 10,000 resamples of 4 give this percentile interval.
    assert (r["net_gain_low"], r["net_gain_high"]) == (-0.5, 1.0)
    # 2 wrong -> right, 1 right -> wrong: two-sided P under Bin(3, 1/2) is 1.
    assert r["mcnemar_p"] == 1.0
    # Minimum detectable effect: no 4 samples can reach p <= 0.05 (6 discordant at least).
    assert math.isnan(r["mde"])
    assert (r["flip_to_correct"], r["flip_to_wrong"]) == (0.5, 0.25)
    assert r["mean_judgments"] == (4 + 3 + 4 + 6) / 4
    # Calls 2J - 1 plus 2 format retries on the unparsed judgment; 15 tokens per call.
    assert r["mean_calls"] == (7 + 5 + 7 + 13) / 4
    assert r["mean_tokens"] == 15 * 8
    assert r["parse_failure_rate"] == 1 / 17
    # Labels 0, 0, 1, 1; baseline p .7 .2 .9 .4, final p .25 .2 .4 .7.
    assert r["brier_baseline"] == pytest.approx((0.49 + 0.04 + 0.01 + 0.36) / 4)
    assert r["brier_final"] == pytest.approx((0.0625 + 0.04 + 0.36 + 0.09) / 4)
    assert r["ece_baseline"] == pytest.approx((0.7 + 0.2 + 0.1 + 0.6) / 4)
    assert r["ece_final"] == pytest.approx(0.5 * 0.225 + 0.25 * 0.6 + 0.25 * 0.3)
    logs_baseline = math.log(0.3) + math.log(0.8) + math.log(0.9) + math.log(0.4)
    assert r["log_loss_baseline"] == pytest.approx(-logs_baseline / 4)
    logs_final = math.log(0.75) + math.log(0.8) + math.log(0.4) + math.log(0.7)
    assert r["log_loss_final"] == pytest.approx(-logs_final / 4)


def test_single_shot_statistics_by_hand(summary: pd.DataFrame) -> None:
    r = row(summary, "truthfulqa_copy", "mockllm/other", "single_shot")
    # p .3 .6 .8 .5 on labels 0 0 1 1: right, wrong, right, undecided (wrong).
    assert (r["baseline_accuracy"], r["final_accuracy"], r["net_gain"]) == (0.5, 0.5, 0.0)
    assert (r["net_gain_low"], r["net_gain_high"], r["mcnemar_p"]) == (0.0, 0.0, 1.0)
    assert (r["mean_judgments"], r["mean_calls"], r["parse_failure_rate"]) == (1, 1, 0)


@pytest.mark.parametrize("name", ["market", "market_other", "single", "single_other_task"])
def test_tables_equal_the_logged_metrics(
    logs: dict[str, EvalLog], summary: pd.DataFrame, name: str
) -> None:
    log = logs[name]
    assert log.samples
    protocol = str((log.samples[0].scores or {})["trajectory_scorer"].metadata["protocol"])
    model = "mockllm/other" if "other" in name else "mockllm/model"
    r = row(summary, log.eval.task.split("/")[-1], model, protocol)
    logged = metrics(log)
    for key in ("baseline_accuracy", "final_accuracy", "net_gain", "flip_to_correct",
                "flip_to_wrong", "brier_baseline", "brier_final", "mean_judgments",
                "parse_failure_rate", "mean_calls", "mean_tokens"):  # fmt: skip
        assert r[key] == logged[key], key


def test_replay_stop_never_guesses() -> None:
    wandering = [0.1, 0.9] * 5  # never converges; the run stopped at its max of 10
    assert replay_stop(wandering, 10, 0.2, 3) == 10
    assert replay_stop(wandering, 5, 0.2, 3) == 5
    assert replay_stop(wandering, 12, 0.2, 3) is None  # would need judgment 11
    converged_at_4 = [0.7, 0.3, 0.2, 0.25]
    assert replay_stop(converged_at_4, 10, 0.2, 3) == 4
    assert replay_stop(converged_at_4, 10, 0.5, 3) == 3
    assert replay_stop(converged_at_4, 10, 0.05, 3) is None  # would need judgment 5
    assert replay_stop([0.4, None, 0.4, 0.4], 10, 0.0, 2) == 4  # an unparsed p never converges


def test_replay_of_the_runs_own_rule_reproduces_the_logged_metrics(
    logs: dict[str, EvalLog], log_dir: Path
) -> None:
    samples = load_logs([str(log_dir)]).samples
    for thresholds, limits in (([None], [None]), ([0.2], [10])):
        table = replay_table(replay(samples, thresholds, limits))
        assert set(table["protocol"]) == {"market_making"}  # single shot is not replayable
        for name, model in (("market", "mockllm/model"), ("market_other", "mockllm/other")):
            r = row(table, "truthfulqa", model, "market_making")
            logged = metrics(logs[name])
            assert (r["n"], r["not_computable"]) == (4, 0)
            for key in ("baseline_accuracy", "final_accuracy", "net_gain", "mean_judgments"):
                assert r[key] == logged[key], key


def test_replay_of_other_rules_by_hand(log_dir: Path) -> None:
    samples = load_logs([str(log_dir)]).samples
    table = replay_table(replay(samples, [0.05, 0.5], [3, 10]))
    mine = table[table.model == "mockllm/model"].set_index(["threshold", "max_judgments"])
    # T = 0.05: sky and city would go past their last judgment; spider (right) and frozen
    # (right -> wrong at .45 -> .4 spread .05) answer.
    tight = mine.loc[(0.05, 10)]
    assert (tight["n"], tight["not_computable"]) == (2, 2)
    assert (tight["baseline_accuracy"], tight["final_accuracy"], tight["net_gain"]) == (
        1,
        0.5,
        -0.5,
    )
    # T = 0.5: sky stops at 3 (.2, right), frozen at 3 (.45, wrong), city still at 6 (None in
    # every earlier window).
    loose = mine.loc[(0.5, 10)]
    assert (loose["n"], loose["not_computable"], loose["final_accuracy"]) == (4, 0, 0.75)
    assert loose["mean_judgments"] == (3 + 3 + 3 + 6) / 4
    # N = 3: every market stops at 3; city's third p is unparsed, so wrong.
    short = mine.loc[(0.05, 3)]
    assert (short["n"], short["final_accuracy"], short["net_gain"], short["mean_judgments"]) == (
        4, 0.5, 0.0, 3)  # fmt: skip


def plotted(ax: Axes) -> dict[str, list[tuple[float, float, float, float]]]:
    """Per legend label: (x, y, bar bottom, bar top) of each error-bar point drawn in `ax`."""
    points = {}
    for container in ax.containers:
        assert isinstance(container, ErrorbarContainer)
        line, _, (bars,) = container.lines
        points[container.get_label()] = [
            (x, y, low, high)
            for (x, y), ((_, low), (_, high)) in zip(
                line.get_xydata().tolist(), bars.get_segments(), strict=True
            )
        ]
    return points


def test_accuracy_against_calls_one_panel_per_task_and_model(summary: pd.DataFrame) -> None:
    figure = accuracy_calls_figure(summary)
    panels = {ax.get_title(): plotted(ax) for ax in figure.axes}
    # Final correct per sample: market 1 1 0 1 (7, 5, 7 and 13 calls: mean 8);
    # single shot 0 1 1 0 (1 call each). 95% percentile bootstrap of the mean of 4: for
    # 1 1 0 1, P(mean <= 0) = 0.004 < 0.025 < P(mean <= 0.25) = 0.051 and P(mean = 1) = 0.32,
    # so [25, 100]; for two right of four, P(mean = 0) = P(mean = 1) = 0.0625, so [0, 100].
    assert panels == {
        "truthfulqa / mockllm/model": {
            "market_making": [(8.0, 75.0, 25.0, 100.0)],
            "single_shot": [(1.0, 50.0, 0.0, 100.0)],
        },
        # p 0.6 throughout: three judgments, 5 calls, right on the two label-1 questions
        "truthfulqa / mockllm/other": {"market_making": [(5.0, 50.0, 0.0, 100.0)]},
        "truthfulqa_copy / mockllm/other": {"single_shot": [(1.0, 50.0, 0.0, 100.0)]},
    }
    assert {ax.get_xlabel() for ax in figure.axes} == {"mean calls per sample"}


def test_points_at_equal_calls_are_dodged_apart_and_keep_their_colour() -> None:
    protocols = ["econ", "market_making", "self_consistency (samples=5)", "single_shot"]
    summary = pd.DataFrame(
        {
            "task": "t",
            "model": ["m", "m", "m", "n"],
            "variant": "",
            "protocol": protocols,
            "mean_calls": [5.0, 5.0, 5.0, 1.0],
            "final_accuracy": [0.5, 0.6, 0.7, 0.8],
            "final_accuracy_low": [0.4, 0.5, 0.6, 0.7],
            "final_accuracy_high": [0.6, 0.7, 0.8, 0.9],
        }
    )
    first, second = accuracy_calls_figure(summary).axes
    # three points at 5 calls in a panel spanning 0 calls: steps of 0.015 around 5
    assert {k: [round(v, 6) for v in p[0]] for k, p in plotted(first).items()} == {
        "econ": [4.985, 50, 40, 60],
        "market_making": [5, 60, 50, 70],
        "self_consistency (samples=5)": [5.015, 70, 60, 80],
    }
    assert plotted(second) == {"single_shot": [(1.0, 80.0, 70.0, 90.0)]}
    colours = {
        c.get_label(): c.lines[0].get_color() for ax in (first, second) for c in ax.containers
    }
    assert colours == {"econ": "C0", "market_making": "C1",
                       "self_consistency (samples=5)": "C2", "single_shot": "C3"}  # fmt: skip


def test_paper_table_shape(summary: pd.DataFrame) -> None:
    tables = paper_tables(summary)
    assert set(tables) == {"market_making", "single_shot"}
    market = tables["market_making"].set_index("model")
    assert list(market.index) == ["mockllm/model", "mockllm/other"]
    assert list(market.columns) == ["truthfulqa"]
    cell = market.loc["mockllm/model", "truthfulqa"]
    assert cell.startswith("+25.0 [") and cell.endswith("(50.0 -> 75.0)")
    assert list(tables["single_shot"].columns) == ["model", "truthfulqa", "truthfulqa_copy"]


PNGS = ["net_gain.png", "reliability.png", "judgments.png", "accuracy.png", "accuracy_calls.png"]


def test_cli_report_markdown(logs: dict[str, EvalLog], log_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    args = [
        "report",
        str(log_dir),
        "--out",
        str(out),
        "--threshold",
        "0.05,0.2",
        "--max-judgments",
        "3,10",
    ]
    assert main(args) == 0
    index = (out / "index.md").read_text()
    assert Path(logs["error"].location).name in index and "mock model down" in index
    for heading in (
        "Net gain: market_making",
        "Protocol comparison",
        "Calibration",
        "Threshold replay",
    ):
        assert f"## {heading}" in index
    assert "| mockllm/model | +25.0 [" in index
    assert "| McNemar p | MDE, points | Wrong to right, % |" in index
    for name in PNGS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert (out / name).stat().st_size > 5000, name
        assert f"]({name})" in index


def test_cli_plan_from_logs(
    logs: dict[str, EvalLog], log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--log", str(log_dir), "--effect", "0.25"]) == 0
    captured = capsys.readouterr()
    assert f"left out: {logs['error'].location}" in captured.err
    lines = captured.out.splitlines()
    assert lines[0] == (
        "exact McNemar test (two-sided), alpha 0.05, power 0.8; net gain to detect +25.0 points"
    )
    # market_making, mockllm/model: baseline 2 of 4, discordant 3 of 4 (see MARKET).
    needed = sample_size(0.75, 0.25)
    assert (
        f"| truthfulqa | mockllm/model | market_making |  | 4 | 50.0 | 75.0 | {needed} |" in lines
    )
    # single shot: baseline = final, so no sample is discordant and no gain can show.
    assert (
        "| truthfulqa | mockllm/model | single_shot |  | 4 | 50.0 | 0.0 | none: a gain of 0.25 "
        "needs at least that share of discordant samples, got 0 |"
    ) in lines


def test_a_replayed_rule_a_configuration_cannot_take_is_skipped_with_a_note(
    log_dir: Path, tmp_path: Path
) -> None:
    """The runs' window is 3: max_judgments 2 cannot stop by it, 10 can; the report goes on."""
    samples = load_logs([str(log_dir)]).samples
    replayed = replay(samples, [None], [2, 10])
    assert set(replayed["max_judgments"]) == {10} and len(replayed) == 8  # 2 market logs x 4
    skipped = skipped_rules(samples, [None], [2, 10])
    assert skipped == [
        f"truthfulqa / mockllm/{model} / market_making at threshold=0.2, max_judgments=2: "
        "window must be an integer in [1, 2] (at most max_judgments=2: a longer window can "
        "never converge), got 3"
        for model in ("model", "other")
    ]
    out = tmp_path / "report"
    assert main(["report", str(log_dir), "--out", str(out), "--max-judgments", "2,10"]) == 0
    index = (out / "index.md").read_text()
    assert all(f"Skipped: {line}." in index for line in skipped)
    assert "| truthfulqa | mockllm/model | market_making | 0.2 | 10 | 4 |" in index
    assert "| 0.2 | 2 |" not in index


def test_cli_report_csv_and_html(log_dir: Path, tmp_path: Path) -> None:
    assert main(["report", str(log_dir), "--out", str(tmp_path / "csv"), "--format", "csv"]) == 0
    protocols = pd.read_csv(tmp_path / "csv" / "protocols.csv")
    assert len(protocols) == 4 and protocols["net_gain"].max() == 0.25
    assert "(protocols.csv)" in (tmp_path / "csv" / "index.md").read_text()
    assert main(["report", str(log_dir), "--out", str(tmp_path / "html"), "--format", "html"]) == 0
    page = (tmp_path / "html" / "index.html").read_text()
    assert page.count("<table") >= 5 and all(f'src="{name}"' in page for name in PNGS)


def test_cli_report_with_nothing_usable(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path / "absent"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file or directory" in (tmp_path / "out" / "index.md").read_text()


def one_row(log_dir: Path, **kwargs: bool) -> pd.Series:
    [r] = summarize(load_logs([str(log_dir)], **kwargs).samples).to_dict("records")
    return pd.Series(r)


def test_epochs_are_averaged_per_sample_not_counted_as_samples(tmp_path: Path) -> None:
    # 4 samples x 3 identical (deterministic) epochs carry the evidence of 4 samples.
    roles = {"market_maker": scripted(by_question(MARKET)), "trader": TRADER}
    run(truthfulqa(data_path=FIXTURE), roles, tmp_path, epochs=3)
    r = one_row(tmp_path)
    assert (r["n"], r["epochs"], r["net_gain"]) == (4, 3, 0.25)
    assert (r["net_gain_low"], r["net_gain_high"], r["mcnemar_p"]) == (-0.5, 1.0, 1.0)
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert "| 4 x 3 |" in (tmp_path / "out" / "index.md").read_text()


def test_repeats_are_superseded_or_pooled_as_epochs(tmp_path: Path) -> None:
    older = market_log(tmp_path, MARKET, "mockllm/model").location
    time.sleep(1.1)  # eval.created has whole seconds: runs in one second tie
    newer = market_log(tmp_path, MARKET, "mockllm/model").location
    loaded = load_logs([str(tmp_path)])
    assert set(loaded.samples["log"]) == {newer}
    [left_out] = loaded.excluded
    assert (left_out.path, left_out.kind) == (older, "superseded")
    assert left_out.reason == f"superseded by {newer} (same configuration)"
    alone = one_row(tmp_path)
    pooled = one_row(tmp_path, pool_repeats=True)
    assert (alone["n"], alone["epochs"], pooled["n"], pooled["epochs"]) == (4, 1, 4, 2)
    for key in ("net_gain_low", "net_gain_high", "mcnemar_p", "final_accuracy"):
        assert pooled[key] == alone[key], key


def data_copy(tmp_path: Path) -> str:
    """The fixture with one more newline at the end: same rows, another sha256."""
    copy = tmp_path / "copy.csv"
    copy.write_bytes(Path(FIXTURE).read_bytes() + b"\n")
    return str(copy)


@pytest.mark.parametrize(
    "change", ["trader", "trader_model_arg", "temperature", "token_limit", "task_arg", "data"]
)
def test_configurations_that_differ_in_one_field_are_not_pooled(
    tmp_path: Path, change: str
) -> None:
    market_log(tmp_path, MARKET, "mockllm/model")
    roles = {"market_maker": scripted(by_question(MARKET)), "trader": TRADER}
    task, data = truthfulqa(data_path=FIXTURE), FIXTURE
    options: dict[str, Any] = {}
    if change == "trader":
        roles["trader"] = scripted(lambda messages: "Look again.", "mockllm/trader2")
        labels = {"trader=mockllm/model", "trader=mockllm/trader2"}
    elif change == "trader_model_arg":  # the same model with one other -M argument
        roles["trader"] = get_model(
            "mockllm/model", custom_outputs=lambda *a: output("Look again."), skill=0.9
        )
        labels = {"trader.args.skill=unset", "trader.args.skill=0.9"}
    elif change == "temperature":
        options["temperature"] = 0.3
        labels = {"temperature=unset", "temperature=0.3"}
    elif change == "token_limit":
        options["token_limit"] = 10_000
        labels = {"token_limit=unset", "token_limit=10000"}
    elif change == "task_arg":
        task = truthfulqa(data_path=FIXTURE, seed=1)
        labels = {"seed=0", "seed=1"}
    else:
        data = data_copy(tmp_path)
        task = truthfulqa(data_path=data)
        labels = {f"data_sha256={sha256_of(Path(p))[:12]}" for p in (FIXTURE, data)}
    run(task, roles, tmp_path, **options)
    loaded = load_logs([str(tmp_path)])
    assert loaded.excluded == []
    summary = summarize(loaded.samples)
    assert list(summary["n"]) == [4, 4]
    assert set(summary["variant"]) == labels and len(labels) == 2
    assert set(summary["protocol"]) == {"market_making"}
    [table] = paper_tables(summary).values()
    assert set(table["model"]) == {f"mockllm/model [{label}]" for label in labels}


def test_protocol_parameters_make_another_row(tmp_path: Path) -> None:
    market_log(tmp_path, MARKET, "mockllm/model")
    roles = {"market_maker": scripted(by_question(MARKET)), "trader": TRADER}
    run(truthfulqa(data_path=FIXTURE, threshold=0.5), roles, tmp_path)
    summary = summarize(load_logs([str(tmp_path)]).samples)
    assert list(summary["protocol"]) == ["market_making", "market_making (threshold=0.5)"]
    assert list(summary["variant"]) == ["", ""] and list(summary["n"]) == [4, 4]


def test_a_log_of_another_package_is_named_so(tmp_path: Path) -> None:
    task = Task(dataset=[Sample(input="1 + 1?", target="2")], scorer=match())
    log = run(task, {"main": scripted(lambda messages: "2")}, tmp_path)
    [left_out] = load_logs([log.location]).excluded
    assert (left_out.kind, left_out.reason) == (
        "foreign",
        "not an inspect_market log (no trajectory_scorer)",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "nan"], "--threshold must be a finite number in [0, 1], got nan"),
        (["--max-judgments", "0"], "--max-judgments must be an integer in [1, 100], got 0"),
        (["--out", "FILE"], "is a file; give a directory"),
        (["--out", "UNDER_FILE"], "cannot write the report to "),
        (["--seed=-1"], "--seed must be an integer >= 0, got -1"),
    ],
)
def test_cli_report_bad_arguments_are_one_line(
    log_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    a_file = tmp_path / "index.md"
    a_file.write_text("already here")
    places = {"FILE": str(a_file), "UNDER_FILE": str(a_file / "report")}
    args = [places.get(arg, arg) for arg in args]
    assert main(["report", str(log_dir), *args]) == 2
    # besides the notice of the errored log, read before the report is written: one line
    lines = [x for x in capsys.readouterr().err.splitlines() if not x.startswith("left out: ")]
    assert len(lines) == 1 and lines[0].startswith("inspect-market: ") and message in lines[0]
    assert a_file.read_text() == "already here"


def test_a_relative_log_path_loads(
    logs: dict[str, EvalLog], log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(log_dir)
    name = Path(logs["market"].location).name
    loaded = load_logs([name])
    assert (len(loaded.samples), loaded.excluded) == (4, [])
    assert set(loaded.samples["log"]) == {name}
