"""Fuzzing parse_judgment: it never raises, never leaves [0, 1], never invents a prediction,
never reads one of two different labelled predictions, reads a simple fraction as its value and
nothing from a prediction line holding more than one number (ranges, "N of M", corrections,
LaTeX, nested numbers); and as_evidence and quote_labels text never holds a label.

The strategies and the checker are shared with benchmarks/fuzz_parser.py, which runs them on
over 100,000 inputs; these tests run a few thousand.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inspect_market.judgment import (
    ParsedJudgment,
    as_evidence,
    format_judgment,
    parse_judgment,
    quote_labels,
)
from inspect_market.propositions import Proposition, normalize_claim

PROP = Proposition(
    question="Question: Is ice cold?\nAnswer A: yes\nAnswer B: no",
    positive_claim="answer A is the true answer",
    negative_claim="answer B is the true answer",
)
# The colon label as the parser reads it (after markdown emphasis is removed); the oracles
# below look at what follows the first one, and at a number written right after each one.
_LABEL = re.compile(r"(?<![a-z0-9])prediction\s*[:：]", re.IGNORECASE)
_EOL = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # the line breaks of str.splitlines
_BLANK = rf"[^\S{_EOL}]"  # whitespace within a line
_LABELLED = re.compile(
    rf"(?<![a-z0-9])prediction\s*[:：]{_BLANK}*(?P<num>[+-]?\d*\.?\d+(?:e[+-]?\d+)?)"
    rf"(?:(?P<pct>{_BLANK}*%)|(?!{_BLANK}*[%/]))(?=\s|$)",
    re.IGNORECASE,
)
_HEADING = re.compile(
    rf"(?:(?<=[{_EOL}])|\A){_BLANK}*(?:(?:#+|[-•>]|\d+[.)]){_BLANK})?{_BLANK}*"
    rf"(?:final{_BLANK}+)?prediction{_BLANK}*(?=[{_EOL}]|\Z)",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(r"^\s*\d+[.)][ \t]", re.MULTILINE)
_LITERAL = re.compile(r"\d*\.?\d+(?:e[+-]?\d+)?", re.IGNORECASE)
_RATIO = re.compile(r"(\d+)\s*/\s*(\d+)")

IN_RANGE = [
    "0.7",
    ".7",
    "0.70",
    "7e-1",
    "+0.7",
    "70%",
    "70 %",
    "1",
    "0",
    "1.0",
    "0.05",
    "\u0660.\u0667",
]
OUT_OF_RANGE = ["1.5", "-0.2", "150%", "-5%", "2", "1e3", "101 %"]
# Lines that hold more than one plain number, or one made into something else: unreadable.
UNREADABLE = [
    # fractions other than one simple fraction in [0, 1]
    "3/2", "1/0", "-1/3", "1/2/3", "0.5/1", "1/3%", "1/2 or 1/3",
    # ranges
    "0.6-0.8", "0.6 – 0.8", "0.6 to 0.8", "between 0.1 and 0.9", "[0.2, 0.4]",
    # negations, corrections, bounds
    "not 0.9 as the trader says, but 0.2", "not 0.9", "isn't 0.9", "less than 0.3",
    "at least 0.8", ">0.7", "< 0.3",
    # N of M
    "Step 1 of 3: 0.9", "0.9 (1 of 3)", "9 out of 10",
    # LaTeX
    "$\\frac{1}{2}$", "\\(0.5\\)", "$\\approx 0.7$", "$0.7^{2}$",
    # nested and multiple numbers
    "0.70 (up from 0.5)", "0.8 (80%)", "0.3 or 0.4", "0.7 (0.7)", "0.8 (step 2)",
]  # fmt: skip
FRACTIONS = st.integers(1, 12).flatmap(
    lambda den: st.tuples(
        st.integers(0, den), st.just(den), st.sampled_from(["/", " / ", "/ ", " /"])
    )
)
LABELS = [
    "Final Prediction",
    "final prediction",
    "FINAL PREDICTION",
    "Prediction",
    "**Final Prediction**",
    "### Final Prediction",
    "Final\u00a0Prediction",
    "`Final Prediction`",
]
COLONS = [":", "：", " :", "**:", ":\n"]
HEADING = "\n"  # no colon: the label alone on its line, the value on the next
WRAPPERS = ["{}", "**{}**", "`{}`", '"{}"', "({})", "[{}]", "p = {}", "{} (likely)", "~{}", "{}."]
CASES: list[Callable[[str], str]] = [str, str.upper, str.lower, str.title, str.swapcase]
NOISE = ["\u200b", "\u00a0", "é", "ß", "İ", "🙂", "\u202e", "\x00", "\r", "\t", "：", "\uff05", "*"]
TOKENS = [
    *LABELS, *COLONS, *IN_RANGE, *OUT_OF_RANGE, *NOISE, *UNREADABLE,
    "Claim: ", "Reasoning: ", PROP.positive_claim, PROP.negative_claim,
    "\n", " ", "%", ".", "e", "-", "+", "#", "- ", "1. ", "(", ")", '"', "5", "0", "9",
    "/", "1/3", "2/3", " of ", "not ", "between ", " and ", " to ", "\\", "$", "<", "½", "²",
]  # fmt: skip


def _unmarked(text: str) -> str:
    return text.replace("*", "").replace("`", "")


def literals_after_first_label(text: str) -> list[float]:
    """Every number written after the first prediction label (emphasis marks ignored), then
    the value of every fraction `a/b` written there."""
    clean = _unmarked(text)
    starts = [m.end() for m in _LABEL.finditer(clean)] + [m.end() for m in _HEADING.finditer(clean)]
    if not starts:
        return []
    values = []
    for literal in _LITERAL.findall(clean[min(starts) :]):
        # digits float() cannot read are not a prediction the parser may accept
        with contextlib.suppress(ValueError, OverflowError):
            values.append(float(literal))
    ratios = _RATIO.findall(clean[min(starts) :])
    return values + [int(num) / int(den) for num, den in ratios if int(den)]


def labelled_values(text: str) -> set[float]:
    """The values written directly after a `prediction:` label (`prediction: 0.7 `, `: 70 %`)."""
    values = set()
    for match in _LABELLED.finditer(_unmarked(text)):
        with contextlib.suppress(ValueError, OverflowError):
            value = float(match["num"])
            values.add(value / 100 if match["pct"] else value)
    return values


def check(text: str) -> ParsedJudgment:
    """Parse and assert the invariants; returns the result for counting."""
    parsed = parse_judgment(text, PROP)
    assert (parsed.p is None) == (parsed.error is not None)
    if parsed.p is not None:
        assert 0.0 <= parsed.p <= 1.0, (text, parsed.p)
        written = literals_after_first_label(text)
        assert any(
            math.isclose(parsed.p, n, abs_tol=1e-12) or math.isclose(parsed.p * 100, n)
            for n in written
        ), (text, parsed.p, written)
        assert labelled_values(text) <= {parsed.p}, (text, parsed.p)
    return parsed


REASONING = st.text(max_size=60)
Checker = Callable[[str, str], ParsedJudgment]


@st.composite
def judgment_texts(
    draw: st.DrawFn,
    numbers: list[str] = IN_RANGE + OUT_OF_RANGE,
    reasoning: st.SearchStrategy[str] = REASONING,
) -> str:
    """A judgment in a random form: label, colon or heading, wrapper, order, separator, case."""
    label, colon = draw(st.sampled_from(LABELS)), draw(st.sampled_from([*COLONS, HEADING]))
    number = draw(st.sampled_from(WRAPPERS)).format(draw(st.sampled_from(numbers)))
    prediction = f"\n{label}\n{number}" if colon == HEADING else f"{label}{colon} {number}"
    claim = draw(st.sampled_from([PROP.positive_claim, PROP.negative_claim, "it depends"]))
    lines = draw(st.permutations([f"Reasoning: {draw(reasoning)}", f"Claim: {claim}", prediction]))
    text = draw(st.sampled_from(["\n", "\r\n", " ", "\n\n"])).join(lines)
    return draw(st.sampled_from(CASES))(text)


@st.composite
def perturbed_judgments(draw: st.DrawFn) -> str:
    """A judgment_texts with duplicated labels, surrounding text and inserted characters."""
    text = draw(judgment_texts())
    for _ in range(draw(st.integers(0, 2))):
        extra = f"{draw(st.sampled_from(LABELS))}: {draw(st.sampled_from(IN_RANGE + OUT_OF_RANGE))}"
        text = f"{text}\n{extra}" if draw(st.booleans()) else f"{extra}\n{text}"
    text = draw(st.text(max_size=20)) + text + draw(st.text(max_size=20))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NOISE) | st.text(max_size=2)) + text[at:]
    return text


def fraction(parts: tuple[int, int, str]) -> str:
    """A fraction as written: numerator, slash (with its spaces), denominator."""
    num, den, slash = parts
    return f"{num}{slash}{den}"


@st.composite
def fraction_judgments(draw: st.DrawFn) -> tuple[str, str]:
    """A judgment in a random form whose prediction is a simple fraction in [0, 1]; and it."""
    written = fraction(draw(FRACTIONS))
    return draw(judgment_texts(numbers=[written])), written


@st.composite
def unreadable_judgments(draw: st.DrawFn) -> tuple[str, str]:
    """A judgment in a random form whose prediction line is unreadable; and that line."""
    line = draw(st.sampled_from(UNREADABLE))
    return draw(judgment_texts(numbers=[line])), line


def check_fraction(text: str, written: str) -> ParsedJudgment:
    """A simple fraction in [0, 1] is read as its value."""
    parsed = check(text)
    num, den = written.split("/")
    assert parsed.p is not None and math.isclose(parsed.p, int(num) / int(den)), (text, parsed)
    return parsed


def check_unreadable(text: str, line: str) -> ParsedJudgment:
    """A prediction line with more than one number, or one qualified, gives no p."""
    parsed = check(text)
    assert parsed.p is None and parsed.error is not None, (text, line, parsed)
    return parsed


soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=15).map("".join)
token_soup = st.tuples(soup, st.sampled_from(LABELS), st.sampled_from(COLONS), soup).map("".join)
FUZZ_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "random text": st.text(max_size=300),
    "token soup": token_soup,
    "judgment forms": judgment_texts(),
    "perturbed judgments": perturbed_judgments(),
    "number families": judgment_texts(
        IN_RANGE + OUT_OF_RANGE + UNREADABLE + ["1/3", "2 / 3", "0/7"]
    ),
}


def fuzz_settings(max_examples: int) -> settings:
    """No deadline, no example database, no health checks: volume is the point."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@fuzz_settings(1500)
