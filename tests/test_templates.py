"""User templates: only bare placeholders, a bounded size, refused in the solver factory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import (
    debate,
    econ,
    market_making,
    multi_agent_debate,
    self_consistency,
    single_shot,
)
from inspect_market.solvers.templates import MAX_TEMPLATE_CHARS
from tests.mocks import TQA_FIXTURE, recording, run

JUDGE_BASE = "{question} {positive_claim} {negative_claim} {arguments} "
TRADER_BASE = "{question} {judgment} "
FACTORIES = (market_making, single_shot, debate, self_consistency, multi_agent_debate, econ)


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("{ask:{secret}}", "judge template field '{ask:{secret}}' has a format spec"),
        ("{scale:{ask}}", "judge template field '{scale:{ask}}' has a format spec"),
        ("{question:>50000000}", "judge template field '{question:>50000000}' has a format spec"),
        ("{ask!r}", "judge template field '{ask!r}' has a conversion"),
        ("{ask!s}", "judge template field '{ask!s}' has a conversion"),
        ("{ask!r:>9}", "judge template field '{ask!r:>9}' has a conversion"),
        ("{question:\n}", r"judge template field '{question:\n}' has a format spec"),
        ("{question.__class__}", "'{question.__class__}' uses attribute or index access"),
        ("{question[0]}", "'{question[0]}' uses attribute or index access"),
        ("{ask.upper}", "'{ask.upper}' uses attribute or index access"),
    ],
)
def test_judge_template_fields_must_be_bare_names(field: str, error: str) -> None:
    for factory in FACTORIES:
        with pytest.raises(InspectMarketError, match=re.escape(error)) as raised:
            factory(judge_template=JUDGE_BASE + field)
        assert "\n" not in str(raised.value)


def test_an_empty_spec_is_no_spec() -> None:
    single_shot(judge_template=JUDGE_BASE + "{ask:} {scale}")  # `{ask:}` is `{ask}`


@pytest.mark.parametrize(
    ("factory", "args", "error"),
    [
        (market_making, {"trader_template": TRADER_BASE + "{p:{nope}}"},
         "trader template field '{p:{nope}}' has a format spec"),
        (market_making, {"trader_template": TRADER_BASE + "{p!r}"},
         "trader template field '{p!r}' has a conversion"),
        (debate, {"debater_template": "{question} {claim} {debate:{name}}"},
         "debater template field '{debate:{name}}' has a format spec"),
        (multi_agent_debate, {"peers_template": "{judgments[0]}"},
         "peers template field '{judgments[0]}' uses attribute or index access"),
        (econ, {"briefing_template": "{strategy:.3}"},
         "briefing template field '{strategy:.3}' has a format spec"),
    ],
)  # fmt: skip
def test_every_role_template_refuses_specs_and_access(
    factory: Any, args: dict[str, Any], error: str
) -> None:
    with pytest.raises(InspectMarketError, match=re.escape(error)):
        factory(**args)


def test_a_template_string_is_bounded() -> None:
    fits = JUDGE_BASE + "x" * (MAX_TEMPLATE_CHARS - len(JUDGE_BASE))
    single_shot(judge_template=fits)
    error = f"judge template has 20,001 characters; at most {MAX_TEMPLATE_CHARS:,} are allowed"
    with pytest.raises(InspectMarketError, match=re.escape(error)):
        single_shot(judge_template=fits + "x")


def test_a_template_file_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "judge.txt"
    path.write_text(JUDGE_BASE + "x" * 5_000_000)
    with pytest.raises(InspectMarketError, match=r"judge template has 5,000,0\d\d characters"):
        single_shot(judge_template=str(path))
    path.write_text(JUDGE_BASE)
    single_shot(judge_template=str(path))


@pytest.mark.parametrize("template", [JUDGE_BASE + "{ask:{secret}}", JUDGE_BASE + "{ask!r}"])
def test_a_template_with_a_spec_fails_before_any_model_call(tmp_path: Path, template: str) -> None:
    model, calls = recording(lambda m: "unused")
    with pytest.raises(InspectMarketError, match="judge template field"):
        run(
            "inspect_market/truthfulqa",
            {"market_maker": model},
            tmp_path,
            task_args={"data_path": str(TQA_FIXTURE), "judge_template": template},
        )
    assert calls == []
