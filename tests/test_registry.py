"""One registry, Inspect's: protocols by registry name, and the name a log records."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import (
    create_protocol,
    debate,
    econ,
    market_making,
    multi_agent_debate,
    prediction_market,
    protocol_defaults,
    protocol_name,
    protocol_names,
    self_consistency,
    single_shot,
)
from tests.mocks import judgment, recording, run

FIXTURE = str(Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv")


def test_protocol_names_are_the_registry_names() -> None:
    factories = [
        market_making,
        single_shot,
        debate,
        self_consistency,
        multi_agent_debate,
        econ,
        prediction_market,
    ]
    # the package's protocols first (a test module's own may follow)
    assert protocol_names()[:7] == [protocol_name(f) for f in factories]
    assert protocol_names()[:7] == [
        "market_making",
        "single_shot",
        "debate",
        "self_consistency",
        "multi_agent_debate",
        "econ",
        "prediction_market",
    ]
    assert protocol_defaults("debate") == {
        "rounds": 3,
        "max_format_retries": 2,
        "assignment": "fixed",
        "assignment_seed": 0,
        "prompts": "suite",
        "judge_template": None,
        "debater_template": None,
    }
    assert protocol_defaults("mypackage/other") is None


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("market_makng", {}, "unknown solver 'market_makng'; choose a protocol: market_making, "),
        ("single_shot", {"rounds": 2}, "solver 'single_shot' takes no parameter 'rounds'; "),
        ("nopackage/nothing", {}, "unknown solver 'nopackage/nothing'"),
    ],
)
def test_bad_names_and_params_fail_with_one_line(
    name: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(InspectMarketError) as info:
        create_protocol(name, **params)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def single_shot_run(tmp_path: Path, **kwargs: object) -> tuple[EvalLog, int]:
    model, calls = recording(lambda messages: judgment(0.9))
    log = run(
        "inspect_market/truthfulqa",
        {"market_maker": model},
        tmp_path,
        task_args={"data_path": FIXTURE, **kwargs.pop("task_args", {})},  # type: ignore[dict-item]
        limit=2,
        **kwargs,
    )
    return log, len(calls)


def recorded_protocols(log: EvalLog) -> set[str]:
    assert log.samples
    trajectories = {str(s.store["Trajectory:protocol"]) for s in log.samples}
    scores = {str((s.scores or {})["trajectory_scorer"].metadata["protocol"]) for s in log.samples}  # type: ignore[index]
    assert trajectories == scores
    return scores


def test_solver_flag_running_another_protocol_than_the_tasks_fails_before_any_call(
    tmp_path: Path,
) -> None:
    # the task's protocol is market making by default: its tag, metrics and prompt record
    # would name it, so another protocol may not run under it
    log, calls = single_shot_run(tmp_path, solver=create_protocol("single_shot"))
    assert log.status == "error" and calls == 0
    assert log.eval.tags == ["market_making"]
    assert log.error is not None
    assert (
        "the task runs protocol 'market_making' (its tag, metrics and prompt record name it) "
        "but --solver ran 'single_shot'; pass -T solver=single_shot instead"
    ) in log.error.message


def test_solver_flag_running_the_tasks_protocol_is_what_the_log_records(tmp_path: Path) -> None:
    log, calls = single_shot_run(
        tmp_path,
        task_args={"solver": "single_shot"},
        solver=create_protocol("single_shot"),
    )
    assert log.status == "success" and calls == 2
    assert recorded_protocols(log) == {"single_shot"}
    assert log.eval.tags == ["single_shot"]
    assert log.plan is not None
    assert [step.solver for step in log.plan.steps] == [
        "inspect_market/requested_protocol",
        "inspect_market/single_shot",
    ]


@pytest.mark.parametrize("requested", ["single_shot", "inspect_market/single_shot"])
def test_task_solver_argument_runs_and_is_recorded(tmp_path: Path, requested: str) -> None:
    log, calls = single_shot_run(tmp_path, task_args={"solver": requested})
    assert log.status == "success" and calls == 2
    assert recorded_protocols(log) == {"single_shot"}
    # the same protocol named twice (-T solver= and --solver) agrees: it runs
    log, calls = single_shot_run(
        tmp_path, task_args={"solver": requested}, solver=create_protocol("single_shot")
    )
    assert log.status == "success" and calls == 2


def test_solver_flag_disagreeing_with_task_argument_fails_before_any_call(
    tmp_path: Path,
) -> None:
    model, calls = recording(lambda messages: judgment(0.9))
    [log] = eval(
        "inspect_market/truthfulqa",
        model=model,
        task_args={"data_path": FIXTURE, "solver": "debate"},
        solver=create_protocol("single_shot"),
        log_dir=str(tmp_path),
        display="none",
        limit=2,
    )
    assert log.status == "error" and not calls
    assert log.error is not None
    assert "the task runs protocol 'debate'" in log.error.message
    assert "but --solver ran 'single_shot'" in log.error.message


def test_a_role_the_protocol_does_not_have_fails_before_any_call(tmp_path: Path) -> None:
    log, calls = single_shot_run(tmp_path, task_args={"solver": "debate"})
    assert log.status == "error" and calls == 0
    assert log.error is not None
    assert (
        "debate has no role 'market_maker'; its roles are: judge, debater_a, debater_b"
        in log.error.message
    )
