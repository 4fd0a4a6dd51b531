"""A protocol is one object: an `@solver` declared with its spec by `@protocol`.

A protocol module writes its method as a `Play`: given a `ProtocolRun` for one sample (the
proposition, the trajectory, the role prompts and the calls every protocol makes), it asks its
roles and returns the final answer. `@protocol(...)` turns that into a registered Inspect solver
whose registry name is the protocol's only identity, and records beside it a `ProtocolSpec`:
its roles and which a helper model plays in the simulated world, its prompt builder, its
calls-per-sample formula, the metrics that apply to it and the protocol arguments the world
sets. The task, the registry, the grid, the world and the report read the spec; nothing else
lists protocols. The wrapper that every protocol shares (the proposition from the sample, the
trajectory recorded however the sample ends, the prompt record, the final answer) lives here.

Adding a protocol is one module: see docs/adding-a-protocol.md.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

import anyio
from inspect_ai.log import transcript
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
)
from inspect_ai.scorer import Metric
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import LimitExceededError, registry_info, span

from ..errors import InspectMarketError
from ..judgment import parse_judgment
from ..propositions import Proposition
from ..requests import RequestTag
from ..trajectory import Judgment, TrajectoryData, save_trajectory
from ._calls import counted_generate, member_model, role_model
from .choice import choice_prompts
from .evidence import NO_EVIDENCE, Evidence
from .judge import format_reminder, judgment_messages
from .templates import DEFAULT_PROMPTS, RolePrompt, note_prompts

P = ParamSpec("P")
T = TypeVar("T")

PACKAGE = "inspect_market"
REQUESTED = "inspect_market:requested_protocol"
"""Sample store key of the protocol the task names (its `-T solver=`, else the default)."""
MAX_CALLS = 1000
"""The most model calls one sample may be set up to make, format retries included: a
protocol whose parameters allow more is refused before any model call
(`multi_agent_debate agents=100 rounds=100` once made 10,100 calls for one sample)."""
Params = Mapping[str, Any]
Roles = Callable[[Params], tuple[str, ...]] | tuple[str, ...]
"""Role names, fixed or from the protocol's parameters (`agent_1` ... `agent_N`)."""


def protocol_name(factory: object) -> str:
    """The registry name of a registered solver or factory, without this package's prefix."""
    return registry_info(factory).name.removeprefix(f"{PACKAGE}/")


class Calls(NamedTuple):
    """A sample's model calls: judgment requests and other turns (arguments, strategies)."""

    judgments: int
    arguments: int

    @property
    def total(self) -> int:
        return self.judgments + self.arguments

    def with_retries(self, max_format_retries: int) -> int:
        """Calls when every judgment spends all its format retries."""
        return self.judgments * (1 + max_format_retries) + self.arguments


class Final(NamedTuple):
    """A protocol's final answer: p (a K-outcome question's probability per option, `probs`),
    the claim side and the text shown as the sample's output."""

    p: float | None
    claim_side: int | None
    text: str
    probs: list[float] | None = None

    @classmethod
    def of(cls, judgment: Judgment) -> Final:
        """The final answer that is one judgment."""
        return cls(judgment.p, judgment.claim_side, judgment.raw, judgment.probs)


