"""Imports flow one way: api -> ballots -> pbvote and api/ballots -> tally -> pbvote; the core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "pbvote": {"tally", "ballots", "api", "sqlalchemy", "litestar", "pydantic", "asyncio", "asyncpg", "aiosqlite"},
    "tally": {"ballots", "api", "sqlalchemy", "litestar", "pydantic", "asyncio", "asyncpg", "aiosqlite"},
    "ballots": {"api", "litestar"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in files
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offenders == {}
