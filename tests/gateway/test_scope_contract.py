"""Product code depends on the gateway's contract, never on how the gateway works."""

from __future__ import annotations

import ast
from pathlib import Path

import apprenticeships

PACKAGE = Path(apprenticeships.__file__).parent
GATEWAY = "apprenticeships.gateway"
# What the rest of the platform may import from the gateway: the scope contract and the
# gateway's response shapes.
PUBLIC = {f"{GATEWAY}.context", f"{GATEWAY}.responses"}
# app.py assembles the platform, gateway included.
ASSEMBLY = {PACKAGE / "app.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _gateway_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == GATEWAY:  # from apprenticeships.gateway import responses
                found |= {f"{GATEWAY}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
    return {name for name in found if name == GATEWAY or name.startswith(GATEWAY + ".")}


def test_only_the_scope_contract_and_responses_are_imported_from_the_gateway() -> None:
    outside = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if (PACKAGE / "gateway") not in path.parents and path not in ASSEMBLY
    ]
    assert len(outside) > 50  # the walk found the package
    offending = {}
    for path in outside:
        extra = _gateway_imports(path) - PUBLIC
        if extra:
            offending[_module_name(path)] = sorted(extra)
    assert offending == {}
