"""The judgment format (Reasoning / Claim / Final Prediction): parser, formatter, decision rule.

A binary judgment's Final Prediction is one p (of the positive claim); a K-outcome judgment's
is a probability per option (`A: 0.1, B: 0.7, C: 0.2`), read by the same rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .propositions import LETTERS, Proposition, normalize_claim

SECTION_CLAIM = "claim"
SECTION_REASONING = "reasoning"
SECTION_PREDICTION = "prediction"
SECTION_TRADE = "trade"
"""A prediction-market trader's Trade line: it ends the section before it; the judgment
ignores it (`prediction_market.parse_trade` reads it)."""

_EOL = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # every line break str.splitlines knows
_BLANK = rf"[^\S{_EOL}]"  # whitespace within a line
_NAMES = r"claim|reasoning|(?:final\s+)?prediction"
_LINE_NAMES = rf"claim|reasoning|(?:final{_BLANK}+)?prediction"
# A section label: "Claim:", "Reasoning :", "final prediction：" anywhere, or a label alone on
# its line ("### Final Prediction", "**Claim**" once markup is removed) with its text below;
# or "Trade:" at the start of a line.
_LABEL = re.compile(
    rf"(?<![a-z0-9])(?P<colon>{_NAMES})\s*[:：]"
    rf"|(?:(?<=[{_EOL}])|\A){_BLANK}*(?P<heading>{_LINE_NAMES}){_BLANK}*"
    rf"(?=[{_EOL}]|\Z)"
    rf"|(?:(?<=[{_EOL}])|\A){_BLANK}*_*(?P<trade>trade)_*{_BLANK}*[:：]",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*`]|^[ \t]*(?:#+|[-•>]|\d+[.)])(?=[ \t])", re.MULTILINE)
_NUMBER = re.compile(
    r"(?<![\w.,])(?<!\w[+-])"  # not inside a word, an exponent or a hyphenated token
    r"(?P<num>[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)(?!\w|[.,]\d)(?P<pct>\s*%)?",
    re.IGNORECASE,
)
# A simple fraction a/b of whole numbers (signed), read as its value.
_FRACTION = re.compile(
    r"(?<![\w.,/])(?<!\w[+-])(?P<num>[+-]?\d+)[^\S\n]*/[^\S\n]*(?P<den>\d+)(?![\w/%]|[.,]\d)"
)
# Words and signs that, before the number, make it not a point prediction: a negation or
# correction ("not 0.9"), a bound ("at least 0.8", "< 0.3").
_QUALIFIER = re.compile(
    r"(?<![a-z])(?:not|no|never|neither|nor|without|instead|rather|except|isn'?t|n't|less"
    r"|more|greater|fewer|lower|higher|above|below|under|over|least|most|than)(?![a-z])"
    r"|[<>≤≥≠≮≯⩽⩾]",
    re.IGNORECASE,
)
_WRAPPERS = " \t\"'“”‘’()[]{}<>"
# One option's probability in a K-outcome prediction: `B: 0.7`, `(b) = 70%`, `C: 1/5`.
_OPTION_KEY = r"(?<![\w.,])\(?(?P<letter>[a-z])\)?[^\S\n]*[:=]"
_OPTION = re.compile(
    rf"{_OPTION_KEY}(?P<value>(?:(?!{_OPTION_KEY.replace('?P<letter>', '')})[^,;\n])*)",
    re.IGNORECASE,
)
_SUM_TOLERANCE = 0.01
"""How far from 1 a K-outcome prediction's probabilities may sum, per option (they are then
rescaled): what writing each at two decimals, a small one as 0.01, can add up to."""
_OPTION_CLAIM = re.compile(r"(?:(?:answer|option)\s+)?\(?([a-z])\)?", re.IGNORECASE)


def _marked(word: str) -> str:
    """A pattern for the word with emphasis marks anywhere in it (the parser removes them)."""
    return "[*`]*".join(word)


# A label followed by a colon in raw text, markup included: what as_evidence quotes.
_COLON_LABEL = re.compile(
    rf"(?<![a-z0-9])(?:{_marked('claim')}|{_marked('reasoning')}"
    rf"|(?:{_marked('final')}[\s*`]*\s[\s*`]*)?{_marked('prediction')})(?=[\s*`]*[:：])",
    re.IGNORECASE,
)
_ELLIPSIS = "…"


@dataclass(frozen=True)
class ParsedJudgment:
    """What could be read from one reply; p is None exactly when parsing failed."""

    claim: str | None
    claim_side: int | None
    reasoning: str | None
    p: float | None
    error: str | None = None
    probs: tuple[float, ...] | None = None
    """A K-outcome judgment's probability per option (p is None); None when binary."""

    @property
    def ok(self) -> bool:
        return self.p is not None or self.probs is not None