@given(st.one_of(*FUZZ_STRATEGIES.values()))
@example("Final Prediction:Final Prediction7e-1")  # once read as 1 (the exponent)
@example("Final Prediction: Tier-1")
@example("Final Prediction\x1e0.7:Final Prediction:")  # \x1e ends a line
@example("Final Prediction:1\xa0%")  # the oracle once read 1 (the parser's % allows any space)
def test_invariants_hold_on_mixed_inputs(text: str) -> None:
    check(text)


@fuzz_settings(500)
@given(
    judgment_texts(IN_RANGE[:-1], st.text(st.characters(exclude_characters=":："))).filter(
        lambda text: not LIST_ITEM.search(text)  # "1. Claim: ..." reads as a numbered list
    )
)
@example(f"Reasoning: x\nFinal Prediction:\n1.\nClaim: {PROP.positive_claim}")
def test_every_form_of_an_in_range_prediction_is_read(text: str) -> None:
    parsed = check(text)
    assert parsed.p is not None, (text, parsed.error)
    assert parsed.p in {0.7, 1.0, 0.0, 0.05}, text


@fuzz_settings(300)
@given(judgment_texts(numbers=OUT_OF_RANGE))
def test_out_of_range_predictions_are_rejected_not_clamped(text: str) -> None:
    parsed = check(text)
    assert parsed.p is None and parsed.error is not None


