"""Questions with K outcomes: the judge's prompt for them, and each role's K-outcome prompt.

A K-outcome proposition (`Proposition.choice`) names one claim per option; a judgment gives a
probability per option (`A: 0.1, B: 0.7, C: 0.2`, read by `inspect_market.judgment`). A
protocol runs on such questions when it declares `multi_outcome=True` and every prompt it
sends has a K-outcome version here (`choice_prompts`): the judge's below, and those its
module registers for its other roles (`register_choice_prompt`). A user template or the
paper's prompts (binary only) have none, so such a run is refused before any model call.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import InspectMarketError
from ..judgment import format_judgment
from ..propositions import Proposition
from .judge import JUDGE_PROMPTS, choice_values
from .templates import RolePrompt, TemplateSpec

CHOICE_JUDGE = TemplateSpec("choice_judge", ("question", "options", "arguments"), ("letters",))

CHOICE_JUDGE_SYSTEM = """\
You judge a question with several possible answers, labelled with letters; exactly one of \
them is true. Each answer comes with its claim ("answer B is the true answer"). You decide \
which answer is true and give the probability that each answer is the true one.

Reply with exactly three labelled lines and nothing else:
first the label Reasoning: followed by one or two sentences that weigh the answers and end \
with "So" and the claim you support;
then the label Claim: followed by the claim you support, copied word for word;
then the label Final Prediction: followed by every answer's letter and its probability, \
separated by commas (A: 0.1, B: 0.7, C: 0.2). The probabilities sum to 1, and the answer of \
your claim has the highest."""

CHOICE_JUDGE_TEMPLATE = """\
{question}

The claims, one per answer:
{options}

{arguments}Give your judgment in the three labelled lines. Final Prediction gives each of \
the letters {letters} with the probability that its answer is the true one; they sum to 1."""

_EXAMPLES: tuple[tuple[Proposition, str, int, tuple[float, ...]], ...] = (
    (
        Proposition.choice(
            "Question: At what temperature does pure water boil at sea level?\n"
            "Answer A: 50 degrees Celsius\nAnswer B: 100 degrees Celsius\n"
            "Answer C: 150 degrees Celsius",
            tuple(f"answer {letter} is the true answer" for letter in "ABC"),
        ),
        "At sea level pure water boils at 100 degrees Celsius.",
        1,
        (0.03, 0.94, 0.03),
    ),
    (
        Proposition.choice(
            "Question: Which of these animals is a mammal?\n"
            "Answer A: a shark\nAnswer B: a salmon\nAnswer C: a penguin\nAnswer D: a dolphin",
            tuple(f"answer {letter} is the true answer" for letter in "ABCD"),
        ),
        "A dolphin breathes air and feeds its young milk; the others are fish or a bird.",
        3,
        (0.02, 0.02, 0.02, 0.94),
    ),
)


def _example_reply(
    proposition: Proposition, reasoning: str, side: int, probs: tuple[float, ...]
) -> str:
    claim = proposition.claim(side)
    return format_judgment(f"{reasoning} So {claim}.", claim, probs)


CHOICE_JUDGE_PROMPT = RolePrompt(
    "suite",
    CHOICE_JUDGE,
    CHOICE_JUDGE_TEMPLATE,
    system=CHOICE_JUDGE_SYSTEM,
    examples=tuple(
        (choice_values(example), _example_reply(example, reasoning, side, probs))
        for example, reasoning, side, probs in _EXAMPLES
    ),
)

_VARIANTS: dict[str, RolePrompt] = {JUDGE_PROMPTS["suite"].sha256: CHOICE_JUDGE_PROMPT}
"""A binary prompt's sha256 -> its K-outcome version."""


def register_choice_prompt(binary: RolePrompt, choice: RolePrompt) -> None:
    """Declare `choice` the K-outcome version of a protocol's prompt `binary`."""
    _VARIANTS[binary.sha256] = choice


def choice_prompts(prompts: Mapping[str, RolePrompt]) -> dict[str, RolePrompt]:
    """The K-outcome version of each of a protocol's prompts (role or block -> prompt).

    One clear error line when a role's prompt has none: a user template, a prompt of the
    paper's set, or a role only binary questions have.
    """
    missing = [role for role, prompt in prompts.items() if prompt.sha256 not in _VARIANTS]
    if missing:
        raise InspectMarketError(
            f"the prompt of {', '.join(missing)} has no multi-outcome version (the paper's "
            "prompts and user templates are binary only): pass -T prompts=suite and no template"
        )
    return {role: _VARIANTS[prompt.sha256] for role, prompt in prompts.items()}
