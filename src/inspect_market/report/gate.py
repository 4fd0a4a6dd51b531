"""CI gate: bounds on net gain, final accuracy and parse failures, and regressions against old logs.

Exit codes: 0 when every check passes, 1 when any fails, 2 when a log is missing, unreadable,
not `success`, not an inspect_market log, or lacks some of its samples (errored, missing,
unreadable or unscored; allowed with `allow_partial`): nothing is judged on partial evidence
unless asked. Every check states the samples (x epochs) it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import pandas as pd

from ..params import check_number
from .load import GROUP, Loaded, load_logs, without_version
from .tables import markdown_table, sample_count, summarize

PASSED, FAILED, UNUSABLE = 0, 1, 2


@dataclass(frozen=True)
class Check:
    metric: str
    group: str
    """task / model / protocol (/ variant)."""
    value: float
    bound: str
    samples: str
    """'4' samples, or '4 x 3' with epochs."""
    passed: bool


@dataclass(frozen=True)
class Bounds:
    """Fractions, as in the logged metrics (0.05 = 5 points)."""

    min_net_gain: float | None = None
    min_final_accuracy: float | None = None
    max_parse_failure_rate: float | None = None
    max_drop: float | None = None
    """Largest allowed fall in final accuracy from the old logs (`--against`)."""

    def __post_init__(self) -> None:
        """One clear error for a bound that is not a finite fraction (NaN would fail every check).

        Net gain and the drop lie in [-1, 1]; accuracy and the parse-failure rate in [0, 1].
        """
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                low = -1 if field.name in ("min_net_gain", "max_drop") else 0
                check_number(f"--{field.name.replace('_', '-')}", value, low, 1)


def _group(row: pd.Series) -> str:
    return " / ".join(str(row[k]) for k in GROUP if row[k] != "")


def _check(metric: str, row: pd.Series, value: float, bound: float, at_least: bool) -> Check:
    within = value >= bound if at_least else value <= bound
    sign = ">=" if at_least else "<="
    samples = sample_count(row["n"], row["epochs"])
    passed = not math.isnan(value) and within
    return Check(metric, _group(row), value, f"{sign} {bound:g}", samples, passed)


def bound_checks(summary: pd.DataFrame, bounds: Bounds) -> list[Check]:
    """One check per group and bound given."""
    limits = [
        ("net_gain", bounds.min_net_gain, True),
        ("final_accuracy", bounds.min_final_accuracy, True),
        ("parse_failure_rate", bounds.max_parse_failure_rate, False),
    ]
    return [
        _check(metric, row, float(row[metric]), bound, at_least)
        for _, row in summary.iterrows()
        for metric, bound, at_least in limits
        if bound is not None
    ]


def drop_checks(summary: pd.DataFrame, old: pd.DataFrame, max_drop: float) -> list[Check]:
    """Per configuration of the old logs: old minus new final accuracy <= max_drop.

    An old configuration is matched to the new one that is the same in everything but the
    package version (task, arguments, data, every role's model, model args and generation
    settings, limits, prompts, protocol and parameters); one with no such match is lost and
    fails. The samples stated are the new ones (0 for a lost configuration).
    """
    new = {without_version(row["config"]): row for _, row in summary.iterrows()}
    lost = pd.Series({"n": 0.0, "epochs": 1.0, "final_accuracy": math.nan})
    checks = []
    for _, row in old.iterrows():
        now = new.get(without_version(row["config"]), pd.concat([row[GROUP], lost]))
        drop = float(row["final_accuracy"]) - float(now["final_accuracy"])
        checks.append(_check("final_accuracy drop vs old", now, drop, max_drop, False))
    return checks


def render(checks: Sequence[Check]) -> str:
    rows = [
        (c.metric, c.group, f"{c.value:.4g}", c.bound, c.samples, "pass" if c.passed else "FAIL")
        for c in checks
    ]
    columns = ["metric", "group", "value", "bound", "samples", "result"]
    table = pd.DataFrame(rows, columns=columns)
    return markdown_table(table)


def _problems(loaded: Loaded, label: str, allow_partial: bool) -> list[str]:
    unusable = [*loaded.log_problems, *([] if allow_partial else loaded.partial)]
    hint = " (--allow-partial to gate on the rest)"
    return [
        f"{label} log unusable: {e.path}: {e.reason}{hint if e.kind == 'partial' else ''}"
        for e in unusable
    ]


def _notes(loaded: Loaded) -> list[str]:
    """Logs left out as superseded, and partial logs (reached only when allowed)."""
    kept = [e for e in loaded.excluded if e.kind in ("partial", "superseded")]
    return [f"note: {e.path}: {e.reason}" for e in kept]


def gate(
    logs: Sequence[str],
    bounds: Bounds,
    against: Sequence[str] = (),
    allow_partial: bool = False,
) -> tuple[int, str]:
    """(exit code, report text) of the checks on `logs`."""
    loaded = load_logs(logs)
    old = load_logs(against) if against else None
    problems = _problems(loaded, "new", allow_partial)
    if old is not None:
        problems += _problems(old, "old", allow_partial)
    if old is not None and old.samples.empty:
        problems.append("no scored samples in the old logs given")
    if loaded.samples.empty:
        problems.append("no scored samples in the logs given")
    if problems:
        return UNUSABLE, "\n".join(problems)
    summary = summarize(loaded.samples, by=[*GROUP, "config"])
    checks = bound_checks(summary, bounds)
    if old is not None and bounds.max_drop is not None:
        old_summary = summarize(old.samples, by=[*GROUP, "config"])
        checks += drop_checks(summary, old_summary, bounds.max_drop)
    code = PASSED if all(c.passed for c in checks) else FAILED
    notes = _notes(loaded) + (_notes(old) if old else [])
    return code, "\n".join([render(checks), *notes])
