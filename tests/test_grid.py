"""`inspect-market grid`: config validation, cells, shards, dry-run estimates, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from inspect_ai.log import list_eval_logs, read_eval_log

from inspect_market import grid
from inspect_market.cli import main
from inspect_market.errors import InspectMarketError
from inspect_market.providers.simulated import SimulatedModelAPI
from inspect_market.report.load import load_logs
from inspect_market.report.tables import summarize
from inspect_market.solvers import protocol_name
from inspect_market.solvers.registry import PACKAGE_PROTOCOLS

FIXTURES = Path(__file__).parent / "fixtures"
PAPER = Path(__file__).parents[1] / "grids" / "paper.yaml"


def write(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def small_grid(log_dir: Path) -> dict[str, Any]:
    """2 tasks x 2 protocols on the simulated model (p settles at once: markets stop at J = 3)."""
    return {
        "tasks": [
            {"name": "truthfulqa", "args": {"data_path": str(FIXTURES / "truthfulqa_mini.csv")}},
            {"name": "csqa2", "args": {"data_path": str(FIXTURES / "csqa2_mini.json.gz")}},
        ],
        "protocols": ["single_shot", {"name": "market_making", "args": {"max_judgments": 5}}],
        "models": [{"name": "simulated/default", "args": {"converge_after": 1}}],
        "log_dir": str(log_dir),
        "limit": 3,
        "eval_args": {"display": "none"},
    }


def test_each_bad_field_gets_one_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"tasks": [], "protocols": ["single_shot"], "models": [{"nme": "x"}], "limit": 0, "x": 1},
    )
    with pytest.raises(InspectMarketError) as caught:
        grid.load_config(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: tasks: List should have at least 1 item after validation, not 0",
        f"{path}: models.0.name: Field required",
        f"{path}: models.0.nme: Extra inputs are not permitted",
        f"{path}: log_dir: Field required",
        f"{path}: limit: Input should be greater than or equal to 1",
        f"{path}: x: Extra inputs are not permitted",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tasks: [truthfulqa\n", "not YAML"),
        ("- a\n", "expected a mapping"),
        (
            "tasks: [truthfulqa]\nprotocols: [markt]\nmodels: [m/x]\nlog_dir: logs\n",
            "unknown protocol 'markt'",
        ),
    ],
)
def test_bad_file_is_one_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(text)
    with pytest.raises(InspectMarketError, match=message):
        grid.load_config(path)


def test_cells_are_the_product_with_protocol_args_as_task_args(tmp_path: Path) -> None:
    config = grid.GridConfig.model_validate(small_grid(tmp_path))
    cells = grid.cells(config)
    assert [c.id for c in cells] == sorted(c.id for c in cells)
    assert len({c.id for c in cells}) == 4
    market = next(c for c in cells if c.task.name == "csqa2" and c.protocol.name == "market_making")
    assert market.task_args() == {
        "data_path": str(FIXTURES / "csqa2_mini.json.gz"),
        "solver": "market_making",
        "max_judgments": 5,
    }
    assert market.id == (
        f'csqa2(data_path="{FIXTURES / "csqa2_mini.json.gz"}") | market_making(max_judgments=5) '
        "| simulated/default(converge_after=1)"
    )


def test_repeated_cell_and_task_protocol_clash_are_errors(tmp_path: Path) -> None:
    config = small_grid(tmp_path)
    config["protocols"] = ["single_shot", {"name": "single_shot"}]
    with pytest.raises(InspectMarketError, match="names a cell twice"):
        grid.cells(grid.GridConfig.model_validate(config))
    config["protocols"] = ["single_shot"]
    config["tasks"][0]["args"]["solver"] = "debate"
    cell = grid.cells(grid.GridConfig.model_validate(config))[1]
    with pytest.raises(InspectMarketError, match="sets solver, which protocol single_shot sets"):
        cell.task_args()


def test_bad_protocol_arg_fails_before_anything_runs(tmp_path: Path) -> None:
    config = small_grid(tmp_path / "logs")
    config["protocols"] = [{"name": "market_making", "args": {"threshold": 2}}]
    assert main(["grid", str(write(tmp_path, config))]) == 2
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shards_cover_every_cell_once(tmp_path: Path, n: int) -> None:
    config = small_grid(tmp_path)
    config["models"].append("simulated/other")
    cells = grid.cells(grid.GridConfig.model_validate(config))
    shards = [[c.id for c in grid.shard(cells, k, n)] for k in range(1, n + 1)]
    assert sorted(i for s in shards for i in s) == [c.id for c in cells]
    # the same shards whatever order the file lists tasks and protocols in
    config["tasks"].reverse()
    config["protocols"].reverse()
    again = grid.cells(grid.GridConfig.model_validate(config))
    assert [[c.id for c in grid.shard(again, k, n)] for k in range(1, n + 1)] == shards


@pytest.mark.parametrize("text", ["2", "0/2", "3/2", "a/b"])
def test_bad_shard(text: str) -> None:
    with pytest.raises(InspectMarketError, match="--shard"):
        grid.parse_shard(text)


def test_estimate_formulas(tmp_path: Path) -> None:
    config = small_grid(tmp_path)
    config["protocols"] = [
        {"name": "market_making", "args": {"window": 4}},
        {"name": "debate", "args": {"rounds": 2}},
        "self_consistency",
        "single_shot",
        {"name": "multi_agent_debate", "args": {"agents": 4}},
        {"name": "econ", "args": {"executors": 2}},
    ]
    config["epochs"] = 2
    config["tasks"] = config["tasks"][:1]
    parsed = grid.GridConfig.model_validate(config)
    calls = {e.cell.protocol.name: e.calls for e in grid.dry_run(parsed, grid.cells(parsed))}
    # 3 samples x 2 epochs x (2*4 - 1, 2 + 2*2, 5, 1, 4 * 3, 1 + 2 + 1)
    assert calls == {
        "market_making": 42,
        "debate": 36,
        "self_consistency": 30,
        "single_shot": 6,
        "multi_agent_debate": 72,
        "econ": 24,
    }


def test_dry_run_of_every_protocol_prices_every_cell_near_what_the_run_makes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = small_grid(tmp_path / "logs")
    config["tasks"] = config["tasks"][:1]
    config["protocols"] = [protocol_name(f) for f in PACKAGE_PROTOCOLS]
    path = write(tmp_path, config)
    assert main(["grid", str(path), "--dry-run"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:-1]]
    estimated = {row[row.index("|") + 1]: int(row[-2].replace(",", "")) for row in rows}
    assert set(estimated) == set(config["protocols"])
    assert all(calls > 0 for calls in estimated.values())

    assert main(["grid", str(path)]) == 0
    made = {protocol: calls for (_, protocol), calls in logged_calls(tmp_path / "logs").items()}
    assert made.keys() == estimated.keys()
    for protocol, calls in made.items():
        assert abs(estimated[protocol] - calls) <= 0.2 * calls, (protocol, calls)


def logged_calls(log_dir: Path) -> dict[tuple[str, str], float]:
    """Calls made per (task, protocol), from each log's mean_calls and sample count."""
    calls = {}
    for info in list_eval_logs(str(log_dir)):
        log = read_eval_log(info)
        assert log.status == "success" and log.results is not None
        mean = next(s.metrics["mean_calls"].value for s in log.results.scores)
        key = (log.eval.task, str(log.eval.task_args["solver"]))
        assert key not in calls
        calls[key] = mean * log.results.completed_samples
    return calls


