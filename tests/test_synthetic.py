"""The synthetic task on the simulated world: evals measure what the world says they should.

Every check: the eval's baseline accuracy, final accuracy and net gain each lie within 3
standard errors of the expected value (the eval's SE, combined with the direct simulation's
when the expected value comes from it). Closed-form protocols run on n = 2,000 items; the
others on n = 200 here (a 3-SE band about 3 times wider) and on n = 2,000 in the slow test
(`INSPECT_MARKET_SLOW=1`).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from inspect_market.errors import InspectMarketError
from inspect_market.providers.world_agent import WorldAgent
from inspect_market.requests import request_tag
from inspect_market.tasks.synthetic import record_to_sample, synthetic, synthetic_dataset
from inspect_market.trajectory import Turn
from inspect_market.world import (
    CLOSED_FORM,
    EXAMPLE_SETTINGS,
    PROTOCOLS,
    eval_args,
    expected,
    simulate,
)
from inspect_market.world.bindings import HELPER_SEED
from inspect_market.world.rules import item_key, truth
from tests.mocks import stored

INSPECT = str(Path(sys.executable).with_name("inspect"))
SIM_N = 200_000
SLOW = pytest.mark.skipif(
    not os.environ.get("INSPECT_MARKET_SLOW"), reason="set INSPECT_MARKET_SLOW=1 to run"
)
SIMULATED_SETTINGS = ("informed", "equal", "stubborn")
"""For protocols without a trader the adversarial and contrarian settings are `informed`."""

Expectation = dict[str, tuple[float, float]]
"""metric -> (expected value, its standard error)."""


def expectation(protocol: str, setting: str) -> Expectation:
    """Expected metrics: the closed form (SE 0) where there is one, else the direct simulation."""
    settings = EXAMPLE_SETTINGS[setting]
    if protocol in CLOSED_FORM:
        baseline, final = expected(protocol, settings)
        return {
            "baseline_accuracy": (baseline, 0.0),
            "final_accuracy": (final, 0.0),
            "net_gain": (final - baseline, 0.0),
        }
    base, fin = simulate(protocol, SIM_N, 12345, settings)
    return {
        key: (float(x.mean()), float(x.std()) / math.sqrt(SIM_N))
        for key, x in [
            ("baseline_accuracy", base),
            ("final_accuracy", fin),
            ("net_gain", fin - base),
        ]
    }


def metrics_of(log: EvalLog) -> dict[str, float]:
    assert log.status == "success", log.error
    assert log.results is not None
    return {k: m.value for s in log.results.scores for k, m in s.metrics.items()}


def assert_within_3_se(metrics: dict[str, float], want: Expectation) -> None:
    for key, (value, sim_se) in want.items():
        se = math.hypot(metrics[f"{key}_stderr"], sim_se)
        assert abs(metrics[key] - value) <= 3 * se + 1e-12, (key, metrics[key], value, se)


def world_metrics(args: dict[str, Any], tmp_path: Path) -> dict[str, float]:
    """The metrics of one world eval (`eval_args` or `market_eval_args`), all samples at once."""
    n = args["task_args"]["n"]
    [log] = eval(
        **args,
        log_dir=str(tmp_path),
        display="none",
        log_samples=False,
        score_display=False,
        max_samples=n,
        max_connections=n,
    )
    assert log.status == "success", log.error
    return metrics_of(log)


def run_world(protocol: str, setting: str, n: int, tmp_path: Path) -> dict[str, float]:
    return world_metrics(eval_args(protocol, EXAMPLE_SETTINGS[setting], n, world_seed=1), tmp_path)


@pytest.mark.parametrize(
    ("protocol", "setting", "n"),
    [
        *[("single_shot", s, 2000) for s in SIMULATED_SETTINGS],
        ("market_making", "equal", 2000),  # informed and adversarial: the CLI test
        ("market_making", "contrarian", 400),
        *[
            (p, s, 200)
            for p in sorted(set(PROTOCOLS) - set(CLOSED_FORM))
            for s in SIMULATED_SETTINGS
        ],
    ],
)
def test_eval_metrics_match_the_expected_values(
    protocol: str, setting: str, n: int, tmp_path: Path
) -> None:
    metrics = run_world(protocol, setting, n, tmp_path)
    assert_within_3_se(metrics, expectation(protocol, setting))
    assert metrics["parse_failure_rate"] == 0


@pytest.mark.slow
@SLOW
@pytest.mark.parametrize("setting", SIMULATED_SETTINGS)
@pytest.mark.parametrize("protocol", sorted(set(PROTOCOLS) - set(CLOSED_FORM)))
def test_eval_metrics_match_the_direct_simulation_on_2000_items(
    protocol: str, setting: str, tmp_path: Path
) -> None:
    assert_within_3_se(run_world(protocol, setting, 2000, tmp_path), expectation(protocol, setting))


def test_world_debaters_argue_their_assigned_sides_soundly_only_when_true(
    tmp_path: Path,
) -> None:
    """Every turn supports its debater's assigned side; it is sound where the (informed)
    debaters know the item and the side is true, and the judge is shown which turns are."""
    settings = EXAMPLE_SETTINGS["informed"]
    args = eval_args("debate", settings, 40, world_seed=1)
    [log] = eval(**args, log_dir=str(tmp_path), display="none", score_display=False)
    assert log.status == "success" and log.samples, log.error
    debaters = WorldAgent(HELPER_SEED, settings.helper.skill, settings.helper.persuadability)
    lying = 0
    for sample in log.samples:
        key = sample.metadata["item_key"]
        turns = [Turn.model_validate(t) for t in stored(sample, "turns")]
        assert [t.supports for t in turns] == [t.side for t in turns] == [1, 0] * 3
        knows = debaters.knows(key)
        assert [t.sound for t in turns] == [knows and t.side == truth(key) for t in turns]
        lying += knows
        final = request_tag([e for e in sample.events if isinstance(e, ModelEvent)][-1].input)
        assert final is not None and final.shown_sound == [t.sound for t in turns]
    assert lying > 20  # knowing debaters argued the false side too


@pytest.mark.parametrize(("stance", "sign"), [("honest", 1), ("adversarial", -1)])
def test_the_command_line_measures_an_informed_traders_effect(
    stance: str, sign: int, tmp_path: Path
) -> None:
    """`inspect eval inspect_market/synthetic`: a weak market maker (skill 0.3) and an informed
    trader (skill 0.9): gain +25 points when honest, -25 when adversarial, as expected."""
    command = [
        INSPECT, "eval", "inspect_market/synthetic", "-T", "n=2000", "-T", "world_seed=1",
        "-T", f"trader_stance={stance}", "--model", "simulated/default",
        "-M", "skill=0.3", "-M", "persuadability=0.8",
        "--model-role", "trader={model: simulated/default, model_args: {skill: 0.9, seed: 1}}",
        "--log-dir", str(tmp_path), "--display", "none", "--no-log-samples",
        "--max-samples", "2000", "--max-connections", "2000",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [info] = list_eval_logs(str(tmp_path))
    metrics = metrics_of(read_eval_log(info))
    assert sign * metrics["net_gain"] > 0.15
    assert_within_3_se(metrics, expectation("market_making", "informed" if sign > 0 else stance))


def test_items_are_pure_functions_of_world_seed_and_index() -> None:
    record = {"index": 7, "world_seed": 3}
    assert record_to_sample(record) == record_to_sample(dict(record))
    sample = record_to_sample(record)
    assert sample.target == str(truth(item_key(3, 7)))
    assert sample.metadata is not None and sample.metadata["item_key"] == "3:7"
    labels = [int(str(s.target)) for s in synthetic_dataset(2000, 3)]
    assert sum(labels) / 2000 == pytest.approx(0.5, abs=0.04)
    assert labels != [int(str(s.target)) for s in synthetic_dataset(2000, 4)]


@pytest.mark.parametrize(
    "args", [{"n": 0}, {"n": 2.5}, {"world_seed": -1}, {"solver": "chess"}, {"rounds": 0}]
)
def test_bad_task_arguments_fail_before_any_model_call(args: dict[str, Any]) -> None:
    with pytest.raises(InspectMarketError):
        synthetic(**args)
