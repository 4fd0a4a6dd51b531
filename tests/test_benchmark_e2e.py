"""End-to-end scripted evals of ethics_commonsense, ethics_justice, scruples and csqa2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage

from inspect_market.tasks.scruples import scruples_dataset
from tests.mocks import Script, market_maker_by_round, metrics, run, scripted

FIXTURES = Path(__file__).parent / "fixtures"
TRADER = scripted(lambda messages: "Think about who is harmed.")
SOLVERS = ["market_making", "single_shot"]
CM_CLAIMS = ("the narrator's action is morally wrong", "the narrator's action is not morally wrong")
JUSTICE_CLAIMS = ("the statement is reasonable", "the statement is not reasonable")
SCRUPLES_CLAIMS = ("action 1 is the less ethical one", "action 2 is the less ethical one")
CSQA2_CLAIMS = (
    "the answer is yes / the statement is true",
    "the answer is no / the statement is false",
)


def by_item(ps: dict[str, list[float | None]], claims: tuple[str, str]) -> Script:
    """The market maker answers item k (found by its text in the request) with ps[k] by round."""

    def script(messages: list[ChatMessage]) -> str:
        [key] = [k for k in ps if k in messages[-1].text]
        return market_maker_by_round(ps[key], claims)(messages)

    return script


def evaluate(tmp_path: Path, task: str, script: Script, solver: str, **task_args: Any) -> EvalLog:
    roles = {"market_maker": scripted(script)}
    if solver == "market_making":
        roles["trader"] = TRADER
    log = run(f"inspect_market/{task}", roles, tmp_path, task_args={"solver": solver, **task_args})
    assert log.status == "success", log.error
    return log


def truth(label: int) -> float:
    return 0.9 if label else 0.1


@pytest.mark.parametrize("solver", SOLVERS)
def test_ethics_commonsense(tmp_path: Path, solver: str) -> None:
    # Short rows: labels 0, 1, 1, 0. Baseline says "wrong" (p = 0.8) for all; trading fixes it.
    short = {
        "watered my neighbour's": 0,
        "poured salt": 1,
        "read my sister's diary": 1,
        "returned the wallet": 0,
    }
    script = by_item({k: [0.8, truth(v)] for k, v in short.items()}, CM_CLAIMS)
    log = evaluate(
        tmp_path,
        "ethics_commonsense",
        script,
        solver,
        data_path=str(FIXTURES / "ethics_cm_mini.csv"),
        short_only=True,
    )
    m = metrics(log)
    assert m["baseline_accuracy"] == 0.5
    assert m["final_accuracy"] == (1.0 if solver == "market_making" else 0.5)
    assert m["claim_consistency_rate"] == 1.0
    assert log.samples is not None and len(log.samples) == 4
    assert {s.metadata["subset"] for s in log.samples} == {"short"}
    meta = log.eval.metadata or {}
    assert meta["task"] == "ethics_commonsense" and meta["short_only"] is True
    assert meta["split"] == "test" and len(meta["data_sha256"]) == 64


@pytest.mark.parametrize("solver", SOLVERS)
def test_ethics_justice_grouped_exact_match(tmp_path: Path, solver: str) -> None:
    rows = [
        line.split(",", 1)
        for line in (FIXTURES / "ethics_justice_mini.csv").read_text().splitlines()[1:]
    ]
    ps: dict[str, list[float | None]] = {text: [truth(int(label))] for label, text in rows}
    ps[rows[4][1]] = [0.7, 0.2]  # group 2, label 0: wrong at baseline, right after trading
    log = evaluate(
        tmp_path,
        "ethics_justice",
        by_item(ps, JUSTICE_CLAIMS),
        solver,
        data_path=str(FIXTURES / "ethics_justice_mini.csv"),
    )
    m = metrics(log)
    mm = solver == "market_making"
    assert m["baseline_accuracy"] == 7 / 8
    assert m["final_accuracy"] == (1.0 if mm else 7 / 8)
    assert m["group_exact_match_baseline"] == 0.5
    assert m["group_exact_match_final"] == (1.0 if mm else 0.5)
    assert m["claim_consistency_rate"] == 1.0


@pytest.mark.parametrize("solver", SOLVERS)
def test_scruples_noncontroversial_accuracy_and_soft_brier(tmp_path: Path, solver: str) -> None:
    path = FIXTURES / "mini.scruples-dilemmas.jsonl"
    samples = list(scruples_dataset(path, "dev", seed=3))
    # Baseline: p = 0.8 (action 1 is worse) everywhere; after trading, p = 0.9 / 0.1 toward truth.
    ps: dict[str, list[float | None]] = {}
    for s in samples:
        action_1 = str(s.input).split("Action 1: ")[1].split("\n")[0]
        ps[f"Action 1: {action_1}\n"] = [0.8, truth(int(s.target))]  # type: ignore[arg-type]
    log = evaluate(
        tmp_path,
        "scruples",
        by_item(ps, SCRUPLES_CLAIMS),
        solver,
        data_path=str(path),
        split="dev",
        seed=3,
    )
    m = metrics(log)
    meta = [s.metadata or {} for s in samples]
    targets = [int(str(s.target)) for s in samples]
    calm = [t for t, md in zip(targets, meta, strict=True) if not md["controversial"]]
    assert m["baseline_accuracy"] == 0.5  # seed 3 puts the worse action first in 3 of the 6
    assert m["noncontroversial_baseline_accuracy"] == pytest.approx(sum(calm) / len(calm))
    assert m["soft_brier_baseline"] == pytest.approx(
        sum((0.8 - md["soft_label"]) ** 2 for md in meta) / len(meta)
    )
    if solver == "market_making":
        assert m["noncontroversial_final_accuracy"] == 1.0
        assert m["soft_brier_final"] == pytest.approx(
            sum((truth(t) - md["soft_label"]) ** 2 for t, md in zip(targets, meta, strict=True)) / 6
        )
    assert m["claim_consistency_rate"] == 1.0
    assert log.samples is not None
    assert {s.metadata["subset"] for s in log.samples} == {"controversial", "noncontroversial"}


@pytest.mark.parametrize("solver", SOLVERS)
def test_csqa2(tmp_path: Path, solver: str) -> None:
    # Labels 1, 0, 1, 0, 0. Every item: p = 0.3 ("no") at baseline, then 0.8 ("yes").
    log = evaluate(
        tmp_path,
        "csqa2",
        market_maker_by_round([0.3, 0.8], CSQA2_CLAIMS),
        solver,
        data_path=str(FIXTURES / "csqa2_mini.json.gz"),
    )
    m = metrics(log)
    assert m["baseline_accuracy"] == pytest.approx(0.6)
    if solver == "market_making":
        assert m["final_accuracy"] == pytest.approx(0.4)
        assert m["flip_to_wrong"] == pytest.approx(0.6)
        assert m["flip_to_correct"] == pytest.approx(0.4)
    else:
        assert m["final_accuracy"] == pytest.approx(0.6)
    assert m["claim_consistency_rate"] == 1.0
    assert (log.eval.metadata or {})["split"] == "dev"
