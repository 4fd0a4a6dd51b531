"""No sample runs unbounded: Inspect's limits end it and are counted, one role's reply reaches
another cut to size, and a grid's dry run reads each dataset once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from inspect_market import grid
from inspect_market.cli import main
from inspect_market.solvers.market_making import MAX_JUDGMENT_CHARS
from tests.mocks import (
    TQA_FIXTURE,
    judgment,
    metrics,
    recording,
    run,
    run_truthfulqa,
    score_of,
    stored,
)


def test_a_token_limit_ends_the_sample_as_inspect_records_it_and_is_counted(
    tmp_path: Path,
) -> None:
    # every call uses 15 tokens: a market of 5 calls needs 75, so a limit of 40 stops it
    market_maker, calls = recording(lambda messages: judgment(0.3))
    log = run(
        "inspect_market/truthfulqa",
        {"market_maker": market_maker, "trader": market_maker},
        tmp_path,
        task_args={"data_path": str(TQA_FIXTURE)},
        limit=2,
        token_limit=40,
    )
    assert log.status == "success", log.error
    for sample in log.samples or []:
        assert sample.limit is not None and sample.limit.type == "token"
        assert stored(sample, "stop_reason") == "limit"
        assert score_of(sample)["stopped_by_limit"] == 1
        assert score_of(sample)["final_correct"] == 0
    m = metrics(log)
    assert m["stopped_by_limit_rate"] == 1 and m["final_accuracy"] == 0
    assert len(calls) <= 2 * 3


def test_the_trader_sees_at_most_max_judgment_chars_of_the_market_makers_reply(
    tmp_path: Path,
) -> None:
    huge = judgment(0.3) + " filler" * 300_000  # ~2 MB
    market_maker, _ = recording(lambda messages: huge)
    trader, trader_calls = recording(lambda messages: "An argument.")
    run_truthfulqa(tmp_path, {"market_maker": market_maker, "trader": trader})
    assert trader_calls
    for messages, _ in trader_calls:
        request = messages[-1].text
        assert len(request) < MAX_JUDGMENT_CHARS + 2_000
        assert "…\n\nCurrent p" in request


def test_a_dry_run_reads_each_task_once_whatever_the_number_of_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    builds: list[str] = []
    build = grid.GridTask.build

    def counted(self: grid.GridTask, **args: Any) -> Any:
        builds.append(self.name)
        return build(self, **args)

    monkeypatch.setattr(grid.GridTask, "build", counted)
    config = {
        "tasks": [{"name": "truthfulqa", "args": {"data_path": str(TQA_FIXTURE)}}],
        "protocols": [
            {"name": "market_making", "args": {"threshold": t / 100}} for t in range(0, 100, 2)
        ],
        "models": [f"simulated/m{i}" for i in range(10)],
        "log_dir": str(tmp_path / "logs"),
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["grid", str(path), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("total (500 cells)")
    assert builds == ["truthfulqa"]


def test_simulated_agents_on_a_real_dataset_are_named_in_the_log_and_the_report(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from inspect_ai import eval as inspect_eval

    [log] = inspect_eval(
        "inspect_market/truthfulqa",
        model="simulated/default",
        task_args={"data_path": str(TQA_FIXTURE), "solver": "single_shot"},
        log_dir=str(tmp_path / "real"),
        display="none",
    )
    assert log.status == "success"
    warned = [r for r in caplog.records if "answering questions of a real dataset" in r.message]
    assert len(warned) == 1
    [synthetic] = inspect_eval(
        "inspect_market/synthetic",
        model="simulated/default",
        task_args={"n": 4, "solver": "single_shot"},
        log_dir=str(tmp_path / "world"),
        display="none",
    )
    assert synthetic.status == "success"
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 0
    index = (tmp_path / "report" / "index.md").read_text()
    section = index.split("## Simulated agents on a real dataset", 1)[1].split("\n## ", 1)[0]
    rows = section.split("| --- |", 1)[1]
    assert "truthfulqa / simulated/default" in rows and "synthetic" not in rows