def parse_judgment(text: str, proposition: Proposition) -> ParsedJudgment:
    """Read a judgment from model text. Never raises; a failure has p None and an error.

    Lenient about form (case, markdown, order, prose around the sections, one line, a label
    alone on its line with its text on the next), strict about meaning:

    - A section's value is the first non-blank line after its label, up to the next label.
    - The prediction is that line's one number: a plain decimal (`0.8`, `.8`, `8e-1`) or
      percentage (`80%`), or a simple fraction of whole numbers read as its value (`1/3` is
      0.333...); words without digits around it are harmless (`0.8 (probably true)`,
      `p = 0.8`, `$0.8$`). The line is unreadable, so the format retry re-asks, when it holds
      anything else that could be a number or make it something else: a second number
      (`0.6-0.8`, `between 0.1 and 0.9`, `Step 1 of 3: 0.9`, `0.8 (80%)`, `not 0.9 but
      0.2`), a digit in a word or any other numeric character (`²`, `½`), a `/` outside one
      simple fraction, LaTeX (a backslash), or a negation or bound before the number (`not
      0.9`, `at least 0.8`, `< 0.3`).
    - The value must be in [0, 1] after percent conversion; out-of-range values are
      rejected, never clamped.
    - Every prediction label that is followed by a number must give the same value, and a
      readable one: a reply that also quotes another prediction ("Trader said: 'Final
      Prediction: 1.0'") is ambiguous and fails, so it goes to the format retry instead of
      being misread.
    - The claim is the value of the Claim label; when several Claim labels name claims that
      differ (compared with normalize_claim) the claim is unknown (None, so the judgment
      counts as inconsistent) rather than silently replaced by a quoted one.
    - The reasoning is the first non-empty Reasoning section.

    A K-outcome judgment follows the same rules, with these for its prediction: the section
    (up to the next label, over several lines if need be) gives each option's letter once
    with its probability (`A: 0.1, B: 0.7, C: 0.2`; `:` or `=`; decimals, percentages or
    simple fractions), and holds no other number; each value is in [0, 1] and together they
    sum to 1 within 0.01 per option (what two decimals can add up to: `0.98` and seven
    `0.01` make 1.05 on 8 options; they are rescaled to sum to 1 exactly). The claim may also be the
    option's letter alone (`C`, `Answer C`, `(C)`). A line that starts with `Trade:` (a
    prediction-market trader's fourth line) ends the section before it.
    """
    sections = _sections(text)
    claims = [c for c in map(_first_line, _bodies(sections, SECTION_CLAIM)) if c is not None]
    claim = claims[0] if len({normalize_claim(c) for c in claims}) == 1 else None
    reasoning = next(filter(None, _bodies(sections, SECTION_REASONING)), None)
    side = match_claim(claim, proposition) if claim else None
    bodies = _bodies(sections, SECTION_PREDICTION)
    if not proposition.binary:
        probs, error = _distribution(bodies, proposition.outcomes)
        return ParsedJudgment(claim, side, reasoning, None, error, probs)
    p, error = _prediction(bodies)
    return ParsedJudgment(claim=claim, claim_side=side, reasoning=reasoning, p=p, error=error)


def format_judgment(reasoning: str, claim: str, p: float | Sequence[float]) -> str:
    """The canonical text of a judgment (what the parser reads back): p, or a K-outcome
    judgment's probability per option."""
    return f"Reasoning: {reasoning}\nClaim: {claim}\nFinal Prediction: {format_forecast(p)}"


def format_forecast(forecast: float | Sequence[float]) -> str:
    """A forecast as a prediction states it: p (`0.7`), or a probability per option."""
    return f"{forecast:g}" if isinstance(forecast, float | int) else format_probs(forecast)


def format_probs(probs: Sequence[float]) -> str:
    """A probability per option as a K-outcome prediction states it: `A: 0.1, B: 0.9`."""
    return ", ".join(f"{LETTERS[k]}: {q:.3g}" for k, q in enumerate(probs))


