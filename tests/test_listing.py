"""eval.yaml, the suite's listing in the inspect_evals register format, agrees with the code."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from inspect_market.tasks.csqa2 import CSQA2_REMOTES
from inspect_market.tasks.ethics import COMMONSENSE_REMOTES, JUSTICE_REMOTES
from inspect_market.tasks.scruples import SCRUPLES_REMOTES
from inspect_market.tasks.sources import RemoteFile
from inspect_market.tasks.truthfulqa import TRUTHFULQA_REMOTE
from tests.shared_data import shared_file

ROOT = Path(__file__).parents[1]
LISTING = yaml.safe_load((ROOT / "eval.yaml").read_text())
REMOTES: dict[str, RemoteFile] = {
    "truthfulqa": TRUTHFULQA_REMOTE,
    "ethics_commonsense": COMMONSENSE_REMOTES["test"],
    "ethics_justice": JUSTICE_REMOTES["test"],
    "scruples": SCRUPLES_REMOTES["test"],
    "csqa2": CSQA2_REMOTES["dev"],
}


def test_listing_names_every_task_with_its_default_source() -> None:
    assert [t["name"] for t in LISTING["tasks"]] == list(REMOTES)
    assets = {a["task"]: a for a in LISTING["external_assets"]}
    assert set(assets) == set(REMOTES)
    for task, remote in REMOTES.items():
        assert assets[task]["source"] == remote.url
        assert assets[task].get("member") == remote.member
        assert assets[task]["sha256"] == remote.sha256


def test_listing_version_is_the_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert LISTING["version"] == project["version"]
    assert LISTING["arxiv"].endswith("2511.17621")


@pytest.mark.parametrize("task", ["truthfulqa", "ethics_commonsense", "ethics_justice", "csqa2"])
def test_listed_sample_counts_are_the_release_files(task: str) -> None:
    from inspect_ai.util import registry_create

    files = {
        "truthfulqa": "truthfulqa/TruthfulQA.csv",
        "ethics_commonsense": "ethics/commonsense/cm_test.csv",
        "ethics_justice": "ethics/justice/justice_test.csv",
        "csqa2": "csqa2/CSQA2_dev.json.gz",
    }
    path = shared_file(files[task])
    built = registry_create("task", f"inspect_market/{task}", data_path=str(path))
    listed = {t["name"]: t["dataset_samples"] for t in LISTING["tasks"]}
    assert len(built.dataset) == listed[task]
