"""`inspect-market grid CONFIG.yaml`: tasks x protocols x models through one Inspect eval set.

A grid file names tasks (with task args), protocols (with their args), models (with model args
and role bindings), `limit`, `epochs` and `log_dir`. Each cell is the task built with its args
plus `solver=PROTOCOL` and the protocol's args, bound to the cell's model and roles. All cells
run in one `inspect_ai.eval_set` on `log_dir`, so a re-run skips finished cells and retries only
unfinished samples; cells differ in task args or model, which is what makes them distinct tasks
to the eval set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from inspect_ai import Task, eval_set, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import GenerateConfig, Model, get_model
from inspect_ai.util import registry_create
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.text import Text

from .errors import InspectMarketError
from .solvers import create_protocol, protocol_names, protocol_spec, require_spec
from .solvers.protocol import PACKAGE


class _Named(BaseModel):
    """An entry given as `NAME` or as `{name: NAME, args: {...}}`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    args: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    def label(self, short: bool = False) -> str:
        """`name` or `name(k=v,...)`, args sorted: stable across runs and machines.

        `short` shows a path-like value (a string holding a slash) by its last part only.
        """
        if not self.args:
            return self.name
        inner = ",".join(
            f"{k}={_short(v) if short else json.dumps(v, sort_keys=True)}"
            for k, v in sorted(self.args.items())
        )
        return f"{self.name}({inner})"


def _short(value: Any) -> str:
    if isinstance(value, str) and "/" in value:
        return value.rstrip("/").rsplit("/", 1)[-1]
    return json.dumps(value, sort_keys=True)


class GridRole(BaseModel):
    """A role's model: `MODEL`, or `{model: MODEL, args: {...}, config: {...}}` (its model
    args, `-M`, and generation config, e.g. temperature)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    args: dict[str, Any] = {}
    config: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _bare_model(cls, value: Any) -> Any:
        return {"model": value} if isinstance(value, str) else value

    def label(self) -> str:
        extra = {**self.args, **self.config}
        inner = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(extra.items()))
        return f"{self.model}({inner})" if inner else self.model

    def make(self) -> Model:
        """The model, or one error line when it cannot be made (unknown provider, no key)."""
        return make_model(self.model, self.args, self.config)


def make_model(name: str, args: dict[str, Any], config: dict[str, Any]) -> Model:
    """`get_model` with model args and a generation config; one error line when it fails."""
    try:
        return get_model(name, config=GenerateConfig(**config), **args)
    except Exception as error:  # providers raise ValueError or Inspect's PrerequisiteError
        message = Text.from_markup(str(error)).plain.strip().splitlines()[-1]
        raise InspectMarketError(f"model {name}: {message}") from None


class GridTask(_Named):
    """A task of this package (`truthfulqa`) or any registered task (`pkg/name`)."""

    def build(self, **args: Any) -> Task:
        """The task made with `args` (default: its own args), or one clear error line."""
        name = self.name if "/" in self.name else f"{PACKAGE}/{self.name}"
        try:
            return registry_create("task", name, **(args or self.args))
        except LookupError:
            raise InspectMarketError(f"unknown task {self.name!r}") from None
        except TypeError as error:
            raise InspectMarketError(f"task {self.name!r}: {error}") from None


class GridProtocol(_Named):
    """A protocol as `-T solver=` takes it; `args` are passed through as `-T` arguments."""


class GridModel(_Named):
    """A model (`openai/gpt-4.1-mini`), its model args (`-M`), its generation config and role
    bindings (`--model-role`); a role binding applies to the protocols that have the role."""

    config: dict[str, Any] = {}
    roles: dict[str, GridRole] = {}

    def label(self, short: bool = False, roles: Sequence[str] | None = None) -> str:
        """The model's label, with the generation config and the role bindings among `roles`
        (default: all)."""
        shown = {r: b for r, b in sorted(self.roles.items()) if roles is None or r in roles}
        config = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(self.config.items()))
        bound = ",".join(f"{role}={binding.label()}" for role, binding in shown.items())
        return (
            super().label(short)
            + (f"{{{config}}}" if config else "")
            + (f"[{bound}]" if bound else "")
        )


class GridConfig(BaseModel):
    """A grid file."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[GridTask] = Field(min_length=1)
    protocols: list[GridProtocol] = Field(min_length=1)
    models: list[GridModel] = Field(min_length=1)
    log_dir: str = Field(min_length=1)
    limit: int | None = Field(default=None, ge=1)
    epochs: int = Field(default=1, ge=1)
    eval_args: dict[str, Any] = {}
    """Any other `eval_set` argument, e.g. max_connections, max_tasks, retry_attempts."""


