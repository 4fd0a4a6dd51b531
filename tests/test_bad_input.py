"""Every bad input fails with one clear line before any model call, in Python and on the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import list_eval_logs

from inspect_market.errors import InspectMarketError
from tests.mocks import recording

FIXTURES = Path(__file__).parent / "fixtures"
INSPECT = str(Path(sys.executable).with_name("inspect"))
TQA_HEADER = "Type,Category,Question,Best Answer,Best Incorrect Answer,Source\n"
TQA_ROW = "Adversarial,Invented,What does gadget 1 do?,It hums,It sings,invented\n"
# Files written into the test's directory, named by the cases below.
FILES = {
    "extra_field.csv": TQA_HEADER + TQA_ROW + TQA_ROW.replace("\n", ",surplus\n") + TQA_ROW,
    "short_row.csv": TQA_HEADER + TQA_ROW + TQA_ROW + "Adversarial,Invented,Why?,It hums\n",
    "empty_answer.csv": TQA_HEADER + TQA_ROW + TQA_ROW.replace("It sings", ""),
    "no_incorrect.csv": TQA_HEADER.replace(",Best Incorrect Answer", "") + "A,B,Why?,It hums,s\n",
    "header_only.csv": TQA_HEADER,
    "bad_label.csv": "label,input,is_short,edited\n1,I lied.,True,False\n2,I ran.,True,False\n",
    "three_rows.csv": "label,scenario\n1,I pay my rent.\n0,I hum.\n1,I sing.\n",
    "bad_answer.jsonl": '{"id": "a", "question": "Is ice cold?", "answer": "maybe"}\n',
    "truncated.jsonl": '{"id": "a", "question": "Is ice cold?", "answer": "yes"}\n{"id": "b"\n',
    "long_number.jsonl": '{"id": "a", "question": "Is ice cold?", "answer": ' + "7" * 5000 + "}\n",
    "deep.jsonl": "[" * 100_000 + "]" * 100_000 + "\n",
    "long_answer.jsonl": '{"id": "a", "question": "Is ice cold?", "answer": "'
    + "y" * 5000
    + '"}\n',
}
BINARY = bytes(range(256)) * 40  # NUL bytes, and no UTF-8 text
# (task, task args, the message; {dir} is the directory holding FILES, {fixtures} the repo's)
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "truthfulqa",
        {"solver": "majority_vote"},
        "unknown solver 'majority_vote'; choose a protocol: market_making, single_shot, debate, "
        "self_consistency",
    ),
    (
        "truthfulqa",
        {"solver": "inspect_ai/generate"},
        "unknown solver 'inspect_ai/generate'; choose a protocol: market_making",
    ),
    ("truthfulqa", {"max_format_retries": 300}, "max_format_retries must be an integer in [0, 10]"),
    (
        "truthfulqa",
        {"solver": "multi_agent_debate", "agents": 100, "rounds": 100},
        "multi_agent_debate: these parameters allow 30,300 model calls per sample (format "
        "retries included), above the maximum of 1,000",
    ),
    ("truthfulqa", {"threshold": -0.1}, "threshold must be a finite number in [0, 1], got -0.1"),
    (
        "truthfulqa",
        {"threshold": "high"},
        "threshold must be a finite number in [0, 1], got 'high'",
    ),
    ("truthfulqa", {"max_judgments": 0}, "max_judgments must be an integer in [1, 100], got 0"),
    ("truthfulqa", {"window": 0}, "window must be an integer in [1, 10]"),
    (
        "truthfulqa",
        {"max_format_retries": -1},
        "max_format_retries must be an integer in [0, 10], got -1",
    ),
    (
        "truthfulqa",
        {"treshold": 0.1},
        "solver 'market_making' takes no parameter 'treshold'; its parameters are: "
        "max_judgments, threshold, window, max_format_retries",
    ),
    (
        "truthfulqa",
        {"solver": "debate", "rounds": 0},
        "rounds must be an integer in [1, 100], got 0",
    ),
    (
        "truthfulqa",
        {"solver": "self_consistency", "temperature": 0},
        "temperature must be a finite number > 0, got 0",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/missing.csv"},
        "data_path '{dir}/missing.csv' is not a file; pass the path of TruthfulQA.csv",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}"},
        "data_path '{dir}' is not a file; pass the path of TruthfulQA.csv",
    ),
    (
        "truthfulqa",
        {"data_path": "{fixtures}/ethics_cm_mini.csv"},
        "{fixtures}/ethics_cm_mini.csv: missing column(s) Type, Category, Question, Best Answer, "
        "Best Incorrect Answer, Source (header: label, input, is_short, edited); expected the "
        "authors' TruthfulQA.csv",
    ),
    (
        "truthfulqa",
        {"data_path": "{fixtures}/csqa2_mini.json.gz"},
        "{fixtures}/csqa2_mini.json.gz: not a readable CSV file",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/no_incorrect.csv"},
        "{dir}/no_incorrect.csv: missing column(s) Best Incorrect Answer (header: Type, Category, "
        "Question, Best Answer, Source); expected the authors' TruthfulQA.csv",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/extra_field.csv"},
        "{dir}/extra_field.csv:3: malformed row (expected 6 fields)",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/short_row.csv"},
        "{dir}/short_row.csv:4: malformed row (expected 6 fields)",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/empty_answer.csv"},
        "{dir}/empty_answer.csv:3: empty question or answer",
    ),
    (
        "truthfulqa",
        {"data_path": "{dir}/header_only.csv"},
        "{dir}/header_only.csv holds no samples for task truthfulqa",
    ),
    (
        "csqa2",
        {"split": "test"},
        "csqa2's test split has no public answers; use -T split=dev",
    ),
    ("csqa2", {"split": "train"}, "csqa2 has no split 'train'; pass -T split= one of: dev"),
    (
        "csqa2",
        {"data_path": "{dir}/long_number.jsonl"},
        "{dir}/long_number.jsonl:1: not a JSON object (a number with too many digits); expected",
    ),
    (
        "csqa2",
        {"data_path": "{dir}/deep.jsonl"},
        "{dir}/deep.jsonl:1: JSON nested too deeply; expected the authors' CSQA2_dev.json.gz",
    ),
    (
        "csqa2",
        {"data_path": "{dir}/long_answer.jsonl"},
        '{dir}/long_answer.jsonl:1: field answer must be "yes" or "no", got \'yyyyyyyy',
    ),
    (
        "csqa2",
        {"data_path": "{dir}/binary.dat"},
        "{dir}/binary.dat: not a readable JSON Lines file",
    ),
    (
        "csqa2",
        {"data_path": "{fixtures}/truthfulqa_mini.csv"},
        "{fixtures}/truthfulqa_mini.csv:1: not a JSON object; expected the authors' "
        "CSQA2_dev.json.gz",
    ),
    (
        "csqa2",
        {"data_path": "{dir}/bad_answer.jsonl"},
        '{dir}/bad_answer.jsonl:1: field answer must be "yes" or "no", got \'maybe\'',
    ),
    (
        "csqa2",
        {"data_path": "{dir}/truncated.jsonl"},
        "{dir}/truncated.jsonl:2: not a JSON object",
    ),
    (
        "csqa2",
        {"solver": "majority_vote"},
        "unknown solver 'majority_vote'; choose a protocol:",
    ),
    (
        "ethics_commonsense",
        {"data_path": "{fixtures}/ethics_justice_mini.csv"},
        "{fixtures}/ethics_justice_mini.csv: missing column(s) input, is_short (header: label, "
        "scenario); expected the ETHICS release's cm_test.csv",
    ),
    (
        "ethics_commonsense",
        {"data_path": "{dir}/bad_label.csv"},
        "{dir}/bad_label.csv:3: column label must be 0 or 1, got '2'",
    ),
    (
        "ethics_commonsense",
        {"data_path": "{dir}/binary.dat"},
        "{dir}/binary.dat: not a readable CSV file (binary data); expected the ETHICS "
        "release's cm_test.csv",
    ),
    *(
        (
            "ethics_commonsense",
            {"short_only": value, "data_path": "{fixtures}/ethics_cm_mini.csv"},
            f"short_only must be true or false, got {value!r}",
        )
        for value in ("false", "maybe", 2, 0, None)
    ),
    (
        "ethics_commonsense",
        {"split": ["test"], "data_path": "{fixtures}/ethics_cm_mini.csv"},
        "ethics_commonsense has no split ['test']; pass -T split= one of: test, test_hard",
    ),
    ("truthfulqa", {"solver": 5}, "solver must be a protocol name, got 5"),
    ("truthfulqa", {"data_path": 5}, "data_path must be the path of a file, got 5"),
    ("truthfulqa", {"data_path": ["a.csv"]}, "data_path must be the path of a file, got ['a.csv']"),
    (
        "truthfulqa",
        {"data_path": "{dir}/binary.dat"},
        "{dir}/binary.dat: not a readable CSV file (binary data); expected the authors' "
        "TruthfulQA.csv",
    ),
    (
        "ethics_commonsense",
        {"split": "train"},
        "ethics_commonsense has no split 'train'; pass -T split= one of: test, test_hard",
    ),
    (
        "ethics_justice",
        {"data_path": "{fixtures}/ethics_cm_mini.csv"},
        "{fixtures}/ethics_cm_mini.csv: missing column(s) scenario",
    ),
    (
        "ethics_justice",
        {"data_path": "{dir}/three_rows.csv"},
        "{dir}/three_rows.csv: 3 data rows are not contrast groups of 4",
    ),
    (
        "ethics_justice",
        {"window": 0},
        "window must be an integer in [1, 10]",
    ),
    (
        "scruples",
        {"data_path": "{fixtures}/csqa2_mini.json.gz"},
        "{fixtures}/csqa2_mini.json.gz:1: missing field(s) actions, gold_annotations, "
        "gold_label, controversial",
    ),
    (
        "scruples",
        {"data_path": "{fixtures}/truthfulqa_mini.csv"},
        "{fixtures}/truthfulqa_mini.csv:1: not a JSON object",
    ),
    ("scruples", {"split": "train"}, "scruples has no split 'train'; pass -T split= one of:"),
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A directory holding FILES; its path contains markup-like brackets, as real paths can."""
    directory = tmp_path / "data[v2]"
    directory.mkdir()
    for name, text in FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "binary.dat").write_bytes(BINARY)
    return directory