@dataclass
class ProtocolRun:
    """One sample's run of a protocol: what a protocol's `Play` asks its roles through."""

    state: TaskState
    proposition: Proposition
    trajectory: TrajectoryData
    prompts: Mapping[str, RolePrompt]
    """The protocol's prompt per role (and per block template), from its prompt builder."""
    max_format_retries: int
    max_calls: int
    """This sample's ceiling on model calls (the spec's formula with every retry spent)."""
    _models: dict[str, Model] = field(default_factory=dict, init=False, repr=False)

    def model(self, role: str) -> Model:
        """The model bound to `role`, else the main model acting in that role.

        Looked up once per role and sample (Inspect's `get_model` builds two configs and a
        copy of the model per lookup); the bindings cannot change within a sample.
        """
        if role not in self._models:
            self._models[role] = role_model(role)
        return self._models[role]

    def member(self, group: str, number: int) -> Model:
        """The model of role `<group>_<number>`: bound, else `group`'s model."""
        return member_model(group, number)

    async def generate(
        self, model: Model, messages: list[ChatMessage], config: GenerateConfig | None = None
    ) -> ModelOutput:
        """A counted model call; raises once the sample's call ceiling is reached."""
        if self.trajectory.calls >= self.max_calls:
            raise InspectMarketError(
                f"{self.trajectory.protocol}: the sample reached its ceiling of "
                f"{self.max_calls} model calls"
            )
        return await counted_generate(model, messages, self.trajectory, config)

    async def judge(
        self,
        role: str,
        evidence: Evidence = NO_EVIDENCE,
        *,
        model: Model | None = None,
        prompt: RolePrompt | None = None,
        config: GenerateConfig | None = None,
        draw: int = 0,
        values: Mapping[str, str] | None = None,
        tag: RequestTag | None = None,
        also: str | None = None,
    ) -> Judgment:
        """A judgment by `role` (its model and prompt unless given), shown `evidence`.

        A reply whose prediction cannot be read is re-asked with a format reminder, at most
        `max_format_retries` times; then the judgment is recorded with p None and the raw text
        of the last attempt. The transcript gets an INFO event per re-ask and one for a
        judgment left unreadable; a parsed judgment gets none (the trajectory's store event
        shows it), as each event costs Inspect CPU. `draw` tells otherwise equal requests
        apart in the request's tag (a self-consistency sample, a round). A protocol whose
        judgment-format prompt has its own placeholders fills them with `values`, and may
        give the request's `tag` (default: the evidence's); a role that writes a line besides
        the judgment's three describes it in `also`, which the format re-ask asks for too.
        """
        prompt = prompt or self.prompts[role]
        tag = tag or evidence.tag(self.proposition, role=role, draw=draw)
        conversation = judgment_messages(self.proposition, evidence, prompt, tag, values)
        retries = 0
        while True:
            output = await self.generate(model or self.model(role), conversation, config)
            parsed = parse_judgment(output.completion, self.proposition)
            if parsed.ok or retries >= self.max_format_retries:
                break
            retries += 1
            transcript().info(
                {"format_retry": retries, "error": parsed.error, "reply": output.completion},
                source=role,
            )
            reminder = format_reminder(self.proposition, parsed.error, tag, also)
            conversation += [output.message, reminder]
        judgment = Judgment(
            role=role,
            claim=parsed.claim,
            claim_side=parsed.claim_side,
            reasoning=parsed.reasoning,
            p=parsed.p,
            probs=None if parsed.probs is None else list(parsed.probs),
            raw=output.completion,
            error=parsed.error,
            retries=retries,
        )
        self.trajectory.judgments.append(judgment)
        if not judgment.parsed:
            transcript().info(
                {
                    "unreadable_judgment": len(self.trajectory.judgments),
                    "error": parsed.error,
                    "retries": retries,
                },
                source=role,
            )
        return judgment

    async def judge_together(
        self, requests: Sequence[tuple[str, Awaitable[Judgment]]]
    ) -> list[Judgment]:
        """(role, judgment request) pairs run concurrently, each in a span named for its role;
        the trajectory lists them in request order (they finish in any order)."""
        earlier = list(self.trajectory.judgments)
        judgments = await together(requests)
        self.trajectory.judgments = earlier + judgments
        return judgments


async def together(named: Sequence[tuple[str, Awaitable[T]]]) -> list[T]:
    """Run coroutines concurrently, each in a transcript span named for its role; results in
    order. (Inspect's `collect` names its spans `task-1`, `task-2`, ...)"""
    results: list[T | None] = [None] * len(named)

    async def run(index: int, role: str, work: Awaitable[T]) -> None:
        async with span(role, type="role"):
            results[index] = await work

    try:
        async with anyio.create_task_group() as group:
            for index, (role, work) in enumerate(named):
                group.start_soon(run, index, role, work)
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return cast(list[T], results)