@dataclass(frozen=True)
class Cell:
    """One task x protocol x model of a grid."""

    task: GridTask
    protocol: GridProtocol
    model: GridModel

    @property
    def id(self) -> str:
        """The cell's identity: every argument in full (its sort key and shard position)."""
        return f"{self.task.label()} | {self.protocol.label()} | {self.model.label()}"

    @property
    def name(self) -> str:
        """How a table shows the cell: paths by their last part, only the roles it binds."""
        return (
            f"{self.task.label(short=True)} | {self.protocol.label(short=True)} | "
            f"{self.model.label(short=True, roles=self.roles())}"
        )

    def roles(self) -> list[str]:
        """The roles of the model's bindings that the cell's protocol has."""
        spec = require_spec(self.protocol.name)
        has = spec.roles(spec.params(self.protocol.args))
        return [role for role in sorted(self.model.roles) if role in has]

    def task_args(self) -> dict[str, Any]:
        """The task's `-T` arguments: its own, then `solver` and the protocol's args."""
        clash = sorted(set(self.task.args) & {"solver", *self.protocol.args})
        if clash:
            raise InspectMarketError(
                f"task {self.task.name} sets {', '.join(clash)}, which protocol "
                f"{self.protocol.name} sets; give protocol args under protocols"
            )
        return {**self.task.args, "solver": self.protocol.name, **self.protocol.args}

    def build(self) -> Task:
        """The cell's task, not yet bound to its model (raises before any model call)."""
        return self.task.build(**self.task_args())

    def bind(self, task: Task) -> Task:
        """`task` bound to the cell's model, model args and roles (unbound roles use the model).

        Models are made only here, so a dry run needs no API key; a model that cannot be made
        (unknown provider, missing key) is one error line.
        """
        model = make_model(self.model.name, self.model.args, self.model.config)
        roles = {role: self.model.roles[role].make() for role in self.roles()}
        return task_with(task, model=model, model_roles=roles)


def load_config(path: Path) -> GridConfig:
    """The grid file at `path`; one line per bad field (file: field: problem) otherwise."""
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise InspectMarketError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise InspectMarketError(f"{path}: not YAML: {error}".replace("\n", " ")) from None
    if not isinstance(raw, dict):
        raise InspectMarketError(f"{path}: expected a mapping with tasks, protocols, models")
    try:
        config = GridConfig.model_validate(raw)
    except ValidationError as error:
        lines = [
            f"{path}: {'.'.join(map(str, e['loc'])) or 'grid'}: {e['msg']}" for e in error.errors()
        ]
        raise InspectMarketError("\n".join(lines)) from None
    known: set[str] = set()
    for protocol in config.protocols:
        spec = protocol_spec(protocol.name)
        if spec is None:
            raise InspectMarketError(
                f"{path}: protocols: unknown protocol {protocol.name!r}; choose one of: "
                f"{', '.join(protocol_names())} (or a protocol of an installed package, "
                "as package/name)"
            )
        known.update(spec.roles(spec.params(protocol.args)))
    for model in config.models:
        unused = sorted(set(model.roles) - known)
        if unused:
            raise InspectMarketError(
                f"{path}: models: {model.name} binds {', '.join(map(repr, unused))}, which no "
                f"protocol of the grid has; their roles are: {', '.join(sorted(known))}"
            )
    return config