def fill(template: str, directory: Path) -> str:
    return template.replace("{dir}", str(directory)).replace("{fixtures}", str(FIXTURES))


def case_args(args: dict[str, Any], directory: Path) -> dict[str, Any]:
    return {k: fill(v, directory) if isinstance(v, str) else v for k, v in args.items()}


@pytest.mark.parametrize(("task", "args", "message"), CASES)
def test_rejected_with_one_line_before_any_model_call(
    task: str, args: dict[str, Any], message: str, files: Path, tmp_path: Path
) -> None:
    model, calls = recording(lambda messages: "never asked")
    log_dir = tmp_path / "logs"
    with pytest.raises(InspectMarketError) as raised:
        eval(
            f"inspect_market/{task}",
            model=model,
            task_args=case_args(args, files),
            log_dir=str(log_dir),
            display="none",
        )
    text = str(raised.value)
    assert text.startswith(fill(message, files)), text
    assert "\n" not in text and len(text) < 500
    assert calls == []
    assert not log_dir.exists() or list_eval_logs(str(log_dir)) == []


CLI_CHOICE = [  # (task, message start): one case of each kind
    ("truthfulqa", "unknown solver"),
    ("truthfulqa", "threshold must be a finite number in [0, 1], got -0.1"),
    ("truthfulqa", "data_path '{dir}/missing.csv'"),
    ("truthfulqa", "{fixtures}/ethics_cm_mini.csv"),
    ("truthfulqa", "{dir}/extra_field.csv:3"),
    ("csqa2", "csqa2's test split"),
]
CLI_CASES = [c for c in CASES if any(c[0] == t and c[2].startswith(m) for t, m in CLI_CHOICE)]


