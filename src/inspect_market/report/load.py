"""Eval logs -> one row per scored sample, through `inspect_ai.analysis.samples_df`.

Only `success` logs of inspect_market tasks are read; every other path (missing, unreadable,
errored, cancelled, still running, another package's log) is listed as excluded, and so are
samples that errored, are missing from the log, cannot be read, or carry no score: never mixed in.

A configuration is everything that can change an answer (`configuration`): the task and its
arguments (the data's sha256 standing for the data path), every role's model with its model
arguments and generation config, the eval's generation settings and limits, the prompt set and
hashes, the package version, the protocol and its parameters. Two runs of one configuration are
never pooled unless asked: by default the newest is kept and the others are listed as superseded;
runs that differ in any field are different rows, labelled by the fields that differ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from inspect_ai.analysis import EvalColumn, SampleColumn, samples_df
from inspect_ai.log import (
    EvalLog,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample,
    read_eval_log_sample_summaries,
)
from inspect_ai.model import GenerateConfig, ModelConfig

from ..scorers.metrics import FIRST_CORRECT, PROFIT, log_loss, squared_error
from ..solvers import protocol_defaults

SCORER = "trajectory_scorer"
JUDGE_ROLES = ("market_maker", "judge")
GROUP = ["task", "model", "protocol", "variant"]
"""The columns that name one result: a protocol run by a model on a task, and what else differs
from the other configurations of the same three (`variant`, empty when nothing does)."""
IGNORED_TASK_ARGS = ("solver", "data_path")
"""Task arguments outside the configuration: the protocol comes from the score, the data path
is stood for by the data's sha256."""
SHA_SHOWN = 12
SIMULATED_TASK = "inspect_market/synthetic"
LIMITS = ("message_limit", "token_limit", "time_limit", "working_limit", "cost_limit")
"""Per-sample limits: a limit can end a sample early, so it is part of a configuration."""

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
VOTE = "vote_baseline_correct"


def market_scores(value: Mapping[str, Any]) -> dict[str, float]:
    """The keys of a dict score that only some protocols write: the vote baseline and each
    prediction-market trader's `<role>_first_correct` and `<role>_profit` ({} when none)."""
    return {
        key: float(v)
        for key, v in value.items()
        if key == VOTE or key.endswith(FIRST_CORRECT) or key.endswith(PROFIT)
    }


@dataclass(frozen=True)
class Excluded:
    """A log (or some of its samples) left out of the tables, and why."""

    path: str
    reason: str
    kind: Literal["missing", "unreadable", "status", "foreign", "partial", "superseded"]
    """foreign: not an inspect_market log; partial: some of the log's samples (errored,
    missing, unreadable or unscored); superseded: a newer run of the same configuration is kept."""


@dataclass(frozen=True)
class Loaded:
    samples: pd.DataFrame
    """One row per scored sample and epoch of the logs kept."""
    excluded: list[Excluded]

    @property
    def log_problems(self) -> list[Excluded]:
        """Whole logs that could not be used (missing, unreadable, not `success`, foreign)."""
        return [e for e in self.excluded if e.kind not in ("partial", "superseded")]

    @property
    def partial(self) -> list[Excluded]:
        """Logs kept with some of their samples left out."""
        return [e for e in self.excluded if e.kind == "partial"]


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
    """Why the log at `path` cannot be reported (None: a readable inspect_market `success` log)."""
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as error:
        return Excluded(path, f"unreadable: {type(error).__name__}: {error}", "unreadable")
    if header.status != "success":
        detail = f": {header.error.message}" if header.error else ""
        incomplete = " (incomplete)" if header.status in ("started", "cancelled") else ""
        return Excluded(path, f"status {header.status}{incomplete}{detail}", "status")
    if SCORER not in {scorer.name for scorer in header.eval.scorers or []}:
        return Excluded(path, f"not an inspect_market log (no {SCORER})", "foreign")
    return None


@dataclass(frozen=True)
class SampleAudit:
    """What a `success` log holds of the samples it ran."""

    expected: int
    """Samples times epochs, as the log's results count them."""
    present: int
    errored: int
    unreadable: frozenset[tuple[str, int]]
    """(id, epoch) whose sample cannot be read although its summary can."""

    def problems(self, unscored: int) -> str | None:
        """'of 10 samples (with epochs): 5 errored, ...', or None when every sample is usable."""
        counts = {
            "errored": self.errored,
            "missing": self.expected - self.present,
            "unreadable": len(self.unreadable),
            "without a score": unscored,
        }
        found = [f"{count} {what}" for what, count in counts.items() if count > 0]
        return f"of {self.expected} samples: {', '.join(found)}" if found else None