@fuzz_settings(300)
@given(fraction_judgments())
@example((f"Claim: {PROP.positive_claim}\nFinal Prediction: 1/3", "1/3"))  # once read as 1
def test_a_simple_fraction_is_read_as_its_value(case: tuple[str, str]) -> None:
    check_fraction(*case)


@fuzz_settings(500)
@given(unreadable_judgments())
@example((f"Final Prediction: Step 1 of 3: 0.9\nClaim: {PROP.positive_claim}", ""))  # once 1
@example(("Final Prediction: not 0.9 as the trader says, but 0.2", ""))  # once 0.9
def test_a_prediction_line_with_more_than_one_number_is_unreadable(case: tuple[str, str]) -> None:
    check_unreadable(*case)


def test_the_oracles_catch_an_invented_or_ambiguous_prediction() -> None:
    assert literals_after_first_label("p 0.1 Final Prediction: 0.2\nPrediction: likely") == [0.2]
    assert literals_after_first_label("0.3\n**Final Prediction**\n70%") == [70.0]
    assert literals_after_first_label("Claim: 0.4") == []
    assert literals_after_first_label("Prediction: 1 / 4 or 2/0") == [1.0, 4.0, 2.0, 0.0, 0.25]
    assert labelled_values("Prediction: 0.3 **Final Prediction**: 70 %\nprediction: 7e-1") == {
        0.3,
        0.7,
    }
    assert labelled_values("xprediction: 0.3 prediction: 0.4x prediction: likely") == set()


