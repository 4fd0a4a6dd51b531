"""The README's two set-up commands and CI's script (.ci/run) build and test the same way."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    """The bash blocks at the top of the README, before its first prose paragraph."""
    top = (ROOT / "README.md").read_text().split("\n\nThe first command", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", top, re.DOTALL)]


def cmake_args(command: str) -> list[str]:
    """Every CMAKE_ARGS value a shell command sets."""
    return [w.split("=", 1)[1] for w in shlex.split(command) if w.startswith("CMAKE_ARGS=")]


def test_the_readme_builds_llama_cpp_python_as_ci_does() -> None:
    install, test = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    [readme_flags] = cmake_args(install)
    ci_flags = [cmake_args(line.removeprefix("export "))[0] for line in ci.splitlines()
                if line.startswith("export CMAKE_ARGS=")]  # fmt: skip
    assert ci_flags == [readme_flags]
    assert "-DGGML_NATIVE=OFF" in readme_flags.split()
    assert ci.rstrip().splitlines()[-1] == test  # CI runs exactly the README's test command