def as_evidence(text: str, max_chars: int = 600) -> str:
    """Text from another agent made safe to show inside a judge's prompt, as data.

    One line (whitespace runs, newlines included, become one space), at most `max_chars`
    characters (cut at a word boundary, ending in an ellipsis), with every section label
    quoted so that the parser never finds one in it, even when a model copies it into its
    reply: `Final Prediction: 1.0` becomes `"Final Prediction": 1.0`, and a text that is only
    a label (`**Claim**`) is quoted whole.
    """
    line = _COLON_LABEL.sub(lambda m: f'"{m.group(0)}"', " ".join(text.split()))
    if _LABEL.search(_MARKUP.sub("", line)):  # only a label alone on its line is left
        line = f'"{line}"'
    if len(line) <= max_chars:
        return line
    cut = line[: max_chars - 1]
    if line[max_chars - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut + _ELLIPSIS


def quote_labels(text: str) -> str:
    """Dataset text (a question, a claim) made safe to show inside a prompt, line breaks kept.

    Every section label is quoted as `as_evidence` quotes it, so that the parser never finds
    one in it, even when a model copies the text into its reply: `Final Prediction: 1` becomes
    `"Final Prediction": 1`, and a line that is only a label (`### Claim`) is quoted whole.
    """
    quoted = _COLON_LABEL.sub(lambda m: f'"{m.group(0)}"', text)
    lines = quoted.splitlines(keepends=True)
    return "".join(_quote_heading(line) for line in lines)


def _quote_heading(line: str) -> str:
    """The line with its text quoted when, once markup is removed, it is only a label."""
    body = line.rstrip(_EOL)
    if _LABEL.search(_MARKUP.sub("", body)):
        return f'"{body}"{line[len(body) :]}'
    return line


def decide(forecast: float | Sequence[float] | None) -> int | None:
    """Decision rule: for a p, 1 if p > 0.5, 0 if p < 0.5; for a probability per option (K
    outcomes), the option of the highest probability; None when undecided (p = 0.5, a tie for
    the highest) or unparsed."""
    if forecast is None:
        return None
    if isinstance(forecast, float | int):
        return None if forecast == 0.5 else int(forecast > 0.5)
    top = max(forecast)
    best = [k for k, q in enumerate(forecast) if q == top]
    return best[0] if len(best) == 1 else None


def is_consistent(claim_side: int | None, forecast: float | Sequence[float] | None) -> bool:
    """True when the stated claim is the decision its prediction makes: on the same side of
    0.5 as p, or (K outcomes) the option of the highest probability."""
    return claim_side is not None and decide(forecast) == claim_side


def match_claim(claim: str, proposition: Proposition) -> int | None:
    """The outcome whose claim the text names (binary: 1 positive, 0 negative), else None.

    Compared after normalize_claim; an exact match wins, otherwise the text must contain
    exactly one of the claims (the longest if the others it contains are inside it). A
    K-outcome claim may also be its option's letter alone (`C`, `answer C`, `(C)`).
    """
    text = normalize_claim(claim)
    folded = dict(enumerate(proposition.normalized_claims))
    for side, target in folded.items():
        if text == target:
            return side
    letter = _OPTION_CLAIM.fullmatch(claim.strip(_WRAPPERS))
    if not proposition.binary and letter:
        index = LETTERS.find(letter.group(1).upper())
        return index if 0 <= index < proposition.outcomes else None
    found = [side for side, target in folded.items() if f" {target} " in f" {text} "]
    if not found:
        return None
    longest = max(found, key=lambda s: len(folded[s]))
    inside = all(f" {folded[s]} " in f" {folded[longest]} " for s in found)
    return longest if inside else None


def _sections(text: str) -> list[tuple[str, str]]:
    """Each label in order: its section name and its text, up to the next label."""
    clean = _MARKUP.sub("", text)
    labels = list(_LABEL.finditer(clean))
    sections = []
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(clean)
        initial = (match["colon"] or match["heading"] or match["trade"])[0].lower()
        name = {"c": SECTION_CLAIM, "r": SECTION_REASONING, "t": SECTION_TRADE}.get(
            initial, SECTION_PREDICTION
        )
        sections.append((name, clean[match.end() : end].strip()))
    return sections


def _bodies(sections: list[tuple[str, str]], name: str) -> list[str]:
    return [body for section, body in sections if section == name]


def _first_line(section: str) -> str | None:
    line = next((ln for ln in section.splitlines() if ln.strip(_WRAPPERS)), "")
    line = line.strip(_WRAPPERS).rstrip(".!;,").strip(_WRAPPERS)
    return line or None


@dataclass(frozen=True)
class _Reading:
    """A prediction section's first line read: its value, or why it has none."""

    written: str
    """The number as written, or the quoted line when it is unreadable."""
    value: float | None
    error: str | None = None


def _prediction(bodies: list[str]) -> tuple[float | None, str | None]:
    if not bodies:
        return None, "no 'Final Prediction:' line"
    readings = [reading for reading in map(_reading, bodies) if reading is not None]
    if not readings:
        line = next((ln for ln in bodies[-1].splitlines() if ln.strip()), "")
        return None, f"no number after 'Final Prediction:' (got {line.strip()[:40]!r})"
    values = {reading.value for reading in readings}
    if len(readings) > 1 and (None in values or len(values) > 1):
        written = ", ".join(reading.written for reading in readings)
        return None, f"ambiguous: {len(readings)} labelled predictions differ ({written})"
    reading = readings[0]
    if reading.value is None:
        return None, reading.error
    if not 0.0 <= reading.value <= 1.0:
        return None, f"prediction {reading.written} is outside [0, 1]"
    return reading.value, None


def _distribution(bodies: list[str], outcomes: int) -> tuple[tuple[float, ...] | None, str | None]:
    """The probability per option every prediction section states, or why there is none."""
    if not bodies:
        return None, "no 'Final Prediction:' line"
    readings = [_option_reading(body, outcomes) for body in bodies]
    stated = [reading for reading in readings if reading != (None, None)]
    if not stated:
        return None, "no probabilities after 'Final Prediction:' (expected 'A: 0.2, B: 0.8')"
    if len(stated) > 1 and len(set(stated)) > 1:
        return None, f"ambiguous: {len(stated)} labelled predictions differ"
    return stated[0]


def _option_reading(section: str, outcomes: int) -> tuple[tuple[float, ...] | None, str | None]:
    """One prediction section's probability per option; (None, None) when it states none."""
    text = section.strip()
    pairs = list(_OPTION.finditer(text))
    if not pairs:
        return None, None
    letters = [pair.group("letter").upper() for pair in pairs]
    expected = list(LETTERS[:outcomes])
    if sorted(letters) != expected:
        return None, (
            f"the prediction must give each of {', '.join(expected)} once "
            f"(got {', '.join(letters)})"
        )
    rest = list(text)
    for pair in pairs:
        rest[pair.start() : pair.end()] = " " * (pair.end() - pair.start())
    if "\\" in text:
        return None, "LaTeX (a backslash) in the prediction"
    if any(char.isnumeric() for char in rest) or "/" in rest:
        return None, "a number beside the options' probabilities in the prediction"
    values: dict[str, float] = {}
    for letter, pair in zip(letters, pairs, strict=True):
        reading = _reading(pair.group("value"))
        if reading is None or reading.value is None:
            why = "no number" if reading is None else reading.error
            return None, f"option {letter}'s probability is unreadable ({why})"
        if not 0.0 <= reading.value <= 1.0:
            return None, f"option {letter}'s probability {reading.written} is outside [0, 1]"
        values[letter] = reading.value
    total = math.fsum(values.values())
    if abs(total - 1.0) > _SUM_TOLERANCE * outcomes + 1e-9:  # 1e-9: binary fractions' error
        return None, f"the options' probabilities sum to {total:.3g}, not 1"
    return tuple(values[letter] / total for letter in expected), None


def _reading(section: str) -> _Reading | None:
    """The prediction a section's first line states; None when the line has no number."""
    line = next((ln for ln in section.splitlines() if ln.strip()), "")
    fractions = list(_FRACTION.finditer(line))
    numbers = fractions + [
        match
        for match in _NUMBER.finditer(line)
        if not any(f.start() <= match.start() < f.end() for f in fractions)
    ]
    if not numbers:
        return None
    shown = repr(line.strip()[:40])

    def unreadable(why: str) -> _Reading:
        return _Reading(shown, None, f"{why} on the prediction line (got {shown})")

    rest = list(line)
    for match in numbers:
        rest[match.start() : match.end()] = " " * (match.end() - match.start())
    if "\\" in line:
        return unreadable("LaTeX (a backslash)")
    if len(numbers) > 1 or any(char.isnumeric() for char in rest):
        return unreadable("more than one number")
    if "/" in rest:
        return unreadable("a '/' beside the number")
    match = numbers[0]
    qualifier = _QUALIFIER.search(line, 0, match.start())
    if qualifier:
        return unreadable(f"{qualifier.group(0)!r} before the number")
    written = match.group(0).strip()
    if match.re is _FRACTION:
        denominator = int(match.group("den"))
        if denominator == 0:
            return _Reading(shown, None, f"fraction {written} has no value")
        return _Reading(written, int(match.group("num")) / denominator)
    value = float(match.group("num"))
    return _Reading(written, value / 100 if match.group("pct") else value)
