"""What must hold after the crashes: acknowledged ballots stored once, nothing extra counted, a sound database.

The source of truth is what the residents' phones saw (`Record.acks`), never the server's own account of itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

import asyncpg
from sqlalchemy.engine import make_url

from ballots.credentials import keyed_hash
from ballots.elections import code_hash, tally_profile
from pbvote.ballot import Ballot
from pbvote.canonical import election_from_json
from pbvote.project import ProjectId
from pbvote.record.receipts import receipt_ballot_id
from tests.durability.voters import DEFINITION, RULE, Ack

_BALLOTS = "SELECT voter_link, ballot_id, status, channel, selections FROM ballots WHERE election_id = {}"
_DUPLICATES = (
    (
        "SELECT election_id, voter_link, count(*) FROM ballots WHERE voter_link IS NOT NULL "
        "GROUP BY election_id, voter_link HAVING count(*) > 1"
    ),
    "SELECT ballot_id, count(*) FROM ballots GROUP BY ballot_id HAVING count(*) > 1",
)
_ELECTION_HASH = "SELECT election_hash FROM elections WHERE id = {}"
_MIN_INDEXES = 8  # the schema's primary keys and unique constraints alone make more B-tree indexes than this
_VOTERS = "SELECT id, credential_hash FROM voters WHERE election_id = {}"


async def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(make_url(url).database or "") as connection:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


async def ballot_problems(url: str, secret: str, election_id: int, acks: Mapping[str, Ack]) -> list[str]:
    """Every way the stored ballots differ from the acknowledged ones (empty when all is well).

    Each acknowledged code's last ballot is stored once, counted, under the receipt the phone got and with the
    content it sent; every counted ballot belongs to a roll entry (its voter link is that of a code on the roll);
    no ballot is counted that no phone saw acknowledged.
    """
    key = secret.encode()
    voters = {str(h): int(str(i)) for i, h in await _rows(url, _VOTERS.format(int(election_id)))}
    link_of_voter = {keyed_hash(key, "link", election_id, voter_id): voter_id for voter_id in voters.values()}
    stored = await _rows(url, _BALLOTS.format(int(election_id)))
    [(election_hash,)] = await _rows(url, _ELECTION_HASH.format(int(election_id)))
    by_link: dict[object, list[tuple[object, ...]]] = {}
    for row in stored:
        by_link.setdefault(row[0], []).append(row)
    problems = []
    acked_links = set()
    for code, ack in sorted(acks.items()):
        voter_id = voters.get(code_hash(key, election_id, code))
        if voter_id is None:
            problems.append(f"acknowledged code {code} has no roll entry")
            continue
        link = keyed_hash(key, "link", election_id, voter_id)
        acked_links.add(link)
        rows = by_link.get(link, [])
        # only the receipt's published ballot id is stored, never the code the phone got
        ballot_id = receipt_ballot_id(str(election_hash), ack.receipt)
        expected = (ballot_id, "counted", "online", json.dumps(list(ack.selections)))
        if [row[1:] for row in rows] != [expected]:
            problems.append(f"code {code}: acknowledged {expected}, stored {[row[1:] for row in rows]}")
    for link, rows in by_link.items():
        counted = [row for row in rows if row[2] == "counted"]
        if counted and link not in link_of_voter:
            problems.append(f"counted ballot {counted[0][1]} has no roll entry behind it")
        elif counted and link not in acked_links:
            problems.append(f"counted ballot {counted[0][1]} was never acknowledged")
    return problems


def expected_allocation(acks: Mapping[str, Ack]) -> object:
    """The allocation of the election's rule on the acknowledged ballots, computed here (tally.registry.allocate)."""
    profile = [Ballot(a.receipt, tuple(ProjectId(p) for p in a.selections), ()) for a in acks.values()]
    return tally_profile(election_from_json(DEFINITION), profile, RULE, {})["allocation"]


async def integrity_problems(url: str) -> list[str]:
    """The database's own integrity checks.

    SQLite: `PRAGMA integrity_check` and `foreign_key_check`. PostgreSQL: amcheck's `bt_index_check` with
    `heapallindexed` on every B-tree index of the schema (each index agrees with its table, so the unique
    constraints really hold), and no duplicate voter link or receipt by direct count.
    """
    if url.startswith("sqlite"):
        integrity = await _rows(url, "PRAGMA integrity_check")
        foreign = await _rows(url, "PRAGMA foreign_key_check")
        return ([] if integrity == [("ok",)] else [f"integrity_check: {integrity}"]) + [
            f"foreign key broken: {row}" for row in foreign
        ]
    problems = [f"duplicate: {row}" for sql in _DUPLICATES for row in await _rows(url, sql)]
    await _rows(url, "CREATE EXTENSION IF NOT EXISTS amcheck")
    checked = await _rows(
        url,
        "SELECT c.relname, bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = 'public'",
    )
    if len(checked) < _MIN_INDEXES:
        problems.append(f"amcheck looked at only {len(checked)} indexes")
    return problems
