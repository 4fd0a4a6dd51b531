"""A small mutation tester: do the given tests fail when the module's code is changed?

    python benchmarks/mutation.py src/inspect_market/judgment.py \\
        --tests tests/test_judgment.py tests/test_parser_fuzz.py [--limit N] [--jobs 2]

Mutations (Python `ast`, annotations left alone): comparison operators swapped (< and <=,
> and >=, == and !=, in and not in, is and is not), arithmetic + and -, * and /, // to /,
`and` and `or`, `not` removed, True and False, int and float constants (0 and 1 swapped,
other n to n + 1 for |n| <= 100), a returned value replaced by None, slice bounds moved by
one. Each mutant is written into a fresh copy of the module's package that is put first on
PYTHONPATH (the working tree is never touched) and the tests run against it in their own
pytest process (`-x -q`, a fixed Hypothesis seed, a timeout). A mutant is killed when pytest
fails. Prints a table and every survivor's line and mutation; exits 1 when a mutant survived.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.And: ast.Or,
    ast.Or: ast.And,
}
SMALL = 100


@dataclass(frozen=True)
class Mutant:
    """One changed copy of the module."""

    line: int
    original: str
    mutated: str
    source: str


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # "killed", "survived" or "timeout"


Slot = tuple[ast.AST, str, int | None]  # parent, field, index in a list field


def _children(tree: ast.AST, skip: set[int]) -> Iterator[tuple[ast.AST, Slot]]:
    """Every node outside `skip`, depth first, with where it hangs in its parent."""
    for field, value in ast.iter_fields(tree):
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, child in items:
            if isinstance(child, ast.AST) and id(child) not in skip:
                yield child, (tree, field, index)
                yield from _children(child, skip)


def _annotations(tree: ast.AST) -> set[int]:
    """Ids of every node inside a type annotation (never evaluated: mutants would be equal)."""
    roots: list[ast.AST | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    return {id(sub) for root in roots if root is not None for sub in ast.walk(root)}


def _constant(value: object) -> bool | int | float | None:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float) and abs(value) <= SMALL:
        return type(value)(1 - value) if value in (0, 1) else value + 1
    return None


def _plus_one(node: ast.expr) -> ast.expr:
    return ast.BinOp(left=node, op=ast.Add(), right=ast.Constant(1))


def _replacements(node: ast.AST) -> Iterator[ast.AST]:
    """The mutated versions of one node (each a new node; the original is left as it is)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in SWAPS:
                new = copy.deepcopy(node)
                new.ops[i] = SWAPS[type(op)]()
                yield new
    elif isinstance(node, ast.BinOp | ast.BoolOp) and type(node.op) in SWAPS:
        new_op = copy.deepcopy(node)
        new_op.op = SWAPS[type(node.op)]()
        yield new_op
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield node.operand
    elif isinstance(node, ast.Constant):
        value = _constant(node.value)
        if value is not None:
            yield ast.Constant(value)
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield ast.Return(value=ast.Constant(None))
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            if getattr(node, bound) is not None:
                new_slice = copy.deepcopy(node)
                setattr(new_slice, bound, _plus_one(getattr(node, bound)))
                yield new_slice


def _place(slot: Slot, node: ast.AST) -> None:
    parent, field, index = slot
    if index is None:
        setattr(parent, field, node)
    else:
        getattr(parent, field)[index] = node


def mutants(source: str) -> list[Mutant]:
    """Every mutant of a module's source, in source order."""
    tree = ast.parse(source)
    found = []
    for node, slot in list(_children(tree, _annotations(tree))):
        for replacement in _replacements(node):
            _place(slot, replacement)
            found.append(
                Mutant(
                    line=getattr(node, "lineno", 0) or getattr(slot[0], "lineno", 0),
                    original=_short(node),
                    mutated=_short(replacement),
                    source=ast.unparse(tree),
                )
            )
            _place(slot, node)
    return sorted(found, key=lambda mutant: mutant.line)


def _short(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 70 else text[:67] + "..."


def package_root(module: Path) -> Path:
    """The top-level package directory holding the module."""
    root = module.parent
    while (root.parent / "__init__.py").exists():
        root = root.parent
    if not (root / "__init__.py").exists():
        raise SystemExit(f"{module} is not inside a package")
    return root


Runner = Callable[[str | None], tuple[str, float]]


def runner(module: Path, tests: list[str], timeout: float) -> Runner:
    """A function that runs the tests against the module's source (None: unchanged)."""
    root = package_root(module)
    inside = module.relative_to(root.parent)

    def run(source: str | None) -> tuple[str, float]:
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            shutil.copytree(root, Path(tmp) / root.name, ignore=shutil.ignore_patterns("*.pyc"))
            if source is not None:
                (Path(tmp) / inside).write_text(source, encoding="utf-8")
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([tmp, os.environ.get("PYTHONPATH", "")]),
                "PYTHONDONTWRITEBYTECODE": "1",
                "HYPOTHESIS_STORAGE_DIRECTORY": str(Path(tmp) / ".hypothesis"),
            }
            probe = f"import {root.name} as m; print(m.__file__)"
            where = subprocess.run(
                [sys.executable, "-c", probe], env=env, capture_output=True, text=True
            )
            if where.returncode != 0 and source is not None:
                return "killed", 0.0  # the mutant breaks the import: every test would fail
            if not where.stdout.startswith(tmp):
                raise SystemExit(f"the mutant package is not the one imported: {where.stdout!r}")
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
            command += ["--hypothesis-seed=0", *tests]
            start = time.perf_counter()
            try:
                done = subprocess.run(command, env=env, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return "timeout", time.perf_counter() - start
            seconds = time.perf_counter() - start
            return ("survived" if done.returncode == 0 else "killed"), seconds

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path, help="the module file to mutate")
    parser.add_argument("--tests", nargs="+", required=True, help="test files to run")
    parser.add_argument("--limit", type=int, help="run only the first N mutants")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default 3x baseline)")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    args = parser.parse_args()
    module = args.module.resolve()
    found = mutants(module.read_text(encoding="utf-8"))[: args.limit]
    if args.list:
        for m in found:
            print(f"{module.name}:{m.line}: {m.original}  ->  {m.mutated}")
        return 0
    status, baseline = runner(module, args.tests, timeout=3600)(None)
    if status != "survived":
        print(f"the tests fail on the unchanged module ({status}); nothing to measure")
        return 2
    run = runner(module, args.tests, args.timeout or max(30.0, 3 * baseline))
    print(f"{module.name}: {len(found)} mutants; tests {' '.join(args.tests)}")
    print(f"baseline run {baseline:.1f} s")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = [
            Outcome(mutant, status)
            for mutant, (status, _) in zip(
                found, pool.map(run, (m.source for m in found)), strict=True
            )
        ]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("killed", "survived", "timeout")}
    print(f"{'mutants':>8}{'killed':>8}{'survived':>10}{'timeouts':>10}{'seconds':>9}")
    print(
        f"{len(outcomes):>8}{counts['killed']:>8}{counts['survived']:>10}"
        f"{counts['timeout']:>10}{time.perf_counter() - start:>9.0f}"
    )
    for outcome in outcomes:
        if outcome.status == "survived":
            m = outcome.mutant
            print(f"  survived {module.name}:{m.line}: {m.original}  ->  {m.mutated}")
    return 1 if counts["survived"] else 0


if __name__ == "__main__":
    sys.exit(main())
