"""docs/dependencies.md names every third-party package the node uses: each one
pinned in pyproject.toml or package.json, and each one the code imports
(also those that come with another package, such as numpy with shapely)."""

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "dependencies.md").read_text(encoding="utf-8")
FIRST_PARTY = {"tromeja", "conftest", "bench"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _documented() -> set[str]:
    names = set()
    for line in DOC.splitlines():
        if line.startswith("|"):
            cell = line.split("|")[1]
            names |= {_norm(n) for n in re.findall(r"[@\w./-]+", cell)}
    return names


def _pinned(requirement: str) -> str:
    return _norm(re.split(r"[\[=<>~! ]", requirement, maxsplit=1)[0])


def test_every_pinned_package_is_explained():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {_pinned(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pinned |= {_pinned(r) for r in extra}
    npm = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    pinned |= {_norm(n) for n in {**npm["dependencies"], **npm.get("devDependencies", {})}}
    missing = sorted(pinned - _documented())
    assert not missing, f"say in docs/dependencies.md why these are here: {missing}"


def _imported_modules():
    for folder in ("tromeja", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    yield from (alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    yield node.module.split(".")[0]


def test_every_imported_package_is_explained():
    distributions = packages_distributions()
    used = set()
    for module in set(_imported_modules()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY:
            continue
        if module not in distributions:
            continue  # a module of the project's own scripts and benchmarks
        used |= {_norm(d) for d in distributions[module]}
    missing = sorted(used - _documented())
    assert not missing, f"say in docs/dependencies.md why the code imports: {missing}"