def audit_samples(path: str) -> SampleAudit:
    """Count the log's samples against its results, reading each (.eval) sample's member.

    The summaries alone carry the scores, so a corrupted sample would go unnoticed without this.
    """
    header = read_eval_log(path, header_only=True)
    summaries = read_eval_log_sample_summaries(path)
    expected = header.results.total_samples if header.results else len(summaries)
    unreadable = set()
    if path.endswith(".eval"):
        for summary in summaries:
            try:
                read_eval_log_sample(
                    path, summary.id, summary.epoch, exclude_fields={"messages", "events"}
                )
            except Exception:
                unreadable.add((str(summary.id), summary.epoch))
    errored = sum(summary.error is not None for summary in summaries)
    return SampleAudit(
        max(expected, len(summaries)), len(summaries), errored, frozenset(unreadable)
    )


def _role_model(config: ModelConfig | list[ModelConfig]) -> str:
    return (config[0] if isinstance(config, list) else config).model


def task_label(log: EvalLog) -> str:
    """The task's name, with its question format when not binary (`truthfulqa_mc`): the
    report never shows K-option results under a binary task's name."""
    name = log.eval.task.split("/")[-1]
    shape = (log.eval.metadata or {}).get("format", "binary")
    return name if shape == "binary" else f"{name}_{shape}"


def judge_model(log: EvalLog) -> str:
    """The model of the judging role (market maker or judge) when bound, else the eval's model."""
    roles = log.eval.model_roles or {}
    for role in JUDGE_ROLES:
        if role in roles:
            return _role_model(roles[role])
    return log.eval.model


def _set(config: GenerateConfig) -> dict[str, Any]:
    """The generation settings that were set (not None)."""
    return config.model_dump(exclude_none=True)


def _model(model: str, args: dict[str, Any], config: GenerateConfig, url: str | None) -> Any:
    return {"model": model, "args": args, "generate": _set(config), "base_url": url}


def configuration(log: EvalLog) -> str:
    """JSON of everything that can change the run's answers but the protocol and its parameters
    (which the scores and the plan name).

    The task and its arguments (the data's sha256 standing for the data path); the main model
    with its model arguments (`-M`), its own generation config and base URL; the eval's
    generation settings (`--temperature`, `--max-tokens`, `--seed`, reasoning settings, ...);
    each bound role's model, arguments, generation config and base URL (a role bound exactly
    as the main model is the same as an unbound one, so it is left out); the per-sample limits;
    the prompt set and template hashes; the package version.
    """
    spec = log.eval
    args = spec.task_args or {}
    main = _model(spec.model, spec.model_args, spec.model_generate_config, spec.model_base_url)
    roles = {}
    for role, bound in (spec.model_roles or {}).items():
        config = bound[0] if isinstance(bound, list) else bound
        entry = _model(config.model, config.args, config.config, config.base_url)
        if entry != main:
            roles[role] = entry
    limits = spec.config.model_dump(include=set(LIMITS), exclude_none=True)
    metadata = spec.metadata or {}
    fields = {
        "task": spec.task,
        "args": {key: value for key, value in args.items() if key not in IGNORED_TASK_ARGS},
        "main": main,
        "generate": _set(log.plan.config) if log.plan else {},
        "roles": roles,
        "limits": limits,
        "data_sha256": str(metadata.get("data_sha256"))[:SHA_SHOWN],
        "prompts": metadata.get("prompts", {}),
        "version": spec.packages.get("inspect-market", ""),
    }
    return json.dumps(fields, sort_keys=True, default=str)


def solver_params(log: EvalLog) -> str:
    """JSON {solver name without package: params} of the log's plan steps."""
    steps = log.plan.steps if log.plan else []
    return json.dumps({step.solver.split("/")[-1]: step.params for step in steps}, default=str)


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
        SampleColumn("score", path=value),
        SampleColumn("ps", path=f"{meta}.ps"),
        SampleColumn("price_path", path=f"{meta}.price_path"),
        SampleColumn("price_vectors", path=f"{meta}.price_vectors"),
        SampleColumn("stop_reason", path=f"{meta}.stop_reason"),
        SampleColumn("sample_protocol", path=f"{meta}.protocol"),
        EvalColumn("task", path=task_label),
        EvalColumn("model", path=judge_model),
        EvalColumn("solver_params", path=solver_params),
        EvalColumn("configuration", path=configuration),
        EvalColumn("created", path="eval.created"),
    ]


