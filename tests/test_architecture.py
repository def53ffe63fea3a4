"""The package graph: no package imports, directly or through others, a package that
imports it back; and docs/architecture.md's map of who imports whom is the code's.

A "package" is a first-level part of ``apprenticeships`` (``gateway``, ``keys``, ...,
and top-level modules such as ``app`` or ``errors``). Every import counts, wherever it
is written: at the top, inside a function, or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "apprenticeships"
MAP = ROOT / "docs" / "architecture.md"

Graph = dict[str, dict[str, list[str]]]  # package -> imported package -> "module -> target"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> Iterator[str]:
    """Every ``apprenticeships...`` name the module imports, relative imports resolved."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from apprenticeships import errors`` imports the module ``errors``.
                submodule = SOURCE / alias.name
                if base == "apprenticeships" and (
                    submodule.is_dir() or submodule.with_suffix(".py").is_file()
                ):
                    yield f"{base}.{alias.name}"
                else:
                    yield base


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "apprenticeships" and len(parts) > 1 else None


def package_graph() -> Graph:
    graph: Graph = {}
    for path in sorted(SOURCE.rglob("*.py")):
        module = _module_name(path)
        source = _package(module)
        if source is None:
            continue
        graph.setdefault(source, {})
        for target in _imports(path, module):
            imported = _package(target)
            if imported is not None and imported != source:
                graph[source].setdefault(imported, []).append(f"{module} -> {target}")
    return graph


def find_cycle(graph: Mapping[str, Mapping[str, object]]) -> list[str] | None:
    """One cycle as a path of packages (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def documented_map() -> dict[str, set[str]]:
    """The "imports" column of the package table in docs/architecture.md."""
    rows: dict[str, set[str]] = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (name := re.fullmatch(r"`(\w+)`", cells[0])):
            rows[name.group(1)] = set(re.findall(r"`(\w+)`", cells[2]))
    return rows


def test_the_cycle_finder_finds_a_cycle_through_three_packages() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 1, "b": 1}}) is None


def test_the_import_reader_resolves_every_form_of_import(tmp_path: Path) -> None:
    path = tmp_path / "service.py"
    path.write_text(
        "import json\n"
        "import apprenticeships.keys.tokens\n"
        "from apprenticeships import errors\n"
        "from . import repository\n"
        "from ..storage.events import EventKind\n"
        "def later():\n"
        "    from apprenticeships.geo import service\n"
    )
    assert set(_imports(path, "apprenticeships.vacancies.service")) == {
        "json",
        "apprenticeships.keys.tokens",
        "apprenticeships.errors",
        "apprenticeships.vacancies",
        "apprenticeships.storage.events",
        "apprenticeships.geo",
    }
    assert _module_name(SOURCE / "gateway" / "__init__.py") == "apprenticeships.gateway"
    assert _package("apprenticeships.errors") == "errors"
    assert _package("apprenticeships") is None


def test_no_package_imports_a_package_that_imports_it_back() -> None:
    graph = package_graph()
    cycle = find_cycle(graph)
    if cycle is not None:
        edges = [f"  {edge}" for a, b in itertools.pairwise(cycle) for edge in graph[a][b]]
        pytest.fail("import cycle " + " -> ".join(cycle) + ":\n" + "\n".join(edges))


def test_the_documented_package_map_is_the_code() -> None:
    graph = package_graph()
    documented = documented_map()
    assert set(documented) == set(graph), "docs/architecture.md lists other packages than src/"
    differences = {
        package: {
            "imported but not documented": sorted(set(graph[package]) - allowed),
            "documented but not imported": sorted(allowed - set(graph[package])),
        }
        for package, allowed in documented.items()
        if allowed != set(graph[package])
    }
    assert not differences, differences
