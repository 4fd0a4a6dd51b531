"""A protocol is one object: a toy protocol declared here, and nowhere else, reaches `-T solver=`,
the task's tag and metrics, the grid's dry run, the report and the simulated world's bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inspect_market import protocol
from inspect_market.cli import main
from inspect_market.errors import InspectMarketError
from inspect_market.report.load import load_logs
from inspect_market.scorers.metrics import vote_baseline_accuracy
from inspect_market.solvers import (
    Calls,
    Evidence,
    Final,
    ProtocolRun,
    create_protocol,
    protocol_names,
    protocol_spec,
)
from inspect_market.solvers.judge import judge_prompt
from inspect_market.solvers.protocol import Play
from inspect_market.solvers.self_consistency import aggregate
from inspect_market.solvers.templates import RolePrompt
from inspect_market.trajectory import Judgment
from inspect_market.world import Agent, WorldSettings, eval_args
from tests.mocks import TQA_FIXTURE, judgment, metrics, recording, run, stored

VOTERS = ("voter_1", "voter_2")


def toy_prompts(prompts: object = "suite") -> dict[str, RolePrompt]:
    return dict.fromkeys(VOTERS, judge_prompt(prompts))


@protocol(
    roles=VOTERS,
    helper_roles=VOTERS[1:],
    prompts=toy_prompts,
    calls=lambda params: Calls(2 * params["rounds"], 0),
    metrics=lambda params: [vote_baseline_accuracy()],
)
def toy_vote(rounds: int = 1, max_format_retries: int = 0, prompts: str = "suite") -> Play:
    """Two voters judge; from round 2 each sees the other's last claim; final = mean p."""

    async def play(run: ProtocolRun) -> Final:
        latest: list[Judgment] = []
        for round_no in range(1, rounds + 1):
            shown = [Evidence((f"voted {j.p}",), (j.claim_side,)) for j in reversed(latest)]
            latest = await run.judge_together(
                [
                    (role, run.judge(role, shown[i] if shown else Evidence(), draw=round_no))
                    for i, role in enumerate(VOTERS)
                ]
            )
            if round_no == 1:
                run.trajectory.baseline_votes = [j.claim_side for j in latest]
        run.trajectory.stop_reason = "rounds_done"
        return aggregate(latest)

    return play


def test_the_toy_protocol_is_registered_with_its_spec() -> None:
    assert "toy_vote" in protocol_names()
    spec = protocol_spec("toy_vote")
    assert spec is not None and spec.short_name == "toy_vote"
    params = spec.params({"rounds": 3})
    assert spec.roles(params) == VOTERS and spec.helper_roles(params) == ("voter_2",)
    assert spec.calls(params) == Calls(6, 0) and spec.call_ceiling(params) == 6
    with pytest.raises(InspectMarketError, match="takes no parameter 'agents'"):
        create_protocol("toy_vote", agents=3)


def test_the_toy_protocol_runs_through_a_task_with_its_tag_metrics_and_prompts(
    tmp_path: Path,
) -> None:
    voter_1, calls_1 = recording(lambda messages: judgment(0.8))
    voter_2, calls_2 = recording(lambda messages: judgment(0.3))
    log = run(
        "inspect_market/truthfulqa",
        {"voter_1": voter_1, "voter_2": voter_2},
        tmp_path,
        task_args={"data_path": str(TQA_FIXTURE), "solver": "toy_vote", "rounds": 2},
        limit=2,
        max_samples=1,
    )
    assert log.status == "success", log.error
    assert log.eval.tags == ["toy_vote"]
    assert len(calls_1) == len(calls_2) == 4
    # round 2 shows each voter the other's round-1 vote
    assert "voted 0.3" in calls_1[1][0][-1].text and "voted 0.8" in calls_2[1][0][-1].text
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "protocol") == "toy_vote"
    assert [j["p"] for j in stored(sample, "judgments")] == [0.8, 0.3, 0.8, 0.3]
    m = metrics(log)
    assert m["mean_calls"] == 4 and "vote_baseline_accuracy" in m
    assert "adversary_success_rate" not in m
    assert log.eval.metadata is not None
    assert log.eval.metadata["prompts"]["protocol"] == "toy_vote"
    assert set(log.eval.metadata["prompts"]["sha256"]) == set(VOTERS)
    # the viewer's outline labels the concurrent judgments by role
    spans = [e.name for e in sample.events if e.event == "span_begin"]
    assert spans.count("voter_1") == spans.count("voter_2") == 2
    assert not any(name.startswith("task-") for name in spans)

    report = load_logs([str(tmp_path)])
    assert set(report.samples["protocol_name"]) == {"toy_vote"}
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 0
    assert "toy_vote" in (tmp_path / "report" / "index.md").read_text()


def test_the_toy_protocol_is_priced_by_the_grid_and_bound_by_the_world(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {
        "tasks": [{"name": "truthfulqa", "args": {"data_path": str(TQA_FIXTURE)}}],
        "protocols": [{"name": "toy_vote", "args": {"rounds": 3}}],
        "models": ["simulated/default"],
        "log_dir": str(tmp_path / "logs"),
        "limit": 2,
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["grid", str(path), "--dry-run"]) == 0
    total = capsys.readouterr().out.splitlines()[-1].split()
    assert total[3:5] == ["2", "12"]  # 2 samples x 2 voters x 3 rounds

    args = eval_args("toy_vote", WorldSettings(Agent(), Agent(skill=1.0)), n=4, world_seed=0)
    assert set(args["model_roles"]) == {"voter_2"}
    assert args["task_args"]["solver"] == "toy_vote"


def test_parameters_that_allow_too_many_calls_are_refused_before_any_call() -> None:
    with pytest.raises(InspectMarketError, match="above the maximum of 1,000") as caught:
        create_protocol("toy_vote", rounds=501)
    assert "\n" not in str(caught.value)
    with pytest.raises(InspectMarketError, match="allow 30,300 model calls per sample"):
        create_protocol("multi_agent_debate", agents=100, rounds=100)
    with pytest.raises(InspectMarketError, match="allow"):
        create_protocol("econ", executors=100, rounds=100)