def _tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed columns: floats for the score values, lists for ps, the protocol label."""
    frame = pd.DataFrame({"log": raw["log"].astype(str), "id": raw["id"].astype(str)})
    frame["epoch"] = raw["epoch"].astype("int64")
    for key in ("task", "model", "created"):
        frame[key] = raw[key].astype(str)
    # Score.metadata names the solver that actually ran (its registry name).
    protocol = raw["sample_protocol"].astype(str)
    plans = raw["solver_params"]
    params = [json.loads(p).get(name, {}) for p, name in zip(plans, protocol, strict=True)]
    frame["protocol_name"] = protocol
    frame["protocol"] = [protocol_label(n, p) for n, p in zip(protocol, params, strict=True)]
    frame["params"] = params
    frame["config"] = [
        json.dumps([json.loads(config), name, p], sort_keys=True, default=str)
        for config, name, p in zip(raw["configuration"], protocol, params, strict=True)
    ]
    for key in VALUE_KEYS:
        frame[key] = raw[key].astype("float64")
    scores = [json.loads(score) for score in raw["score"].astype(str)]
    # questions with K options have no p: their forecasts are read from the whole score
    frame["options"] = [int(score.get("options", 0)) for score in scores]
    for which in ("baseline", "final"):
        frame[f"squared_error_{which}"] = [squared_error(s, which) for s in scores]
        frame[f"log_loss_{which}"] = [log_loss(s, which) for s in scores]
    frame["ps"] = [json.loads(ps) for ps in raw["ps"].astype(str)]
    # a prediction market's price of the true outcome before and after each trade ([] for
    # other protocols and logs written before scores carried the prices)
    frame["true_price_path"] = [
        true_prices(_listed(path), _listed(vectors), int(label))
        for path, vectors, label in zip(
            raw["price_path"], raw["price_vectors"], frame["label"], strict=True
        )
    ]
    frame["stop_reason"] = raw["stop_reason"].astype(str)
    frame["market_scores"] = pd.Series([market_scores(s) for s in scores], index=frame.index)
    return frame


def _listed(value: object) -> list[Any]:
    """A JSON list column's value ([] where the log has none)."""
    return json.loads(value) if isinstance(value, str) else []


def true_prices(path: list[float], vectors: list[list[float]], label: int) -> list[float]:
    """The price of the true outcome at each step of a market: from its YES price path (binary:
    1 - YES where the negative claim is true) or its price per option (K options)."""
    if vectors:
        return [prices[label] for prices in vectors]
    return [price if label == 1 else 1 - price for price in path]


def simulated_on_real_data(samples: pd.DataFrame) -> list[str]:
    """The result groups whose models include a `simulated` agent on a task other than the
    simulated world's (`synthetic`): their agents know nothing about the task's questions."""
    flagged = set()
    for group in samples[[*GROUP, "config"]].drop_duplicates().itertuples(index=False):
        fields = json.loads(str(group.config))[0]
        models = [fields["main"]["model"], *(r["model"] for r in fields["roles"].values())]
        if fields["task"] != SIMULATED_TASK and any(m.startswith("simulated/") for m in models):
            flagged.add(" / ".join(str(getattr(group, k)) for k in GROUP if getattr(group, k)))
    return sorted(flagged)


def without_version(config: str) -> str:
    """A configuration key with the package version left out: what `gate --against` matches
    old runs on (a regression check compares versions, and nothing else)."""
    fields, protocol, params = json.loads(config)
    fields.pop("version", None)
    return json.dumps([fields, protocol, params], sort_keys=True, default=str)


def _flat(prefix: str, value: Any) -> dict[str, str]:
    """Nested dicts as `prefix.key` names with string values (an empty dict: nothing)."""
    if isinstance(value, dict):
        return {
            k: v for key, inner in value.items() for k, v in _flat(f"{prefix}.{key}", inner).items()
        }
    return {
        prefix: json.dumps(value, sort_keys=True, default=str)
        if not isinstance(value, str)
        else value
    }


def _model_fields(name: str, entry: dict[str, Any]) -> dict[str, str]:
    """A model entry as `name`, `name.args.k`, `name.k` (generation settings), `name.base_url`."""
    fields = {name: entry["model"]}
    fields.update(_flat(f"{name}.args", entry["args"]))
    fields.update(_flat(name, entry["generate"]))
    if entry["base_url"]:
        fields[f"{name}.base_url"] = entry["base_url"]
    return fields


def played_by(fields: Mapping[str, Any], role: str) -> dict[str, Any]:
    """The model entry of a configuration's `role`: bound, else (for a numbered role such as
    `trader_2`) its group's (`trader`), else the main model, as the solvers resolve it."""
    bound = fields["roles"]
    group = group_of(role)
    played = group if role not in bound and group in bound else role
    entry: dict[str, Any] = bound.get(played, fields["main"])
    return entry


def group_of(role: str) -> str | None:
    """The group of a numbered role (`trader` for `trader_2`), else None."""
    group, _, number = role.rpartition("_")
    return group if group and number.isdigit() else None