Play = Callable[[ProtocolRun], Awaitable[Final]]
"""A protocol's method for one sample."""


@dataclass(frozen=True)
class ProtocolSpec:
    """Everything about a protocol besides its method, declared once beside its code.

    Attributes:
        name: the registry name (`inspect_market/market_making`); the protocol's identity.
        factory: the registered solver factory.
        roles: the model roles a run with these parameters asks (`--model-role` binds them).
        helper_roles: the roles a helper agent plays in the simulated world, from the
            parameters (the main agent plays every other role).
        prompts: the prompt builder: role (or block template) -> RolePrompt, from the
            protocol's parameters; the solver sends these and the log records their hashes.
        calls: typical calls per sample before format retries (a dry run's estimate).
        max_calls: most calls per sample before format retries (the sample's ceiling).
        metrics: the metrics that apply beside the core ones, from the parameters.
        world_args: the protocol arguments a world setting sets (e.g. `trader_stance`).
        multi_outcome: whether it runs on questions with K outcomes (`Proposition.choice`):
            its Play handles a probability per option, and its prompts have K-outcome
            versions (`choice.choice_prompts`).
    """

    name: str
    factory: Callable[..., Solver]
    roles: Callable[[Params], tuple[str, ...]]
    helper_roles: Callable[[Params], tuple[str, ...]]
    prompts: Callable[..., dict[str, RolePrompt]]
    calls: Callable[[Params], Calls]
    max_calls: Callable[[Params], Calls]
    metrics: Callable[[Params], list[Metric]]
    world_args: tuple[str, ...]
    multi_outcome: bool = False

    @property
    def short_name(self) -> str:
        """The name `-T solver=` takes: without this package's prefix."""
        return protocol_name(self.factory)

    def defaults(self) -> dict[str, Any]:
        """The factory's parameters and their defaults."""
        return {
            name: spec.default
            for name, spec in inspect.signature(self.factory).parameters.items()
            if spec.default is not inspect.Parameter.empty
        }

    def params(self, given: Params) -> dict[str, Any]:
        """The defaults overlaid with `given`."""
        return {**self.defaults(), **given}

    def role_prompts(self, params: Params) -> dict[str, RolePrompt]:
        """The prompt builder called with the parameters it takes."""
        accepted = inspect.signature(self.prompts).parameters
        return self.prompts(**{key: value for key, value in params.items() if key in accepted})

    def choice_prompts(self, params: Params) -> dict[str, RolePrompt]:
        """The K-outcome prompts of a run with these parameters; one clear error line when
        the protocol or its prompts are binary only."""
        if not self.multi_outcome:
            multi = ", ".join(sorted(s.short_name for s in SPECS.values() if s.multi_outcome))
            raise InspectMarketError(
                f"{self.short_name} judges binary questions only; questions with several "
                f"options run with {multi}"
            )
        return choice_prompts(self.role_prompts(params))

    def call_ceiling(self, params: Params) -> int:
        """Most calls of one sample with these parameters, format retries included."""
        return self.max_calls(params).with_retries(params.get("max_format_retries", 0))


SPECS: dict[str, ProtocolSpec] = {}
"""Registry name -> spec, filled by `@protocol` as protocol modules are imported."""


