"""Prompt sets and user templates: what each role is asked, and a record of it for the log.

A role's prompt is an optional system message, optional worked example turns (the judge's in
the `suite` set) and a template for the user turn that makes the request. Templates use named
`{placeholder}` fields (`str.format`; write a literal brace as `{{` or `}}`). A protocol
parameter `prompts` picks the set (`suite`, the default, or `paper`); `judge_template`,
`trader_template` or `debater_template` replaces that set's request template with a string or
the path of a file (read with inspect_ai's `resource()`, so `s3://` and `https://` work too),
keeping the set's system message and worked examples (none in `paper`).

Placeholders (required ones are marked *):

- judge: `question`* (the sample's text), `positive_claim`*, `negative_claim`*,
  `arguments`* (the block of arguments shown so far with its heading; empty in a first
  judgment), `scale` (the set's scale or dictionary, one value a line), `ask` (the question
  as a yes/no question whose yes is the positive claim).
- trader: `question`*, `judgment`* (the market maker's current reply), `p` (its p, or
  "unreadable"), `positive_claim`, `negative_claim`, `scale`, `ask`.
- debater: `question`*, `claim`* (the debater's assigned claim), `debate`* (the debate so
  far, or a line saying the debater opens it), `opposing`, `name`, `round`, `rounds`,
  `positive_claim`, `negative_claim`, `ask`.
- peers (multi_agent_debate, `peers_template`: the block of the other agents' judgments in an
  agent's judge request): `judgments`* (one numbered line each: agent, claim, p, reasoning),
  `round`, `rounds`.
- strategy (econ, `strategy_template`: the coordinator's first request): `question`*,
  `positive_claim`*, `negative_claim`*, `ask`, `rounds`.
- revision (econ, `revision_template`: the coordinator's request from round 2 on):
  `question`*, `strategy`* (its last strategy), `judgments`* (the executors' judgments under
  it, one numbered line each), `positive_claim`, `negative_claim`, `ask`, `round`, `rounds`.
- briefing (econ, `briefing_template`: the strategy block in an executor's judge request):
  `strategy`*, `round`, `rounds`.
- final (econ, `final_template`: the block of the executors' judgments in the coordinator's
  final judge request): `judgments`*, `round` (the round that made them).
- market_trader (prediction_market, `trader_template`: a trader's turn): `question`*,
  `positive_claim`*, `negative_claim`*, `market`* (the price, the trader's cash and shares,
  the trades so far), `scale`, `ask`, `arguments` (empty).

A block template (peers, briefing, final) fills the judge template's `{arguments}`; a blank
line is put after it.

A placeholder is a bare name: a field with a format spec or conversion (`{question:>80}`,
`{p:{other}}`, `{ask!r}`) or attribute or index access (`{question.upper}`, `{question[0]}`)
is refused, and so is a template longer than `MAX_TEMPLATE_CHARS` characters (a string or a
file's text). A template that breaks these rules, misses a required placeholder or names an
unknown one fails with one line in the solver factory, before any model call. Every protocol
records which set and templates it used (the set's name and a short sha256 per role or block
template) in its trajectory (`note_prompts`); a task records them for its protocol in the eval
metadata's `prompts`.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser
from inspect_ai.util import resource

from ..errors import InspectMarketError
from ..requests import RequestTag, tagged_request
from ..trajectory import TrajectoryData

PROMPT_SETS = ("suite", "paper")
DEFAULT_PROMPTS = "suite"
SHA_CHARS = 12
MAX_TEMPLATE_CHARS = 20_000
"""The longest request template accepted, in characters (the suite's longest is about 1,100)."""


@dataclass(frozen=True)
class TemplateSpec:
    """The placeholders a role's template may use, and those it must use."""

    role: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.required + self.optional


JUDGE = TemplateSpec(
    "judge",
    ("question", "positive_claim", "negative_claim", "arguments"),
    ("scale", "ask"),
)
TRADER = TemplateSpec(
    "trader",
    ("question", "judgment"),
    ("p", "positive_claim", "negative_claim", "scale", "ask"),
)
DEBATER = TemplateSpec(
    "debater",
    ("question", "claim", "debate"),
    ("opposing", "name", "round", "rounds", "positive_claim", "negative_claim", "ask"),
)
PEERS = TemplateSpec("peers", ("judgments",), ("round", "rounds"))
STRATEGY = TemplateSpec(
    "strategy", ("question", "positive_claim", "negative_claim"), ("ask", "rounds")
)
REVISION = TemplateSpec(
    "revision",
    ("question", "strategy", "judgments"),
    ("positive_claim", "negative_claim", "ask", "round", "rounds"),
)
BRIEFING = TemplateSpec("briefing", ("strategy",), ("round", "rounds"))
FINAL = TemplateSpec("final", ("judgments",), ("round",))
MARKET_TRADER = TemplateSpec(
    "market_trader",
    ("question", "positive_claim", "negative_claim", "market"),
    ("scale", "ask", "arguments"),
)


@dataclass(frozen=True)
class RolePrompt:
    """A role's prompt in one set: system message, worked example turns, request template.

    `examples` are (placeholder values, reply) pairs; each is shown as the template filled
    with those values, then the reply, before the request, so a user template that replaces
    `template` is also the form in which the examples are asked.
    """

    prompt_set: str
    """The set this prompt belongs to; it picks the set's scale and argument list wording."""
    spec: TemplateSpec
    template: str
    system: str | None = None
    examples: tuple[tuple[Mapping[str, str], str], ...] = field(default=())

    def __post_init__(self) -> None:
        check_template(self.spec, self.template)

    @cached_property
    def sha256(self) -> str:
        """Short sha256 of everything sent besides the request's values."""
        sent = [self.prompt_set, self.system, self.template, [list(e) for e in self.examples]]
        text = json.dumps(sent, sort_keys=True, default=dict)
        return hashlib.sha256(text.encode()).hexdigest()[:SHA_CHARS]

    def messages(self, values: Mapping[str, Any], request: ChatMessageUser) -> list[ChatMessage]:
        """System message, example turns, then `request` (the filled template, tagged).

        What does not depend on `values` (a system message without placeholders, the example
        turns) is the same message objects in every request, which Inspect recognises: it
        copies and logs each of them once per sample, not once per call.
        """
        system = self._fixed_system
        if system is None and self.system:
            system = ChatMessageSystem(content=self.system.format(**values))
        return [*([system] if system else []), *self._example_turns, request]

    @cached_property
    def _fixed_system(self) -> ChatMessageSystem | None:
        """The system message, built once, when it names no placeholder."""
        if not self.system or placeholders(self.system):
            return None
        return ChatMessageSystem(content=self.system.format())

    @cached_property
    def _example_turns(self) -> tuple[ChatMessage, ...]:
        """The worked examples as user and assistant turns, built once."""
        turns: list[ChatMessage] = []
        for example, reply in self.examples:
            turns += [
                ChatMessageUser(content=self.render(example)),
                ChatMessageAssistant(content=reply),
            ]
        return tuple(turns)

    def request(self, values: Mapping[str, Any], tag: RequestTag) -> list[ChatMessage]:
        """The whole conversation: system message, example turns, the filled template tagged."""
        return self.messages(values, tagged_request(self.render(values), tag))

    def render(self, values: Mapping[str, Any]) -> str:
        """The template filled with `values` (every allowed placeholder must be given)."""
        return self.template.format(**{name: values[name] for name in self.spec.allowed})

    def block(self, values: Mapping[str, Any]) -> str:
        """A block template filled as the judge's `{arguments}`: its text and a blank line."""
        return self.render(values).rstrip() + "\n\n"


def placeholders(template: str) -> set[str]:
    """The field names a `str.format` template uses; one clear line when it is malformed."""
    return {name for name, _, _ in _fields(template)}


def _fields(template: str) -> list[tuple[str, str | None, str | None]]:
    """Each top-level field's name, conversion and format spec, as `str.format` reads them."""
    try:
        return [
            (name, conversion, spec)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as ex:
        raise InspectMarketError(
            f"template is not a valid format string ({ex}); write a literal brace as {{{{ or }}}}"
        ) from None


def check_template(spec: TemplateSpec, template: str) -> None:
    """Raise one InspectMarketError line unless `template` uses exactly allowed fields, each a
    bare name, and is at most MAX_TEMPLATE_CHARS long."""
    _check_size(spec.role, template)
    fields = _fields(template)
    for name, conversion, format_spec in fields:
        if conversion or format_spec:
            written = "{" + name + (f"!{conversion}" if conversion else "")
            written += f":{format_spec}}}" if format_spec else "}"
            raise InspectMarketError(
                f"{spec.role} template field {written!r} has a "
                f"{'conversion' if conversion else 'format spec'}; placeholders are bare "
                "names such as {question}"
            )
        if "." in name or "[" in name:
            raise InspectMarketError(
                f"{spec.role} template field {'{' + name + '}'!r} uses attribute or index "
                "access; placeholders are bare names such as {question}"
            )
    names = {name for name, _, _ in fields}
    unknown = sorted(names - set(spec.allowed))
    if unknown:
        raise InspectMarketError(
            f"{spec.role} template names unknown placeholder(s) "
            f"{', '.join('{' + n + '}' for n in unknown)}; "
            f"allowed: {', '.join('{' + n + '}' for n in spec.allowed)}"
        )
    missing = [name for name in spec.required if name not in names]
    if missing:
        raise InspectMarketError(
            f"{spec.role} template lacks required placeholder(s) "
            f"{', '.join('{' + n + '}' for n in missing)} (if you passed a file path, "
            "check that the file exists)"
        )


def _check_size(role: str, template: str) -> None:
    if len(template) > MAX_TEMPLATE_CHARS:
        raise InspectMarketError(
            f"{role} template has {len(template):,} characters; at most "
            f"{MAX_TEMPLATE_CHARS:,} are allowed"
        )


def check_prompt_set(prompts: object) -> str:
    """The prompt set's name, or one clear error line."""
    if prompts not in PROMPT_SETS:
        choices = ", ".join(PROMPT_SETS)
        raise InspectMarketError(f"prompts must be one of {choices}, got {prompts!r}")
    return str(prompts)


def unpublished(prompt: RolePrompt) -> dict[str, RolePrompt]:
    """A role the paper publishes no prompt for: the suite's prompt in every set."""
    return dict.fromkeys(PROMPT_SETS, prompt)


def role_prompt(
    sets: Mapping[str, RolePrompt], prompts: object, template: str | None = None
) -> RolePrompt:
    """The role's prompt in set `prompts`, its request template replaced by `template`.

    `template` is a template string or the path or URL of a file holding one (`resource()`).
    """
    base = sets[check_prompt_set(prompts)]
    if template is None:
        return base
    if not isinstance(template, str):
        raise InspectMarketError(
            f"{base.spec.role}_template must be a template string or a file path, got {template!r}"
        )
    _check_size(base.spec.role, template)  # before resource() takes it for a path
    return replace(base, template=resource(template))


def note_prompts(trajectory: TrajectoryData, prompts: str, roles: Mapping[str, RolePrompt]) -> None:
    """Record the prompt set and the sha256 of each role's (or block's) prompt in the trajectory.

    The solver that runs writes this, so it is true even when `--solver` replaced the task's
    solver; the task's eval metadata records the same for the protocol it names
    (`protocol_prompts`), which is what ran unless `--solver` replaced it. (The transcript
    shows it in the store event that ends the solver's span: no event of its own, which every
    sample would pay for under Inspect's per-event costs.)
    """
    trajectory.prompts = prompts
    trajectory.prompt_sha256 = {role: prompt.sha256 for role, prompt in roles.items()}