VALID_REPLIES = judgment_texts(
    IN_RANGE[:-1], st.text(st.characters(exclude_characters=":：\n\r"), max_size=60)
).filter(lambda text: parse_judgment(text, PROP).ok)


@st.composite
def labelled_predictions(draw: st.DrawFn) -> str:
    """Text holding a labelled prediction, in colon or heading form, with text around it."""
    label, colon = draw(st.sampled_from(LABELS)), draw(st.sampled_from([*COLONS, HEADING]))
    number = draw(st.sampled_from(IN_RANGE + OUT_OF_RANGE + UNREADABLE) | FRACTIONS.map(fraction))
    prediction = f"\n{label}\n{number}" if colon == HEADING else f"{label}{colon} {number}"
    return draw(st.text(max_size=40)) + prediction + draw(st.text(max_size=40))


LABELLED_PREDICTIONS = labelled_predictions()
EVIDENCE = st.one_of(
    st.text(max_size=200), soup, token_soup, judgment_texts(), perturbed_judgments()
)


def check_appended(reply: str, appended: str) -> ParsedJudgment:
    """Text appended to a readable reply leaves p and the claim as they were, or unknown,
    and a p made unknown is reported as ambiguous."""
    original = parse_judgment(reply, PROP)
    text = f"{reply}\n{appended}"
    parsed = check(text)
    assert parsed.p in {original.p, None}, (text, parsed)
    if parsed.p is None:
        assert parsed.error is not None and parsed.error.startswith("ambiguous"), parsed.error
    assert parsed.claim in {original.claim, None}, (text, parsed)
    return parsed


def check_evidence(reply: str, text: str) -> ParsedJudgment:
    """as_evidence(text) is one capped line holding no label, and quoting it in a reply
    changes neither p nor the claim."""
    evidence = as_evidence(text, 200)
    assert len(evidence) <= 200
    assert evidence == " ".join(evidence.split()) and len(evidence.splitlines()) <= 1
    # any label left inside would take the lines below as its value
    alone = parse_judgment(f"{evidence}\n0.7\n{PROP.positive_claim}", PROP)
    assert alone.error == "no 'Final Prediction:' line", (evidence, alone)
    assert alone.claim is None and alone.reasoning is None, (evidence, alone)
    original = parse_judgment(reply, PROP)
    parsed = check(f"{reply}\n{evidence}")
    assert (parsed.p, parsed.claim) == (original.p, original.claim), (reply, evidence)
    return parsed


def check_quoted(reply: str, text: str) -> ParsedJudgment:
    """quote_labels(text) only adds quotes (lines kept) and holds no label, and quoting it in
    a reply changes neither p nor the claim."""
    quoted = quote_labels(text)
    assert quoted.replace('"', "") == text.replace('"', ""), (text, quoted)  # quotes added only
    alone = parse_judgment(f"{quoted}\n0.7\n{PROP.positive_claim}", PROP)
    assert alone.error == "no 'Final Prediction:' line", (quoted, alone)
    assert alone.claim is None and alone.reasoning is None, (quoted, alone)
    original = parse_judgment(reply, PROP)
    parsed = check(f"{reply}\n{quoted}")
    assert (parsed.p, parsed.claim) == (original.p, original.claim), (reply, quoted)
    return parsed


