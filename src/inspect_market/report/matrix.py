"""The cross-model matrix: net gain for every pairing of a judging model and an arguing model.

For a protocol whose spec has a judging role (market maker or judge) and helper roles that
argue (trader; debaters), each configuration is placed by the model bound to each (a role left
unbound plays the main model, as the configuration says). The axis labels name a model by its
name and the settings in which it differs from the other models on that axis, so a
`simulated/default` agent reads `simulated/default (skill=0.2)`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..solvers import protocol_spec
from .load import GROUP, JUDGE_ROLES, described, differing, fields_of

MATRIX_KEY = ["task", "protocol", "setting", "judge_model", "arguer_model"]
MATRIX_COLUMNS = [
    *GROUP,
    "setting",
    "judge_role",
    "judge_model",
    "arguer_role",
    "arguer_model",
    "n",
    "baseline_accuracy",
    "final_accuracy",
    "net_gain",
    "net_gain_low",
    "net_gain_high",
]
"""One row per configuration, its key either `GROUP` or `MATRIX_KEY`."""


def matrix_roles(protocol: str, params: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """(judging role, arguing roles) of a protocol run with `params`; None if it has not both."""
    spec = protocol_spec(protocol)
    if spec is None:
        return None
    full = spec.params(params)
    judges = [role for role in spec.roles(full) if role in JUDGE_ROLES]
    arguers = spec.helper_roles(full)
    return (judges[0], arguers) if judges and arguers else None


def _owned(name: str, roles: tuple[str, ...]) -> bool:
    return any(name == role or name.startswith(f"{role}.") for role in roles)


def model_of(fields: dict[str, str], role: str) -> dict[str, str]:
    """The role's model fields with the role's prefix dropped ('' for the model's name)."""
    return {k.removeprefix(role).lstrip("."): v for k, v in fields.items() if _owned(k, (role,))}


def model_labels(models: list[dict[str, str]]) -> list[str]:
    """Each model's name, plus the settings in which the models differ ('m (skill=0.2)')."""
    differ = [name for name in differing(models) if name]
    labels = []
    for model in models:
        shown = ", ".join(f"{k.removeprefix('args.')}={model.get(k, 'unset')}" for k in differ)
        labels.append(f"{model['']} ({shown})" if shown else model[""])
    return labels


def _group_labels(groups: list[list[dict[str, str]]]) -> list[str]:
    """Per group of models (a configuration's arguers): their distinct labels joined by ' / ',
    labelled against every model of every group."""
    labels = iter(model_labels([model for group in groups for model in group]))
    return [" / ".join(dict.fromkeys(next(labels) for _ in group)) for group in groups]


def _rest(fields: dict[str, str], judge: str, arguers: tuple[str, ...]) -> dict[str, str]:
    """The fields besides the two roles' models, and the main model's when it plays one."""
    main = model_of(fields, "model")
    plays = any(model_of(fields, role) == main for role in (judge, *arguers))
    roles = (judge, *arguers, *(("model",) if plays else ()))
    return {k: v for k, v in fields.items() if not _owned(k, roles)}


def cross_model(summary: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """`MATRIX_COLUMNS` for every configuration of a protocol with a judging and arguing role.

    `summary` is `summarize(samples)`; `samples` gives each group's configuration. Fields other
    than the two roles' models (and the main model's, when it plays one of them) that differ
    within a task and protocol make the `setting`: one matrix each, never pooled.
    """
    keys = samples.drop_duplicates([*GROUP, "config"])
    placed = []
    for key in keys.to_dict("records"):
        roles = matrix_roles(key["protocol_name"], key["params"])
        if roles is not None:
            judge, arguing = roles
            fields = fields_of(key["config"], [judge, *arguing])
            placed.append({**key, "judge_role": judge, "arguer_roles": arguing, "fields": fields})
    if not placed:
        return pd.DataFrame(columns=MATRIX_COLUMNS)
    frame = pd.DataFrame(placed)
    parts = []
    for _, rows in frame.groupby(["task", "protocol"], sort=True):
        records = rows.to_dict("records")
        judges = [model_of(r["fields"], r["judge_role"]) for r in records]
        arguers = [[model_of(r["fields"], role) for role in r["arguer_roles"]] for r in records]
        rest = [_rest(r["fields"], r["judge_role"], r["arguer_roles"]) for r in records]
        differ = differing(rest)
        parts.append(
            rows.assign(
                setting=[described(fields, differ) for fields in rest],
                judge_model=model_labels(judges),
                arguer_model=_group_labels(arguers),
                arguer_role=[", ".join(r["arguer_roles"]) for r in records],
            )
        )
    located = pd.concat(parts, ignore_index=True)[MATRIX_COLUMNS[:9]]
    merged = located.merge(summary, on=GROUP, how="left")
    return merged[MATRIX_COLUMNS].sort_values(MATRIX_KEY, ignore_index=True)
