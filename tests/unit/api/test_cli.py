"""`pbvote db upgrade`, `token create` and `demo --no-serve` on a scratch SQLite file."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import text

from api.cli import main
from ballots.staff import authenticate
from ballots.store.engine import make_engine, make_sessionmaker
from tally import registry
from tests.integration.api.helpers import most_approved


async def query(url, sql):
    engine = make_engine(url, null_pool=True)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).all()
    finally:
        await engine.dispose()


async def holder_role(url, token):
    engine = make_engine(url, null_pool=True)
    try:
        return (await authenticate(make_sessionmaker(engine), token)).role
    finally:
        await engine.dispose()


def test_db_upgrade_and_token_create(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["db", "upgrade", "--db", url]) == 0
    capsys.readouterr()
    assert main(["token", "create", "--role", "observer", "--label", "press", "--db", url]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("pbv_")
    assert asyncio.run(holder_role(url, token)) == "observer"
    # only the hash is stored
    stored = asyncio.run(query(url, "SELECT token_hash, role, label FROM staff_tokens"))
    assert len(stored) == 1
    assert token not in stored[0][0]
    assert stored[0][1:] == ("observer", "press")


def test_token_role_is_checked(tmp_path):
    with pytest.raises(SystemExit):
        main(["token", "create", "--role", "mayor", "--db", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"])


def test_demo_seeds_an_open_election(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(registry.RULES, "greedy", most_approved)
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--db", url, "--no-serve"]) == 0
    out = capsys.readouterr().out
    codes = re.search(r"Voting codes: (.*)", out).group(1).split(", ")
    assert len(codes) == 20
    assert len(re.findall(r"Staff token \((admin|official|observer)\): pbv_", out)) == 3
    [(status, rule, definition)] = asyncio.run(query(url, "SELECT status, rule, definition FROM elections"))
    assert (status, rule) == ("open", "greedy")
    assert definition.count('"category":[') == 20
    voters = asyncio.run(query(url, "SELECT kind, count(*) FROM voters GROUP BY kind ORDER BY kind"))
    assert voters == [("census", 10), ("code", 20)]


def test_demo_without_rules_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(registry, "RULES", {})
    monkeypatch.setattr("api.demo.RULES", {})
    assert main(["demo", "--db", f"sqlite+aiosqlite:///{tmp_path / 'd.db'}", "--no-serve"]) == 2
    assert "no allocation rule" in capsys.readouterr().err