def inspect_eval(task: str, task_args: list[str], tmp_path: Path) -> list[str]:
    """The non-blank output lines of a failing `inspect eval` that wrote no log."""
    result = subprocess.run(
        [INSPECT, "eval", f"inspect_market/{task}", "--model", "simulated/default", *task_args,
         "--log-dir", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "COLUMNS": "1000"},  # rich wraps at the terminal width (80 in pipes)
    )  # fmt: skip
    assert result.returncode == 1
    assert not (tmp_path / "logs").exists() or list_eval_logs(str(tmp_path / "logs")) == []
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


@pytest.mark.parametrize(("task", "args", "message"), CLI_CASES)
def test_cli_prints_one_line_no_traceback_and_exits_1(
    task: str, args: dict[str, Any], message: str, files: Path, tmp_path: Path
) -> None:
    lines = inspect_eval(task, [f"-T{k}={v}" for k, v in case_args(args, files).items()], tmp_path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(fill(message, files))


@pytest.mark.parametrize(
    ("task_arg", "message"),
    [
        # a quoted 'false' is the text "false", which used to turn the filter on
        ("short_only='false'", "short_only must be true or false, got 'false'"),
        ("short_only=maybe", "short_only must be true or false, got 'maybe'"),
        ("short_only=2", "short_only must be true or false, got 2"),
        ("data_path=5", "data_path must be the path of a file, got 5"),
    ],
)
def test_cli_task_arguments_of_the_wrong_type_are_one_line(
    task_arg: str, message: str, tmp_path: Path
) -> None:
    lines = inspect_eval("ethics_commonsense", ["-T", task_arg], tmp_path)
    assert lines == [message]