def fields_of(config: str, roles: Sequence[str]) -> dict[str, str]:
    """A `config` key as flat name: value pairs; each of `roles` as `played_by` resolves it."""
    fields, protocol, params = json.loads(config)
    flat = {
        "task": fields["task"],
        "data_sha256": fields["data_sha256"],
        **_model_fields("model", fields["main"]),
        **{
            k.removeprefix("generate."): v for k, v in _flat("generate", fields["generate"]).items()
        },
        **{k.removeprefix("limits."): v for k, v in _flat("limits", fields["limits"]).items()},
        **_flat("prompts", fields["prompts"]),
        "version": fields["version"],
    }
    for role in roles:
        flat.update(_model_fields(role, played_by(fields, role)))
    return {
        **flat,
        **{k: str(v) for k, v in fields["args"].items()},
        "protocol": protocol,
        **{k: str(v) for k, v in params.items()},
    }


def differing(configs: Sequence[Mapping[str, str]]) -> list[str]:
    """The names whose values differ among `configs` (a name missing from one is 'unset')."""
    names = sorted({name for fields in configs for name in fields})
    return [n for n in names if len({fields.get(n, "unset") for fields in configs}) > 1]


def described(fields: Mapping[str, str], names: Sequence[str]) -> str:
    """'name=value, ...' of `names` in `fields` ('unset' for a missing one)."""
    return ", ".join(f"{n}={fields.get(n, 'unset')}" for n in names)


def variants(samples: pd.DataFrame) -> pd.Series:
    """Per row: the fields in which its configuration differs from the others of its task,
    model and protocol label ('trader=mockllm/x, seed=1'; '' when it is the only one)."""
    labels: dict[str, str] = {}
    for _, rows in samples.groupby(["task", "model", "protocol"]):
        keys = rows["config"].unique()
        roles = sorted({role for key in keys for role in json.loads(key)[0]["roles"]})
        configs = [fields_of(key, roles) for key in keys]
        differ = differing(configs)
        labels.update(
            {key: described(fields, differ) for key, fields in zip(keys, configs, strict=True)}
        )
    return samples["config"].map(labels)


def keep_newest(samples: pd.DataFrame) -> tuple[pd.DataFrame, list[Excluded]]:
    """Per configuration, the rows of its newest log only; the older logs listed as superseded."""
    runs = samples[["config", "log", "created"]].drop_duplicates(["config", "log"])
    runs = runs.sort_values(["config", "created", "log"])
    newest = runs.groupby("config")["log"].last()
    older = runs[runs["log"] != runs["config"].map(newest)]
    excluded = [
        Excluded(log, f"superseded by {newest[config]} (same configuration)", "superseded")
        for log, config in zip(older["log"], older["config"], strict=True)
    ]
    return samples[~samples["log"].isin(older["log"])], excluded


def load_logs(paths: Sequence[str], pool_repeats: bool = False) -> Loaded:
    """The scored samples of every usable log among `paths`, and what was left out.

    Repeated runs of one configuration: the newest only, unless `pool_repeats` (then its rows are
    further epochs of the same samples, which the statistics cluster by sample id).
    """
    found, excluded = expand_paths(paths)
    good: dict[str, SampleAudit] = {}
    for path in found:
        problem = check_log(path)
        if problem is None:
            try:
                good[path] = audit_samples(path)
            except Exception as error:
                problem = Excluded(
                    path, f"unreadable: {type(error).__name__}: {error}", "unreadable"
                )
        if problem is not None:
            excluded.append(problem)
    if not good:
        return Loaded(pd.DataFrame(columns=["log", "id", *GROUP, *VALUE_KEYS]), excluded)
    # One log at a time, so each row keeps the path as given (samples_df makes it absolute).
    frames = [samples_df(path, columns=_columns(), quiet=True).assign(log=path) for path in good]
    raw = pd.concat(frames, ignore_index=True)
    raw = raw.assign(id=raw["id"].astype(str))
    unreadable = [
        (str(id_), int(epoch)) in good[str(log)].unreadable
        for log, id_, epoch in zip(raw["log"], raw["id"], raw["epoch"], strict=True)
    ]
    usable = raw["final_correct"].notna() & ~pd.Series(unreadable, index=raw.index, dtype=bool)
    for path, audit in good.items():
        rows = raw[raw["log"] == path]
        unscored = int(rows["final_correct"].isna().sum()) - audit.errored
        problems = audit.problems(unscored)
        if problems is not None:
            excluded.append(Excluded(path, f"{problems}; left out", "partial"))
    samples = _tidy(raw.loc[usable].reset_index(drop=True))
    if not pool_repeats:
        samples, superseded = keep_newest(samples)
        excluded += superseded
    return Loaded(samples.assign(variant=variants(samples)).reset_index(drop=True), excluded)
