"""Eval logs -> one row per scored sample, through `inspect_ai.analysis.samples_df`.

Only logs whose status is `success` are read; every other path (missing, unreadable, errored,
cancelled, still running) and every sample without a score is listed as excluded, never mixed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from inspect_ai.analysis import EvalColumn, SampleColumn, samples_df
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from ..solvers import protocol_defaults

SCORER = "trajectory_scorer"
JUDGE_ROLES = ("market_maker", "judge")
GROUP = ["task", "model", "protocol"]
"""The columns that name one result: a protocol run by a model on a task."""

VALUE_KEYS = (
    "label",
    "baseline_p",
    "final_p",
    "baseline_correct",
    "final_correct",
    "judgments",
    "converged",
    "parse_failures",
    "parsed",
    "calls",
    "input_tokens",
    "output_tokens",
)
"""Numeric keys of the trajectory scorer's dict score that the report reads."""


@dataclass(frozen=True)
class Excluded:
    """A log (or some of its samples) left out of the tables, and why."""

    path: str
    reason: str
    kind: Literal["missing", "unreadable", "status", "samples"]


@dataclass(frozen=True)
class Loaded:
    samples: pd.DataFrame
    """One row per scored sample (and epoch) of the successful logs."""
    excluded: list[Excluded]

    @property
    def log_problems(self) -> list[Excluded]:
        """Exclusions of whole logs (missing, unreadable or not `success`)."""
        return [e for e in self.excluded if e.kind != "samples"]


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[Excluded]]:
    """Log files named or found (recursively) in the directories named; missing paths listed."""
    found: list[str] = []
    missing: list[Excluded] = []
    for path in paths:
        if Path(path).is_dir():
            logs = [info.name.removeprefix("file://") for info in list_eval_logs(path)]
            if not logs:
                missing.append(Excluded(path, "no eval logs in this directory", "missing"))
            found.extend(sorted(logs))
        elif Path(path).is_file():
            found.append(path)
        else:
            missing.append(Excluded(path, "no such file or directory", "missing"))
    return found, missing


def check_log(path: str) -> Excluded | None:
    """Why the log at `path` cannot be reported (None when it is a readable `success` log)."""
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as error:
        return Excluded(path, f"unreadable: {type(error).__name__}: {error}", "unreadable")
    if header.status == "success":
        return None
    detail = f": {header.error.message}" if header.error else ""
    incomplete = " (incomplete)" if header.status in ("started", "cancelled") else ""
    return Excluded(path, f"status {header.status}{incomplete}{detail}", "status")


def judge_model(log: EvalLog) -> str:
    """The model of the judging role (market maker or judge) when bound, else the eval's model."""
    roles = log.eval.model_roles or {}
    for role in JUDGE_ROLES:
        if role in roles:
            config = roles[role]
            return (config[0] if isinstance(config, list) else config).model
    return log.eval.model


def solver_params(log: EvalLog) -> str:
    """JSON {solver name without package: params} of the log's plan steps."""
    steps = log.plan.steps if log.plan else []
    return json.dumps({step.solver.split("/")[-1]: step.params for step in steps})


def protocol_label(protocol: str, params: dict[str, Any]) -> str:
    """The protocol name, plus the parameters that differ from the solver's defaults."""
    defaults = protocol_defaults(protocol)
    if defaults is None:
        return protocol
    changed = [f"{k}={v}" for k, v in params.items() if k in defaults and defaults[k] != v]
    return f"{protocol} ({', '.join(changed)})" if changed else protocol


def _columns() -> list[SampleColumn | EvalColumn]:
    value = f"scores.{SCORER}.value"
    meta = f"scores.{SCORER}.metadata"
    return [
        SampleColumn("id", path="id", required=True),
        SampleColumn("epoch", path="epoch"),
        *(SampleColumn(key, path=f"{value}.{key}") for key in VALUE_KEYS),
        SampleColumn("ps", path=f"{meta}.ps"),
        SampleColumn("stop_reason", path=f"{meta}.stop_reason"),
        SampleColumn("sample_protocol", path=f"{meta}.protocol"),
        EvalColumn("task", path=lambda log: log.eval.task.split("/")[-1]),
        EvalColumn("model", path=judge_model),
        EvalColumn("solver_params", path=solver_params),
    ]


def _tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed columns: floats for the score values, lists for ps, the protocol label."""
    frame = pd.DataFrame({"log": raw["log"].astype(str), "id": raw["id"].astype(str)})
    frame["epoch"] = raw["epoch"].astype("int64")
    for key in ("task", "model"):
        frame[key] = raw[key].astype(str)
    # Score.metadata names the solver that actually ran (its registry name).
    protocol = raw["sample_protocol"].astype(str)
    plans = raw["solver_params"]
    params = [json.loads(p).get(name, {}) for p, name in zip(plans, protocol, strict=True)]
    frame["protocol_name"] = protocol
    frame["protocol"] = [protocol_label(n, p) for n, p in zip(protocol, params, strict=True)]
    frame["params"] = params
    for key in VALUE_KEYS:
        frame[key] = raw[key].astype("float64")
    frame["ps"] = [json.loads(ps) for ps in raw["ps"].astype(str)]
    frame["stop_reason"] = raw["stop_reason"].astype(str)
    return frame


def load_logs(paths: Sequence[str]) -> Loaded:
    """The scored samples of every readable `success` log among `paths`, and what was left out."""
    found, excluded = expand_paths(paths)
    good = []
    for path in found:
        problem = check_log(path)
        if problem is None:
            good.append(path)
        else:
            excluded.append(problem)
    if not good:
        return Loaded(pd.DataFrame(columns=["log", "id", *GROUP, *VALUE_KEYS]), excluded)
    raw = samples_df(good, columns=_columns(), quiet=True)
    scored = raw["final_correct"].notna()
    for log, count in raw.loc[~scored, "log"].value_counts().items():
        excluded.append(Excluded(str(log), f"{count} sample(s) without a score", "samples"))
    return Loaded(_tidy(raw.loc[scored].reset_index(drop=True)), excluded)
