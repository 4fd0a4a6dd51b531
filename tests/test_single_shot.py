"""The single-shot baseline end to end: one judgment, baseline = final, retries counted."""

from __future__ import annotations

from pathlib import Path

from tests.mocks import NEG_B, judgment, metrics, recording, run_truthfulqa, score_of, stored


def test_one_judgment_is_both_baseline_and_final(tmp_path: Path) -> None:
    model, calls = recording(lambda messages: judgment(0.2, NEG_B))
    log = run_truthfulqa(tmp_path, {"market_maker": model}, limit=2, solver="single_shot")
    assert len(calls) == 2
    for sample in log.samples or []:
        assert stored(sample, "stop_reason") == "single"
        assert [j["p"] for j in stored(sample, "judgments")] == [0.2]
        value = score_of(sample)
        assert value["baseline_p"] == value["final_p"] == 0.2
        assert value["baseline_correct"] == value["final_correct"] == int(sample.target == "0")
    assert metrics(log)["net_gain"] == 0


def test_malformed_judgment_never_recovers(tmp_path: Path) -> None:
    model, calls = recording(lambda messages: "I cannot answer that.")
    log = run_truthfulqa(tmp_path, {"market_maker": model}, solver="single_shot")
    sample = log.samples[0]  # type: ignore[index]
    [only] = stored(sample, "judgments")
    assert only.get("p") is None and only["raw"] == "I cannot answer that." and only["retries"] == 2
    assert stored(sample, "calls") == len(calls) == 3
    # each re-ask quotes the error and keeps the conversation
    assert calls[1][0][-1].text.startswith("Your reply could not be read")
    assert len(calls[2][0]) == len(calls[0][0]) + 4
    assert score_of(sample)["final_correct"] == 0 and score_of(sample)["parse_failures"] == 1
    m = metrics(log)
    assert m["parse_failure_rate"] == 1 and m["final_accuracy"] == 0