def cells(config: GridConfig) -> list[Cell]:
    """Every task x protocol x model, sorted by cell id; a repeated cell is an error."""
    grid = sorted(
        (Cell(t, p, m) for t in config.tasks for p in config.protocols for m in config.models),
        key=lambda cell: cell.id,
    )
    ids = [cell.id for cell in grid]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InspectMarketError(f"the grid names a cell twice: {repeated[0]}")
    return grid


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` as (K, N) with 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise InspectMarketError(f"--shard takes K/N, e.g. 1/2; got {text!r}") from None
    if not 1 <= k <= n:
        raise InspectMarketError(f"--shard K/N needs 1 <= K <= N; got {text!r}")
    return k, n


def shard(grid: Sequence[Cell], k: int, n: int) -> list[Cell]:
    """Shard K of N: every N-th cell from the K-th, of the cells in id order."""
    return sorted(grid, key=lambda cell: cell.id)[k - 1 :: n]


# Tokens (prompt and reply) a call spends besides the sample's own text, measured on the
# simulated model (4 characters a token) with the suite's prompts: a rough figure.
JUDGMENT_TOKENS = 1600
ARGUMENT_TOKENS = 300


@dataclass(frozen=True)
class DatasetSize:
    """What a dry run needs of a task's dataset: its samples and their mean length in tokens."""

    samples: int
    text_tokens: int

    @classmethod
    def of(cls, task: Task, limit: int | None) -> DatasetSize:
        dataset = task.dataset
        size = len(dataset) if limit is None else min(limit, len(dataset))
        chars = sum(len(str(dataset[i].input)) for i in range(size))
        return cls(size, chars // max(size, 1) // 4)


@dataclass(frozen=True)
class Estimate:
    """What one cell will cost: samples (x epochs), calls and tokens, by the protocol's spec."""

    cell: Cell
    samples: int
    calls: int
    tokens: int


def estimate(cell: Cell, size: DatasetSize, epochs: int) -> Estimate:
    """Samples times epochs; calls and tokens per sample from the protocol spec's formula."""
    spec = require_spec(cell.protocol.name)
    calls = spec.calls(spec.params(cell.protocol.args))
    per_sample = calls.judgments * (JUDGMENT_TOKENS + size.text_tokens) + calls.arguments * (
        ARGUMENT_TOKENS + size.text_tokens
    )
    samples = size.samples * epochs
    return Estimate(cell, samples, samples * calls.total, samples * per_sample)


def dry_run(config: GridConfig, grid: Sequence[Cell]) -> list[Estimate]:
    """Every cell's estimate, validating what a run would build, reading each dataset once.

    Each protocol is built once with its args and each task once with its args (so a bad
    argument fails as it would in a run, before any model call); a cell's arguments are then
    checked for clashes. Nothing per cell is built, so a dry run of thousands of cells stays
    cheap.
    """
    sizes: dict[str, DatasetSize] = {}
    checked: set[str] = set()
    for cell in grid:
        cell.task_args()
        if cell.protocol.label() not in checked:
            create_protocol(cell.protocol.name, **cell.protocol.args)
            checked.add(cell.protocol.label())
        if cell.task.label() not in sizes:
            sizes[cell.task.label()] = DatasetSize.of(cell.task.build(), config.limit)
    return [estimate(cell, sizes[cell.task.label()], config.epochs) for cell in grid]


def cell_names(grid: Sequence[Cell]) -> list[str]:
    """Each cell's short name; a name two cells share (paths that differ before their last
    part) gets the first 8 hex digits of the sha256 of the cell's full id appended."""
    names = [cell.name for cell in grid]
    return [
        f"{name} #{hashlib.sha256(cell.id.encode()).hexdigest()[:8]}"
        if names.count(name) > 1
        else name
        for name, cell in zip(names, grid, strict=True)
    ]


def dry_run_table(estimates: Sequence[Estimate]) -> str:
    """One line per cell, then the total."""
    rows = [("cell", "samples", "calls", "tokens")]
    names = cell_names([e.cell for e in estimates])
    rows += [
        (name, f"{e.samples:,}", f"{e.calls:,}", f"{e.tokens:,}")
        for name, e in zip(names, estimates, strict=True)
    ]
    rows.append(
        (
            f"total ({len(estimates)} cells)",
            f"{sum(e.samples for e in estimates):,}",
            f"{sum(e.calls for e in estimates):,}",
            f"{sum(e.tokens for e in estimates):,}",
        )
    )
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(
            [row[0].ljust(width[0]), *(v.rjust(w) for v, w in zip(row[1:], width[1:], strict=True))]
        )
        for row in rows
    )


def build(grid: Sequence[Cell]) -> list[Task]:
    """Every cell's task, so a bad task or protocol argument fails before anything runs."""
    return [cell.build() for cell in grid]


def run(
    config: GridConfig, grid: Sequence[Cell], tasks: Sequence[Task], sharded: bool
) -> tuple[bool, list[EvalLog]]:
    """Run the cells' tasks, bound to their models, as one eval set on the config's log_dir.

    A re-run resumes what log_dir holds. A shard shares log_dir with the other shards, whose
    logs are not its tasks: the eval set is then told to allow them.
    """
    bound = [cell.bind(task) for cell, task in zip(grid, tasks, strict=True)]
    options: dict[str, Any] = {"log_dir_allow_dirty": True} if sharded else {}
    return eval_set(
        bound,
        log_dir=config.log_dir,
        model=None,
        limit=config.limit,
        epochs=config.epochs,
        **{**options, **config.eval_args},
    )