def log_files(log_dir: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in log_dir.glob("*.eval")}


def test_dry_run_estimate_shards_and_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_dir = tmp_path / "logs"
    path = write(tmp_path, small_grid(log_dir))
    assert main(["grid", str(path), "--dry-run"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert not log_dir.exists()
    # header, 4 cells, total: 3 samples x (1 + 5) calls per task
    assert len(table) == 6 and table[-1].split()[:5] == ["total", "(4", "cells)", "12", "36"]
    estimated = int(table[-1].split()[4])

    calls = 0
    generate = SimulatedModelAPI.generate

    async def counting(self: SimulatedModelAPI, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await generate(self, *args, **kwargs)

    monkeypatch.setattr(SimulatedModelAPI, "generate", counting)
    assert main(["grid", str(path), "--shard", "1/2"]) == 0
    assert len(log_files(log_dir)) == 2
    assert main(["grid", str(path), "--shard", "2/2"]) == 0
    made = logged_calls(log_dir)
    assert set(made) == {
        (f"inspect_market/{task}", protocol)
        for task in ("truthfulqa", "csqa2")
        for protocol in ("single_shot", "market_making")
    }
    assert sum(made.values()) == calls
    assert abs(estimated - calls) <= 0.2 * calls
    assert (log_dir / "report" / "index.md").is_file()

    before, calls = log_files(log_dir), 0
    assert main(["grid", str(path)]) == 0
    assert calls == 0 and log_files(log_dir) == before


def test_paper_grid_is_valid() -> None:
    config = grid.load_config(PAPER)
    assert [t.name for t in config.tasks] == [
        "truthfulqa",
        "ethics_commonsense",
        "ethics_justice",
        "scruples",
        "csqa2",
    ]
    [protocol] = config.protocols
    assert protocol.name == "market_making"
    assert protocol.args == {"prompts": "paper", "max_judgments": 10, "threshold": 0.2, "window": 3}


def test_cell_task_binds_model_args_and_roles(tmp_path: Path) -> None:
    config = small_grid(tmp_path)
    config["models"] = [
        {"name": "simulated/a", "args": {"seed": 3}, "roles": {"trader": "simulated/b"}}
    ]
    config["tasks"], config["protocols"] = config["tasks"][:1], ["market_making"]
    [cell] = grid.cells(grid.GridConfig.model_validate(config))
    assert cell.id.endswith("| simulated/a(seed=3)[trader=simulated/b]")
    task = cell.bind(cell.build())
    assert task.model is not None and str(task.model) == "simulated/a"
    assert task.model.model_args == {"seed": 3}
    assert task.model_roles is not None and str(task.model_roles["trader"]) == "simulated/b"


def test_dry_run_needs_no_api_key_and_a_bad_model_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = small_grid(tmp_path / "logs")
    config["models"] = ["openai/gpt-4.1-mini"]
    path = write(tmp_path, config)
    assert main(["grid", str(path), "--dry-run"]) == 0
    assert main(["grid", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("inspect-market: model openai/gpt-4.1-mini: ") and "API_KEY" in error
    assert len(error.splitlines()) == 1
    assert not (tmp_path / "logs").exists()


def test_a_skilled_trader_bound_through_model_args_lifts_the_market(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The world's informed setting from a grid file: a weak, persuadable market maker and a
    trader of skill 0.9, each a `simulated` model with its own model args."""
    config = {
        "tasks": [{"name": "synthetic", "args": {"n": 200, "world_seed": 3}}],
        "protocols": ["market_making", "single_shot"],
        "models": [
            {
                "name": "simulated/default",
                "args": {"skill": 0.3, "persuadability": 0.8, "seed": 0},
                "roles": {
                    "trader": {
                        "model": "simulated/default",
                        "args": {"skill": 0.9, "persuadability": 0.5, "seed": 1},
                    }
                },
            }
        ],
        "log_dir": str(tmp_path / "logs"),
        "eval_args": {"display": "none"},
    }
    path = write(tmp_path, config)
    assert main(["grid", str(path), "--dry-run"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()[1:-1]]
    model = "simulated/default(persuadability=0.8,seed=0,skill=0.3)"
    trader = "simulated/default(persuadability=0.5,seed=1,skill=0.9)"
    # the trader shows only on the protocol that has one
    assert [(row[1], row[2].split()[0]) for row in rows] == [
        ("market_making", f"{model}[trader={trader}]"),
        ("single_shot", model),
    ]
    assert main(["grid", str(path)]) == 0
    summary = summarize(load_logs([str(tmp_path / "logs")]).samples)
    gains = dict(zip(summary["protocol"], summary["net_gain"], strict=True))
    # expected +0.25 or so (the world's closed form); single shot gains nothing by definition
    assert gains["market_making"] > 0.15 and gains["single_shot"] == 0


def test_a_role_no_protocol_of_the_grid_has_is_refused(tmp_path: Path) -> None:
    config = small_grid(tmp_path / "logs")
    config["models"][0]["roles"] = {"debater_a": "simulated/other"}
    with pytest.raises(InspectMarketError, match="binds 'debater_a', which no protocol"):
        grid.load_config(write(tmp_path, config))


def test_cell_names_are_short_and_unique(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "TruthfulQA.csv").write_bytes(
            (FIXTURES / "truthfulqa_mini.csv").read_bytes()
        )
    config = small_grid(tmp_path / "logs")
    config["tasks"] = [
        {"name": "truthfulqa", "args": {"data_path": str(tmp_path / d / "TruthfulQA.csv")}}
        for d in ("a", "b")
    ]
    names = grid.cell_names(grid.cells(grid.GridConfig.model_validate(config)))
    assert len(set(names)) == len(names) == 4
    assert all(str(tmp_path) not in name and "TruthfulQA.csv" in name for name in names)
    assert all(" #" in name for name in names)  # the same short name twice: a hash each
