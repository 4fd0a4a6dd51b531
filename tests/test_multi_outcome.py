"""Questions with K outcomes: the parser, truthfulqa(format="mc"), the scorer and refusals."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessage

from inspect_market.errors import InspectMarketError
from inspect_market.judgment import format_judgment, parse_judgment
from inspect_market.propositions import LETTERS, Proposition
from inspect_market.requests import RequestTag, request_tag
from inspect_market.solvers.judge import format_reminder
from inspect_market.solvers.self_consistency import aggregate
from inspect_market.tasks import truthfulqa
from inspect_market.tasks.truthfulqa import mc_record_to_sample, truthfulqa_dataset
from inspect_market.trajectory import Judgment

from .mocks import TQA_FIXTURE, metrics, run_truthfulqa, score_of, scripted
from .shared_data import shared_file

THREE = Proposition.choice(
    "Question: Which is heaviest?\nAnswer A: a feather\nAnswer B: a brick\nAnswer C: a coin",
    tuple(f"answer {letter} is the true answer" for letter in "ABC"),
)


@pytest.mark.parametrize(
    ("prediction", "probs"),
    [
        ("A: 0.1, B: 0.7, C: 0.2", (0.1, 0.7, 0.2)),
        ("A: 10%, B: 70%, C: 20%", (0.1, 0.7, 0.2)),
        ("\nA: 0.1\nB = 0.7\n(C): 1/5", (0.1, 0.7, 0.2)),
        ("a: .1 b: .7 c: .2", (0.1, 0.7, 0.2)),
        ("C: 0.2, A: 0.1, B: 0.7", (0.1, 0.7, 0.2)),  # any order
        ("A: 0.333, B: 0.333, C: 0.333", (1 / 3, 1 / 3, 1 / 3)),  # rescaled to sum to 1
    ],
)
def test_a_k_outcome_prediction_is_read_as_one_probability_per_option(
    prediction: str, probs: tuple[float, ...]
) -> None:
    parsed = parse_judgment(f"Reasoning: r\nClaim: B\nFinal Prediction: {prediction}", THREE)
    assert parsed.ok and parsed.p is None and parsed.claim_side == 1
    assert parsed.probs == pytest.approx(probs)
    assert math.fsum(parsed.probs) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("prediction", "why"),
    [
        ("A: 0.1, B: 0.9", "each of A, B, C once"),  # an option missing
        ("A: 0.1, B: 0.7, C: 0.2, D: 0.0", "each of A, B, C once"),  # an option too many
        ("A: 0.1, B: 0.7, C: 0.1, A: 0.1", "each of A, B, C once"),  # one twice
        ("A: 0.1, B: 0.7, C: 0.5", "sum to 1.3"),
        ("A: 0.2, B: 1.2, C: -0.4", "outside"),
        ("A: 0.1, B: 0.7, C: 0.2 (not 0.3)", "more than one number"),
        ("A: 0.1, B: at least 0.7, C: 0.2", "'least' before"),
        ("A: 0.1, B: 0.7, C: 0.2. Step 2 of 3", "more than one number"),
        ("A: 0.1, B: 0.7, C: 0.2; 3 options", "a number beside"),
        ("0.7", "no probabilities"),
        ("A: 0.1, B: \\frac{7}{10}, C: 0.2", "LaTeX"),
    ],
)
def test_a_k_outcome_prediction_without_one_clear_reading_fails(prediction: str, why: str) -> None:
    parsed = parse_judgment(f"Claim: B\nFinal Prediction: {prediction}", THREE)
    assert not parsed.ok and parsed.probs is None
    assert parsed.error is not None and why in parsed.error


EIGHT = Proposition.choice("q", tuple(f"answer {x} is the true answer" for x in "ABCDEFGH"))


@pytest.mark.parametrize(
    ("proposition", "prediction", "ok"),
    [
        # two decimals, the small ones written 0.01 (as the embedded model writes them)
        (EIGHT, "A: 0.01, B: 0.98, C: 0.01, D: 0.01, E: 0.01, F: 0.01, G: 0.01, H: 0.01", True),
        (THREE, "A: 0.02, B: 0.02, C: 0.99", True),  # 1.03: at the tolerance, 0.01 per option
        (THREE, "A: 0.02, B: 0.02, C: 1.0", False),  # 1.04
        (THREE, "A: 0.31, B: 0.33, C: 0.33", True),  # 0.97
        (THREE, "A: 0.30, B: 0.33, C: 0.33", False),  # 0.96
    ],
)
def test_k_outcome_probabilities_may_miss_1_by_a_hundredth_per_option(
    proposition: Proposition, prediction: str, ok: bool
) -> None:
    parsed = parse_judgment(f"Claim: C\nFinal Prediction: {prediction}", proposition)
    assert parsed.ok is ok
    if ok:
        assert parsed.probs is not None and math.fsum(parsed.probs) == pytest.approx(1.0)
    else:
        assert "not 1" in str(parsed.error)


def test_two_k_outcome_predictions_must_agree() -> None:
    same = "Claim: B\nFinal Prediction: A: 0.1, B: 0.7, C: 0.2\n" * 2
    assert parse_judgment(same, THREE).ok
    differ = same + "Final Prediction: A: 0.2, B: 0.6, C: 0.2"
    assert "differ" in str(parse_judgment(differ, THREE).error)


@pytest.mark.parametrize(
    ("claim", "side"),
    [("answer C is the true answer", 2), ("C", 2), ("Answer c", 2), ("(a)", 0), ("D", None)],
)
def test_a_k_outcome_claim_is_an_option_or_its_letter(claim: str, side: int | None) -> None:
    parsed = parse_judgment(f"Claim: {claim}\nFinal Prediction: A: 0.1, B: 0.1, C: 0.8", THREE)
    assert parsed.claim_side == side


def test_the_binary_format_is_unchanged_on_binary_questions() -> None:
    binary = Proposition("q", "it is", "it is not")
    parsed = parse_judgment("Claim: it is\nFinal Prediction: 0.7", binary)
    assert parsed.p == 0.7 and parsed.probs is None and parsed.claim_side == 1
    assert not parse_judgment("Claim: it is\nFinal Prediction: A: 0.3, B: 0.7", binary).ok


def test_a_k_outcome_proposition_is_checked() -> None:
    with pytest.raises(ValueError, match="2 to 26 options"):
        Proposition.choice("q", ("only one",))
    with pytest.raises(ValueError, match="must differ"):
        Proposition.choice("q", ("answer A", "Answer A!"))
    with pytest.raises(ValueError, match="not both"):
        Proposition("q", "yes", "no", options=("a", "b"))
    assert THREE.outcomes == 3 and THREE.targets == ("A", "B", "C")
    assert THREE.outcome("C") == 2
    with pytest.raises(ValueError, match="names none"):
        THREE.outcome("1")


RECORD = {
    "Type": "Adversarial",
    "Category": "Fixture",
    "Question": "What do bees make?",
    "Best Answer": "Honey",
    "Incorrect Answers": "Milk; honey; Silk; Milk ;",  # a repeat, the best answer, a blank
}


def test_mc_record_holds_the_best_and_the_distinct_incorrect_answers_in_a_seeded_order() -> None:
    sample = mc_record_to_sample(RECORD, seed=0)
    assert sample.choices is not None and sorted(sample.choices) == ["Honey", "Milk", "Silk"]
    assert sample.target == LETTERS[sample.choices.index("Honey")]
    assert sample.metadata is not None
    assert sample.metadata["label"] == sample.choices.index("Honey")
    assert sample.metadata["options"] == [f"answer {x} is the true answer" for x in "ABC"]
    for letter, answer in zip("ABC", sample.choices, strict=True):
        assert f"Answer {letter}: {answer}" in str(sample.input)
    assert mc_record_to_sample(RECORD, seed=0).choices == sample.choices  # fixed by the seed
    orders = {tuple(mc_record_to_sample(RECORD, seed=s).choices or []) for s in range(20)}
    assert len(orders) > 1  # the seed changes the order


def test_mc_record_without_an_incorrect_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="distinct incorrect answers"):
        mc_record_to_sample({**RECORD, "Incorrect Answers": "honey ; Honey."}, seed=0)


def _favours_a(messages: list[ChatMessage]) -> str:
    """A judge that gives option A 0.7 and splits the rest evenly, whatever the options."""
    tag = request_tag(messages)
    assert tag is not None and tag.options >= 2
    rest = 0.3 / (tag.options - 1)
    probs = [0.7] + [rest] * (tag.options - 1)
    return format_judgment("r.", "answer A is the true answer", probs)


def test_single_shot_scores_k_option_questions(tmp_path: Path) -> None:
    log = run_truthfulqa(
        tmp_path, {"market_maker": scripted(_favours_a)}, limit=4, format="mc", solver="single_shot"
    )
    assert log.samples is not None and len(log.samples) == 4
    briers, losses, right = [], [], []
    for sample in log.samples:
        score = score_of(sample)
        k, label = score["options"], LETTERS.index(str(sample.target))
        probs = [0.7] + [0.3 / (k - 1)] * (k - 1)
        assert [score[f"final_p_{x}"] for x in LETTERS[:k]] == pytest.approx(probs)
        assert "final_p" not in score and score["label"] == label
        assert score["final_correct"] == int(label == 0) == score["final_claim_correct"]
        briers.append(math.fsum((q - (i == label)) ** 2 for i, q in enumerate(probs)))
        losses.append(-math.log(probs[label]))
        right.append(int(label == 0))
    got = metrics(log)
    assert 0 < sum(right) < 4  # the fixture's seeded orders put the best answer first in some
    assert got["final_accuracy"] == pytest.approx(sum(right) / 4)
    assert got["brier_final"] == pytest.approx(sum(briers) / 4)
    assert got["log_loss_final"] == pytest.approx(sum(losses) / 4)
    assert got["claim_consistency_rate"] == 1.0
    assert log.eval.metadata is not None and log.eval.metadata["format"] == "mc"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"solver": "debate"}, "debate judges binary questions only"),
        ({"solver": "econ"}, "econ judges binary questions only"),
        ({"solver": "single_shot", "prompts": "paper"}, "no multi-outcome version"),
        (
            {
                "solver": "single_shot",
                "judge_template": "{question} {positive_claim} {negative_claim} {arguments}",
            },
            "no multi-outcome version",
        ),
        ({"format": "yes-no"}, "format must be one of binary, mc"),
    ],
)
def test_what_cannot_run_on_k_options_is_refused_when_the_task_is_built(
    args: dict[str, str], error: str
) -> None:
    with pytest.raises(InspectMarketError, match=error):
        truthfulqa(data_path=str(TQA_FIXTURE), **{"format": "mc", **args})


def test_every_truthfulqa_row_is_a_k_option_question() -> None:
    path = shared_file("truthfulqa/TruthfulQA.csv")
    samples = list(truthfulqa_dataset(path, seed=0, format="mc"))
    assert len(samples) == 790
    assert {len(s.choices or []) for s in samples} == set(range(2, 14))


def test_self_consistency_averages_each_option_over_the_parsed_judgments() -> None:
    def made(probs: list[float] | None, side: int | None) -> Judgment:
        return Judgment(role="market_maker", raw="", probs=probs, claim_side=side)

    final = aggregate([made([0.2, 0.5, 0.3], 1), made([0.4, 0.4, 0.2], 0), made(None, 1)])
    assert final.p is None and final.claim_side == 1
    assert final.probs == pytest.approx([0.3, 0.45, 0.25])
    assert final.text.endswith("of 3: A: 0.3, B: 0.45, C: 0.25")


def test_self_consistency_runs_on_k_option_questions(tmp_path: Path) -> None:
    log = run_truthfulqa(
        tmp_path,
        {"market_maker": scripted(_favours_a)},
        limit=2,
        format="mc",
        solver="self_consistency",
        samples=3,
    )
    assert log.samples is not None
    for sample in log.samples:
        score = score_of(sample)
        assert score["judgments"] == 3 and score["final_p_A"] == pytest.approx(0.7)


def test_a_format_re_ask_asks_for_a_fourth_line_when_the_role_writes_one() -> None:
    tag = RequestTag.of("judgment", THREE)
    plain = format_reminder(THREE, "no 'Final Prediction:' line", tag).text
    assert "exactly three labelled lines" in plain and "each of the letters A, B, C" in plain
    trade = format_reminder(THREE, "x", tag, "Trade (BUY or HOLD)").text
    assert "exactly four labelled lines" in trade and trade.endswith("then Trade (BUY or HOLD).")