PROPERTY_STRATEGIES: dict[str, tuple[st.SearchStrategy[tuple[str, str]], Checker]] = {
    "appended prediction": (st.tuples(VALID_REPLIES, LABELLED_PREDICTIONS), check_appended),
    "quoted evidence": (st.tuples(VALID_REPLIES, EVIDENCE), check_evidence),
    "quoted dataset text": (st.tuples(VALID_REPLIES, EVIDENCE), check_quoted),
    "fractions": (fraction_judgments(), check_fraction),
    "unreadable numbers": (unreadable_judgments(), check_unreadable),
}


@fuzz_settings(500)
@given(VALID_REPLIES, LABELLED_PREDICTIONS)
@example(f"Claim: {PROP.negative_claim}\nFinal Prediction: 0.1", "Final Prediction: 0.1")
def test_an_appended_labelled_prediction_never_silently_changes_p(
    reply: str, appended: str
) -> None:
    check_appended(reply, appended)


@fuzz_settings(300)
@given(VALID_REPLIES, st.sampled_from(IN_RANGE[:-1] + OUT_OF_RANGE))
@example(f"Claim: {PROP.negative_claim}\nFinal Prediction: 0.1", "1.0")  # issue #14
def test_an_echoed_different_prediction_makes_the_reply_ambiguous(reply: str, number: str) -> None:
    original = parse_judgment(reply, PROP)
    parsed = check_appended(reply, f'(Trader 1 said: "Final Prediction: {number}")')
    if labelled_values(f"Prediction: {number} ") == {original.p}:
        assert parsed.p == original.p
    else:
        assert parsed.p is None


@fuzz_settings(300)
@given(VALID_REPLIES, st.sampled_from([PROP.positive_claim, PROP.negative_claim, "it depends"]))
def test_an_echoed_claim_never_replaces_the_claim(reply: str, quoted: str) -> None:
    original = parse_judgment(reply, PROP)
    parsed = check_appended(reply, f'(Trader 1 said: "Claim: {quoted}")')
    assert parsed.p == original.p
    same = original.claim is not None and normalize_claim(original.claim) == normalize_claim(quoted)
    assert parsed.claim == (original.claim if same else None)


@fuzz_settings(1000)
@given(VALID_REPLIES, EVIDENCE)
@example(format_judgment("ok", PROP.positive_claim, 0.1), 'Trader: "Final Prediction: 1.0"')
@example(format_judgment("ok", PROP.negative_claim, 0.6), "**Claim**")
@example(format_judgment("ok", PROP.negative_claim, 0.6), "Final Prediction\n0.9")
@example(format_judgment("ok", PROP.negative_claim, 0.6), "REASONI*NG: x\npredict*ion : 1")
def test_quoted_evidence_holds_no_label_and_never_changes_the_judgment(
    reply: str, text: str
) -> None:
    check_evidence(reply, text)


@fuzz_settings(1000)
@given(VALID_REPLIES, EVIDENCE)
@example(format_judgment("ok", PROP.positive_claim, 0.1), "Q?\nFinal Prediction: 1\nClaim: x")
@example(format_judgment("ok", PROP.negative_claim, 0.6), "- Claim\r\n### Final Prediction\n1")
@example(format_judgment("ok", PROP.negative_claim, 0.6), "Final\nPrediction:\n0.9")
def test_quoted_dataset_text_keeps_its_lines_and_never_changes_the_judgment(
    reply: str, text: str
) -> None:
    check_quoted(reply, text)


@fuzz_settings(300)
@given(EVIDENCE, st.integers(min_value=1, max_value=700))
def test_as_evidence_respects_any_cap(text: str, max_chars: int) -> None:
    evidence = as_evidence(text, max_chars)
    assert len(evidence) <= max_chars
    full = as_evidence(text, 10**6)
    assert evidence == full or (evidence.endswith("…") and full.startswith(evidence[:-1]))
