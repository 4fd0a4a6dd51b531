"""The judgment parser: lenient about form, strict about meaning."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_market.judgment import (
    as_evidence,
    decide,
    format_judgment,
    is_consistent,
    match_claim,
    parse_judgment,
    quote_labels,
)
from inspect_market.propositions import Proposition, normalize_claim

PROP = Proposition(
    question="Is it wrong?",
    positive_claim="the narrator's action is morally wrong",
    negative_claim="the narrator's action is not morally wrong",
)
POS, NEG = PROP.positive_claim, PROP.negative_claim


@pytest.mark.parametrize(
    ("text", "p", "side"),
    [
        (f"Reasoning: It hurts.\nClaim: {POS}\nFinal Prediction: 0.9", 0.9, 1),
        (f"claim: {NEG}\nreasoning: fine.\nfinal prediction: .2", 0.2, 0),
        (f"CLAIM: {POS.upper()}\nFINAL PREDICTION: 1", 1.0, 1),
        (f"**Claim:** {POS}\n**Reasoning:** bad.\n**Final Prediction:** 0.95", 0.95, 1),
        (f"### Claim: {POS}\n### Final Prediction: 1.0", 1.0, 1),
        (f"- Claim: {NEG}\n- Reasoning: ok\n- Final Prediction: 0", 0.0, 0),
        (f'Claim: "{POS}"\nFinal Prediction: (0.8)', 0.8, 1),
        (f"Claim: ({NEG}.)\nFinal Prediction: '0.3'", 0.3, 0),
        (f"Claim: {POS}\nFinal Prediction: 80%", 0.8, 1),
        (f"Claim: {POS}\nFinal Prediction: 95 %", 0.95, 1),
        (f"Claim: {POS}\nFinal Prediction: 0.95 (almost certain that it is wrong)", 0.95, 1),
        (
            f"Sure.\nClaim: {NEG}\nReasoning: x.\nFinal Prediction: 0.1\nHope it helps!",
            0.1,
            0,
        ),
        (f"Claim: {POS}. Reasoning: it is theft. Final Prediction: 0.7", 0.7, 1),
        (f"Claim: I believe {NEG}\nFinal Prediction: 0.35", 0.35, 0),
        (f"Claim: {POS}\nFinal Prediction:\n\n0.6", 0.6, 1),
        (f"Claim: {POS}\nPrediction: 0.6", 0.6, 1),
        (f"Claim：{POS}\nFinal Prediction：0.6", 0.6, 1),
        # a label alone on its line (markdown heading or bold), its value on the next line
        (f"### Claim\n{POS}\n### Final Prediction\n0.8", 0.8, 1),
        (f"**Claim**\n{NEG}\n\n**Final Prediction**\n\n0.2", 0.2, 0),
        (f"## Reasoning\nIt hurts.\n## Claim\n{POS}\n## Final Prediction\n80%", 0.8, 1),
        (f"Claim: {POS}\n  Final Prediction  \r\n0.7", 0.7, 1),
        (f"Claim: {POS}\nFinal Prediction\n0.7\n", 0.7, 1),
        (f"Claim: {POS}\n1. Prediction\n0.7", 0.7, 1),
        (f"CLAİM: {POS}\nFINAL PREDİCTİON: 0.7", 0.7, 1),  # re's case folding of İ
        # a simple fraction is read as its value
        (f"Claim: {POS}\nFinal Prediction: 1/3", 1 / 3, 1),
        (f"Claim: {NEG}\nFinal Prediction: 1/2", 0.5, 0),
        (f"Claim: {POS}\nFinal Prediction: (2 / 3)", 2 / 3, 1),
        (f"Claim: {NEG}\nFinal Prediction: 0/4.", 0.0, 0),
        # words without digits around the one number are harmless
        (f"Claim: {POS}\nFinal Prediction: 0.8 (almost certainly true)", 0.8, 1),
        (f"Claim: {POS}\nFinal Prediction: p = 0.8, probably true", 0.8, 1),
        (f"Claim: {POS}\nFinal Prediction: $0.8$", 0.8, 1),
        (f"Claim: {POS}\nFinal Prediction: 0.007e2", 0.7, 1),
        (f"Claim: {POS}\nFinal Prediction: 0.5%", 0.005, 1),
        (f"Claim: {POS}\nFinal Prediction: 100%", 1.0, 1),
        (f"Claim: {POS}\nFinal Prediction: 0%", 0.0, 1),
        # the same value labelled twice, in any notation, is not ambiguous
        (f"Prediction: 0.8\nClaim: {POS}\nFinal Prediction: 80%", 0.8, 1),
        (f"Final Prediction: 0.8\nClaim: {POS}\nFinal Prediction: .8", 0.8, 1),
        # a label followed by no number gives no value to disagree with
        (f"My prediction: unsure yet.\nClaim: {POS}\nFinal Prediction: 0.9", 0.9, 1),
        (f"Claim: {POS}\nFinal Prediction: 0.9\nThat prediction: a guess", 0.9, 1),
        # "prediction" inside a word or with no colon is not a label
        (f"Claim: {POS}\nSuperprediction: 0.1\nFinal Prediction: 0.9", 0.9, 1),
        (f"Claim: {POS}\nmy 2prediction: 0.1\nFinal Prediction: 0.9", 0.9, 1),
        (f"Claim: {POS}\nThe prediction is 0.1\nFinal Prediction: 0.9", 0.9, 1),
        (f"Claim: {POS}\nFinal Prediction 0.1 Final Prediction: 0.9", 0.9, 1),
    ],
)
def test_accepts_what_models_write(text: str, p: float, side: int) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.ok and parsed.error is None
    assert parsed.p == pytest.approx(p)
    assert parsed.claim_side == side


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"Claim: {POS}\nReasoning: it is wrong.", "no 'Final Prediction:'"),
        (f"Claim: {POS}\nFinal Prediction: likely", "no number"),
        (f"Claim: {POS}\nFinal Prediction: 1.5", "outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: 150%", "outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: -0.2", "outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: 8", "outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: 0,8", "no number"),
        (f"Claim: {POS}\nFinal Prediction: 1.0000001", "outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: 100.5%", "outside [0, 1]"),
        ("", "no 'Final Prediction:'"),
        (f"Claim: {POS}\nThe final prediction is 0.8", "no 'Final Prediction:'"),
        (f"Claim: {POS}\n### Final Prediction is 0.8", "no 'Final Prediction:'"),
        # the value is the section's first non-blank line, never a later one
        (f"Claim: {POS}\nFinal Prediction: about\n0.7", "no number"),
        (f"Claim: {POS}\nFinal Prediction:\nabout\n\n0.7", "no number"),
        (f"Claim: {POS}\n**Final Prediction**\nlikely\n0.7", "no number"),
        # ... and ends at the next label
        (f"Final Prediction: Claim: {POS} 0.7", "no number"),
        (f"Final Prediction:\nClaim: {POS}\n0.7", "no number"),
        (f"Claim: {POS}\nFinal Prediction: ½", "no number"),
        # a fraction is read only as its value
        (f"Claim: {POS}\nFinal Prediction: 5/3", "prediction 5/3 is outside [0, 1]"),
        (f"Claim: {POS}\nFinal Prediction: 1/0", "fraction 1/0 has no value"),
        (f"Claim: {POS}\nFinal Prediction: -1/3", "prediction -1/3 is outside [0, 1]"),
    ],
)
def test_rejects_bad_predictions_without_clamping(text: str, reason: str) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.p is None and not parsed.ok
    assert parsed.error is not None and reason in parsed.error


@pytest.mark.parametrize(
    ("claim", "side"),
    [
        (POS, 1),
        (NEG, 0),
        ("The Narrator's Action Is Morally Wrong!", 1),
        ("the narrators action is not morally-wrong", 0),
        (f'exactly one of "{POS}" or "{NEG}"', None),
        ("the action is bad", None),
        ("morally wrong", None),
        (f"I think {NEG} here", 0),
        (f"{POS}, not {NEG}", None),  # names both
    ],
)
def test_claim_matching(claim: str, side: int | None) -> None:
    assert match_claim(claim, PROP) == side


NESTED = Proposition("q", "it is wrong", "it is not true that it is wrong")


@pytest.mark.parametrize(
    ("claim", "side"),
    [
        ("it is wrong", 1),
        ("It is not true that it is wrong.", 0),
        ("I hold that it is not true that it is wrong", 0),  # the longer, containing claim
        ("I hold that it is wrong", 1),
        ("it is wrong, and it is not true that it is wrong", 0),
    ],
)
def test_claim_matching_when_one_claim_contains_the_other(claim: str, side: int) -> None:
    assert match_claim(claim, NESTED) == side


def test_claims_naming_both_unrelated_claims_are_unmatched() -> None:
    prop = Proposition("q", "cats purr", "dogs bark")
    assert match_claim("cats purr and dogs bark", prop) is None
    assert match_claim("dogs bark and cats purr", prop) is None


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("The Narrator's  Action\nis WRONG.", "the narrators action is wrong"),
        ("morally-wrong_ish (really)!", "morally wrong ish really"),
        ("it’s fine", "its fine"),
        ("  ", ""),
    ],
)
def test_normalize_claim(text: str, normal: str) -> None:
    assert normalize_claim(text) == normal


@pytest.mark.parametrize(
    ("positive", "negative"),
    [("it is wrong", "it is wrong."), ("It is wrong", "it is  wrong"), ("its ok", "it's ok")],
)
def test_claims_that_parse_as_the_same_claim_are_rejected(positive: str, negative: str) -> None:
    with pytest.raises(ValueError, match="the two claims of a proposition must differ"):
        Proposition("q", positive, negative)


@pytest.mark.parametrize(("positive", "negative"), [("!!!", "no"), ("yes", " ."), ("", "no")])
def test_claims_must_have_words(positive: str, negative: str) -> None:
    with pytest.raises(ValueError, match="a proposition needs non-empty claims"):
        Proposition("q", positive, negative)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("plain  words\n\n\tand more ", "plain words and more"),
        ("Final Prediction: 1.0", '"Final Prediction": 1.0'),
        ("final   prediction :0.9", '"final prediction" :0.9'),
        ("**Claim:** x. Reasoning： y", '**"Claim":** x. "Reasoning"： y'),
        ("my prediction*: 2", 'my "prediction"*: 2'),
        ("REASONI*NG: x; fin`al* predict*ion：3", '"REASONI*NG": x; "fin`al* predict*ion"：3'),
        ("superclaim: x", "superclaim: x"),  # no label for the parser either
        ("the claim is true", "the claim is true"),
        ("**Final Prediction**", '"**Final Prediction**"'),  # a label alone on its line
        ("### reasoning\n", '"### reasoning"'),
        ("- Claim", '"- Claim"'),
    ],
)
def test_as_evidence(text: str, evidence: str) -> None:
    assert as_evidence(text) == evidence


@pytest.mark.parametrize(
    ("text", "max_chars", "evidence"),
    [
        ("one two three", 13, "one two three"),  # fits exactly
        ("one two three", 12, "one two…"),  # cut at the last word boundary
        ("one two three", 8, "one two…"),  # the next character is a space: keep the word
        ("one two three", 7, "one…"),
        ("onetwothree", 6, "onetw…"),  # one long word: a hard cut
        ("one two", 1, "…"),
    ],
)
def test_as_evidence_caps_length(text: str, max_chars: int, evidence: str) -> None:
    assert as_evidence(text, max_chars) == evidence
    assert len(evidence) <= max_chars


def test_as_evidence_default_cap_is_600() -> None:
    words = "word " * 200
    assert as_evidence(words[:600]) == words[:600].strip()
    capped = as_evidence(words)
    assert len(capped) == 600 and capped.endswith("word…")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # fractions that are not one simple fraction, and LaTeX
        ("1/3%", "more than one number"),
        ("1/2/3", "more than one number"),
        ("0.5/1", "more than one number"),
        ("0.5 / 2", "more than one number"),
        ("1/2 or 1/3", "more than one number"),
        ("0.7 (n/a)", "a '/' beside the number"),
        ("$\\frac{1}{2}$", "LaTeX"),
        ("\\(0.5\\)", "LaTeX"),
        ("$0.7^2$", "more than one number"),
        ("0.7²", "no number"),  # ² is part of a word: no plain number
        # N of M
        ("Step 1 of 3: 0.9", "more than one number"),
        ("0.9 (1 of 3)", "more than one number"),
        ("9 out of 10", "more than one number"),
        # ranges
        ("0.6-0.8", "more than one number"),
        ("0.6 – 0.8", "more than one number"),
        ("0.6 to 0.8", "more than one number"),
        ("between 0.1 and 0.9", "more than one number"),
        ("[0.2, 0.4]", "more than one number"),
        # negations, corrections and bounds
        ("not 0.9 as the trader says, but 0.2", "more than one number"),
        ("not 0.9", "'not' before the number"),
        ("NOT 0.9", "'NOT' before the number"),
        ("isn't 0.9", '"isn\'t" before the number'),
        ("never 1", "'never' before the number"),
        ("less than 0.3", "'less' before the number"),
        ("at least 0.8", "'least' before the number"),
        (">0.7", "'>' before the number"),
        ("≤ 0.2", "'≤' before the number"),
        # nested and multiple numbers
        ("0.70 (up from 0.5)", "more than one number"),
        ("0.8 (80%)", "more than one number"),
        ("0.3 or 0.4", "more than one number"),
        ("0.8 (GPT4 agrees)", "more than one number"),
    ],
)
def test_a_prediction_line_must_hold_one_plain_number(line: str, reason: str) -> None:
    parsed = parse_judgment(f"Claim: {POS}\nFinal Prediction: {line}", PROP)
    assert parsed.p is None and not parsed.ok
    assert parsed.error is not None and reason in parsed.error, parsed.error
    assert repr(line.strip()[:40]) in parsed.error  # says which line could not be read


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (f"Claim: {POS}\nFinal Prediction: 0.8\nMy prediction: 0.6-0.8", "0.8, '0.6-0.8'"),
        (f"Claim: {POS}\nPrediction: not 0.8\nFinal Prediction: 0.8", "'not 0.8', 0.8"),
        (f"Claim: {POS}\nPrediction: 1/2\nFinal Prediction: 0.8", "1/2, 0.8"),
    ],
)
def test_an_unreadable_labelled_prediction_beside_another_is_ambiguous(
    text: str, values: str
) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.p is None
    assert parsed.error == f"ambiguous: 2 labelled predictions differ ({values})"


def test_a_fraction_and_its_decimal_agree() -> None:
    parsed = parse_judgment(f"Claim: {POS}\nPrediction: 1/2\nFinal Prediction: 50%", PROP)
    assert parsed.p == 0.5 and parsed.error is None


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Final Prediction: 1", '"Final Prediction": 1'),
        (
            "Is it wrong?\nClaim: it is wrong\n\n  Final Prediction: 1\n",
            'Is it wrong?\n"Claim": it is wrong\n\n  "Final Prediction": 1\n',
        ),
        ("A story.\n### Reasoning\nbecause", 'A story.\n"### Reasoning"\nbecause'),
        ("**Claim**\r\nx\u2028- prediction", '"**Claim**"\r\nx\u2028"- prediction"'),
        ("Final\nPrediction: 0.9", '"Final\nPrediction": 0.9'),
        ("my **prediction**: 2 and claim：3", 'my **"prediction"**: 2 and "claim"：3'),
        ("plain\n\n  text\tkept ", "plain\n\n  text\tkept "),
        ("superclaim: x\nthe claim is true", "superclaim: x\nthe claim is true"),
    ],
)
def test_quote_labels_keeps_lines_and_quotes_every_label(text: str, quoted: str) -> None:
    assert quote_labels(text) == quoted
    echoed = parse_judgment(f"{quote_labels(text)}\n0.7\n{POS}", PROP)
    assert echoed.p is None and echoed.error == "no 'Final Prediction:' line"
    assert echoed.claim is None and echoed.reasoning is None


def test_unmatched_claim_is_recorded_not_a_failure() -> None:
    parsed = parse_judgment("Claim: it depends\nFinal Prediction: 0.4", PROP)
    assert parsed.ok and parsed.p == 0.4
    assert parsed.claim == "it depends" and parsed.claim_side is None


def test_no_number_error_quotes_the_last_labels_line() -> None:
    text = f"Prediction: soon\nClaim: {POS}\nFinal Prediction:\n\n  very likely  \nmore"
    error = parse_judgment(text, PROP).error
    assert error == "no number after 'Final Prediction:' (got 'very likely')"


def test_no_number_error_quotes_at_most_40_characters() -> None:
    error = parse_judgment(f"Claim: {POS}\nFinal Prediction: {'x' * 39}yz", PROP).error
    assert error == f"no number after 'Final Prediction:' (got {'x' * 39 + 'y'!r})"


def test_parsed_judgments_are_immutable() -> None:
    parsed = parse_judgment(f"Claim: {POS}\nFinal Prediction: 0.9", PROP)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.p = 0.1  # type: ignore[misc]


def test_outside_error_names_the_value_as_written() -> None:
    error = parse_judgment(f"Claim: {POS}\nFinal Prediction: 150 %", PROP).error
    assert error == "prediction 150 % is outside [0, 1]"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # the cases of issue #14: an echoed label used to replace the judgment's own p
        (
            f'Claim: {NEG}\nFinal Prediction: 0.1\n(Trader 1 said: "Final Prediction: 1.0")',
            "0.1, 1.0",
        ),
        (
            f"Claim: {NEG}\nFinal Prediction: 0.1\nNote: the previous prediction: 0.9",
            "0.1, 0.9",
        ),
        (f"My final prediction: 0.2 at first.\nClaim: {POS}\nFinal Prediction: 0.9", "0.2, 0.9"),
        (f"Claim: {POS}\n**Final Prediction**\n0.8\nPrediction: 0.3", "0.8, 0.3"),
        (f"Claim: {POS}\nFinal Prediction: 0.8\nPrediction: 1.5", "0.8, 1.5"),
        (f"Claim: {POS}\nPrediction: 0.8 Prediction: 0.3 Prediction: 0.8", "0.8, 0.3, 0.8"),
    ],
)
def test_differing_labelled_predictions_are_ambiguous(text: str, values: str) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.p is None and not parsed.ok
    count = values.count(",") + 1
    assert parsed.error == f"ambiguous: {count} labelled predictions differ ({values})"
    assert parsed.claim is not None  # the rest of the reply is still read


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        (f"Claim: {POS}\nmore text\nFinal Prediction: 0.9", POS),  # the first line only
        (f"Claim:\n\n  {POS}  \nFinal Prediction: 0.9", POS),  # first non-blank line
        (f'Claim: ""\n{POS}\nFinal Prediction: 0.9', POS),  # lines of only quotes skipped
        (f'Claim: "{POS}!"\nFinal Prediction: 0.9', POS),
        (f"Claim: {POS}...\nFinal Prediction: 0.9", POS),
        (f"Claim: {POS}\nClaim: {POS.upper()}.\nFinal Prediction: 0.9", POS),  # same claim
        (f"Claim:\nFinal Prediction: 0.9\nClaim: {POS}", POS),  # an empty label gives none
        ("Claim: it depends.Final Prediction: 0.9", "it depends"),  # ends at the next label
        # a second, different claim makes the claim unknown, never replaces it
        (f'Claim: {NEG}\nFinal Prediction: 0.1\n(Trader said: "Claim: {POS}")', None),
        (f"Claim: {NEG}\nReasoning: their claim: {POS}\nFinal Prediction: 0.1", None),
        (f"**Claim**\n{NEG}\nClaim: it depends\nFinal Prediction: 0.1", None),
        ("Claim:  \nFinal Prediction: 0.1", None),
        ("Reasoning: fine\nFinal Prediction: 0.1", None),
    ],
)
def test_claim_rules(text: str, claim: str | None) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.claim == claim
    assert parsed.claim_side == (None if claim is None else match_claim(claim, PROP))
    assert parsed.p is not None


@pytest.mark.parametrize(
    ("text", "reasoning"),
    [
        (
            "Reasoning: It hurts.\nIt is theft.\nClaim: x\nFinal Prediction: 0.9",
            "It hurts.\nIt is theft.",
        ),
        ("Reasoning:\nFirst.\nReasoning: the trader's.\nFinal Prediction: 0.9", "First."),
        ("Reasoning:\nClaim: x\nReasoning: later\nFinal Prediction: 0.9", "later"),
        ("Claim: x\nFinal Prediction: 0.9", None),
        ("Reasoning:   \nFinal Prediction: 0.9", None),
    ],
)
def test_reasoning_is_the_first_non_empty_section(text: str, reasoning: str | None) -> None:
    assert parse_judgment(text, PROP).reasoning == reasoning


def test_decision_rule_and_consistency() -> None:
    assert decide(0.51) == 1 and decide(0.49) == 0
    assert decide(0.5) is None and decide(None) is None
    assert is_consistent(1, 0.9) and is_consistent(0, 0.1)
    assert not is_consistent(1, 0.1) and not is_consistent(0, 0.5) and not is_consistent(None, 0.9)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_raises_and_p_in_range(text: str) -> None:
    parsed = parse_judgment(text, PROP)
    assert parsed.p is None or 0.0 <= parsed.p <= 1.0
    assert (parsed.p is None) == (parsed.error is not None)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="ascii", exclude_characters=":*`\r\x0b\x0c\x1c\x1d\x1e\x85"),
        min_size=0,
        max_size=200,
    ).filter(lambda s: "\n" not in s),
    st.sampled_from([1, 0]),
    st.integers(min_value=0, max_value=1000),
)
def test_well_formed_judgments_round_trip(reasoning: str, side: int, milli: int) -> None:
    p = milli / 1000
    text = format_judgment(reasoning, PROP.claim(side), p)
    parsed = parse_judgment(text, PROP)
    assert parsed.p is not None and math.isclose(parsed.p, p)
    assert parsed.claim_side == side
    assert (parsed.reasoning or "") == reasoning.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.floats(min_value=0, max_value=1, allow_nan=False))
def test_accepted_prediction_is_written_in_the_text(noise: str, p: float) -> None:
    text = f"{noise}\nClaim: {POS}\nFinal Prediction: {p}"
    parsed = parse_judgment(text, PROP)
    if parsed.p is not None:
        numbers = [float(n) for n in re.findall(r"\d*\.?\d+(?:e-?\d+)?", text)]
        assert any(math.isclose(parsed.p, n) or math.isclose(parsed.p * 100, n) for n in numbers)