def protocol(
    *,
    roles: Roles,
    helper_roles: Roles,
    prompts: Callable[..., dict[str, RolePrompt]],
    calls: Callable[[Params], Calls],
    max_calls: Callable[[Params], Calls] | None = None,
    metrics: Callable[[Params], list[Metric]] | None = None,
    world_args: tuple[str, ...] = (),
    multi_outcome: bool = False,
) -> Callable[[Callable[P, Play]], Callable[P, Solver]]:
    """Register a protocol: a factory of its `Play` becomes an Inspect `@solver`.

    The factory validates its parameters (one clear line each, before any model call) and
    returns its Play. The solver it becomes builds the role prompts with `prompts`, refuses
    parameters that allow more than `MAX_CALLS` calls per sample, and per sample: rebuilds
    the proposition, refuses to run when the task names another protocol, records the
    trajectory (saved however the sample ends, stop reason `error` when it raises), records
    the prompt set and hashes, plays, and shows the final answer as the sample's output.
    `max_calls` defaults to `calls` (a protocol whose calls do not vary). A protocol that
    declares `multi_outcome` also runs on K-outcome questions, with its prompts' K-outcome
    versions; any other refuses them before any model call.
    """

    def register(factory: Callable[P, Play]) -> Callable[P, Solver]:
        @functools.wraps(factory)
        def build(*args: P.args, **kwargs: P.kwargs) -> Solver:
            play = factory(*args, **kwargs)
            params = spec.params(inspect.signature(factory).bind(*args, **kwargs).arguments)
            role_prompts = spec.role_prompts(params)
            choice: dict[str, RolePrompt] | None = None
            ceiling = spec.call_ceiling(params)
            if ceiling > MAX_CALLS:
                raise InspectMarketError(
                    f"{spec.short_name}: these parameters allow {ceiling:,} model calls per "
                    f"sample (format retries included), above the maximum of {MAX_CALLS:,}"
                )
            prompt_set = str(params.get("prompts", DEFAULT_PROMPTS))
            retries = int(params.get("max_format_retries", 0))

            async def solve(state: TaskState, generate: Generate) -> TaskState:
                nonlocal choice
                proposition = Proposition.from_sample(state.input_text, state.metadata)
                prompts = role_prompts
                if not proposition.binary:
                    choice = choice or spec.choice_prompts(params)
                    prompts = choice
                with recording(spec.short_name, state) as trajectory:
                    note_prompts(trajectory, prompt_set, prompts)
                    run = ProtocolRun(state, proposition, trajectory, prompts, retries, ceiling)
                    final = await play(run)
                    return finish(state, trajectory, final)

            return solve

        registered = solver(build)
        spec = ProtocolSpec(
            name=registry_info(registered).name,
            factory=registered,
            roles=_of_params(roles),
            helper_roles=_of_params(helper_roles),
            prompts=prompts,
            calls=calls,
            max_calls=max_calls or calls,
            metrics=metrics or (lambda params: []),
            world_args=world_args,
            multi_outcome=multi_outcome,
        )
        SPECS[spec.name] = spec
        return registered

    return register


def _of_params(roles: Roles) -> Callable[[Params], tuple[str, ...]]:
    return roles if callable(roles) else (lambda params: roles)


@contextmanager
def recording(short: str, state: TaskState) -> Iterator[TrajectoryData]:
    """A new trajectory of protocol `short` (its name as `-T solver=` takes it), saved however
    the block ends.

    When the task names another protocol (`--solver` replaced the task's solver), this raises
    before any model call, so a log's tag, metrics and prompt record always name the protocol
    that ran. When the block raises (a model error, a limit, a cancelled sample) the stop
    reason is `error` (`limit` for an Inspect limit) and what finished so far is saved.
    """
    requested = state.store.get(REQUESTED)
    if requested is not None and requested != short:
        raise InspectMarketError(
            f"the task runs protocol {requested!r} (its tag, metrics and prompt record name it) "
            f"but --solver ran {short!r}; pass -T solver={short} instead"
        )
    trajectory = TrajectoryData(protocol=short)
    try:
        yield trajectory
    except BaseException as error:
        trajectory.stop_reason = "limit" if is_limit(error) else "error"
        raise
    finally:
        save_trajectory(trajectory)


def is_limit(error: BaseException) -> bool:
    """Whether `error` is Inspect's signal that a sample limit (tokens, messages, time) hit."""
    return isinstance(error, LimitExceededError)


def finish(state: TaskState, trajectory: TrajectoryData, final: Final) -> TaskState:
    """Record the final p and claim, and show the final text as the sample's output."""
    trajectory.final_p = final.p
    trajectory.final_probs = final.probs
    trajectory.final_claim_side = final.claim_side
    state.output = ModelOutput.from_content(model=str(state.model), content=final.text)
    state.messages.append(ChatMessageAssistant(content=final.text))
    return state
