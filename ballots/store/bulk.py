"""Queries over many rows in one statement, for ballots handled in batches (`ballots.intake.online`).

Each is one round trip to the database whatever the number of rows: a lookup with `IN`, or a multi-row
`INSERT ... ON CONFLICT ... RETURNING` (SQLAlchemy's "insertmanyvalues"). Like `ballots.store.repository`, they run
inside the caller's transaction, never commit, and leave every invariant to the database's unique constraints.

`insert_online_ballots` stores a batch of online ballots with their idempotency keys and participation rows: on
PostgreSQL in one statement (three INSERTs joined by data-modifying CTEs over `unnest` arrays, one prepared statement
whatever the batch size), on SQLite in four over JSON arrays (`json_each`).

On SQLite, a batch's lookup and inserts run on the driver's connection (aiosqlite's), inside the session's
transaction, past SQLAlchemy's statement layer (so past its statement events and `echo`): SQLAlchemy's adapter
makes four hand-offs to aiosqlite's thread per statement, each a wait for a turn of the busy event loop, and a
statement's rows come back one at a time, each a wait of that thread for the interpreter's lock. Here the inserts go
to the thread together (one wait), and what comes back is one row. The driver's errors are raised as SQLAlchemy's,
and the election's columns converted as SQLAlchemy converts them (`tests/integration/store/test_bulk.py`).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.store.engine import take_pending_begin
from ballots.store.models import BallotRow, ElectionRow, IdempotencyRow, ParticipationRow, VoterRow
from ballots.store.repository import REVOTE_COLUMNS, BallotValues, ballot_insert, insert_statement, revote_replaces

__all__ = [
    "Voter",
    "election_and_voters",
    "election_definition",
    "find_idempotents",
    "insert_ballots",
    "insert_idempotents",
    "insert_online_ballots",
    "insert_participation",
    "voter_channels",
]

KeyedAnswer = tuple[str, str, str, str]
"""An idempotency key to claim with the 201 answer given under it: (voter link, key, request digest, body)."""


@dataclass(frozen=True, slots=True)
class Voter:
    """A roll entry as a batch looks it up: the columns intake reads (`models.RollEntry`), no ORM object."""

    id: int
    kind: str
    district: str | None
    birth_year: int | None


_ELECTIONS = ElectionRow.__table__
_VOTERS = VoterRow.__table__
# everything of the election but its definition and result (large; a frozen definition is parsed once per server)
_ELECTION_COLUMNS = tuple(column for column in _ELECTIONS.c if column.key not in {"definition", "result"})
_ELECTION_AND_VOTERS = (
    select(
        *_ELECTION_COLUMNS,
        _VOTERS.c.credential_hash,
        _VOTERS.c.id,
        _VOTERS.c.kind,
        _VOTERS.c.district,
        _VOTERS.c.birth_year,
    )
    .select_from(
        _ELECTIONS.outerjoin(
            _VOTERS,
            (_VOTERS.c.election_id == _ELECTIONS.c.id)
            & _VOTERS.c.credential_hash.in_(bindparam("hashes", expanding=True)),
        )
    )
    .where(_ELECTIONS.c.id == bindparam("election_id"))
)
"""One Core statement, built once: a batch reads plain rows, without the ORM's per-row objects."""

# On SQLite the same lookup runs on the driver's connection (`_sqlite_many`), the hashes as one JSON array, the voters
# as one JSON array in one row: each row SQLite returns costs aiosqlite's thread a wait for the interpreter's lock,
# which the busy event loop holds (measured: 2.5 ms for 32 rows, against 0.1 ms the statement itself)
_SQLITE_ELECTION_AND_VOTERS = f"""
SELECT {", ".join(f"e.{column.name}" for column in _ELECTION_COLUMNS)},
       (SELECT json_group_array(json_array(v.credential_hash, v.id, v.kind, v.district, v.birth_year))
        FROM voters AS v
        WHERE v.election_id = e.id AND v.credential_hash IN (SELECT value FROM json_each(:hashes)))
FROM elections AS e
WHERE e.id = :election_id
"""  # noqa: S608 -- built from the model's own column names, no input


_PROCESSORS: dict[int, list[Callable[[Any], Any] | None]] = {}


def _election_values(session: AsyncSession, values: Sequence[Any]) -> list[Any]:
    """The election's columns as read from the driver, converted as SQLAlchemy converts them (a boolean, a datetime)."""
    dialect = session.get_bind().dialect
    processors = _PROCESSORS.get(id(dialect))
    if processors is None:
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in _ELECTION_COLUMNS]
        _PROCESSORS[id(dialect)] = processors
    return [
        value if process is None or value is None else process(value)
        for process, value in zip(processors, values, strict=True)
    ]


async def _sqlite_many(
    session: AsyncSession, statements: Sequence[tuple[str, Mapping[str, Any]]], *, reads: bool = False
) -> list[list[tuple[Any, ...]]]:
    """Run statements in order on the session's SQLite connection, in its transaction, with one wait for all.

    SQLAlchemy's aiosqlite adapter makes four hand-offs of a statement (the cursor, the execute, the fetch and the
    close), each a wait for a turn of the event loop; aiosqlite runs what it is handed one after the other, in
    order, on its one thread. A transaction's BEGIN IMMEDIATE still to send (`engine.take_pending_begin`) goes with
    `reads` (after a BEGIN that failed they write nothing), and before any other statements, on its own. Each
    statement runs even if one before failed (the caller's transaction is then rolled back); the first failure is
    raised after all ran, as SQLAlchemy's (`DBAPIError` and its subclasses).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:
        raise RuntimeError("the session's connection is closed")
    begin = take_pending_begin(raw)
    if begin and not reads:  # a statement after a failed BEGIN would run outside the transaction
        await _sqlite_many(session, [("BEGIN IMMEDIATE", {})], reads=True)
    elif begin:
        statements = [("BEGIN IMMEDIATE", {}), *statements]
    # gather starts the calls in order, each handing its statement to the thread before the next starts
    results = await asyncio.gather(
        *(driver.execute_fetchall(sql, parameters) for sql, parameters in statements), return_exceptions=True
    )
    for (sql, parameters), result in zip(statements, results, strict=True):
        if isinstance(result, sqlite3.Error):
            raise DBAPIError.instance(sql, dict(parameters), result, sqlite3.Error) from result
        if isinstance(result, BaseException):
            raise result
    rows = [[tuple(row) for row in result] for result in results if not isinstance(result, BaseException)]
    return rows[1:] if begin and reads else rows


async def election_and_voters(
    session: AsyncSession, election_id: int, hashes: Sequence[str]
) -> tuple[ElectionRow, dict[str, Voter]] | None:
    """The election's row and the roll entries with these keyed credential hashes, in one statement.

    The election comes as a transient `ElectionRow` (not in the session) without its `definition`: a frozen
    election's definition is parsed once per server (`ballots.context.Intake.election`); `election_definition`
    reads it when needed.

    Returns:
        `None` if there is no such election; else its row and the entries found, by hash.
    """
    wanted = sorted(set(hashes))
    if session.get_bind().dialect.name == "sqlite":
        parameters = {"election_id": election_id, "hashes": json.dumps(wanted)}
        (found,) = await _sqlite_many(session, [(_SQLITE_ELECTION_AND_VOTERS, parameters)], reads=True)
        if not found:
            return None
        *columns, entries = found[0]
        values, voters = _election_values(session, columns), json.loads(entries)
    else:
        connection = await session.connection()
        result = await connection.execute(_ELECTION_AND_VOTERS, {"election_id": election_id, "hashes": wanted})
        rows = result.all()
        if not rows:
            return None
        width = len(_ELECTION_COLUMNS)
        values, voters = list(rows[0][:width]), [row[width:] for row in rows if row[width] is not None]
    election = ElectionRow(**{column.key: value for column, value in zip(_ELECTION_COLUMNS, values, strict=True)})
    return election, {credential_hash: Voter(*entry) for credential_hash, *entry in voters}


async def election_definition(session: AsyncSession, election_id: int) -> str:
    """An election's definition (canonical JSON), for a row read without it (`election_and_voters`)."""
    definition: str = (
        await session.execute(select(ElectionRow.definition).where(ElectionRow.id == election_id))
    ).scalar_one()
    return definition


async def insert_ballots(session: AsyncSession, rows: Sequence[BallotValues], *, replace: bool) -> set[str]:
    """Insert ballots of distinct voters, as `repository.insert_ballot` does each.

    Returns:
        The voter links whose ballot was stored; a voter missing from it already has a row, left as it was.
    """
    if not rows:
        return set()
    if len({row.voter_link for row in rows}) != len(rows):
        raise ValueError("insert_ballots needs ballots of distinct voters")  # one statement may not hit a row twice
    connection = await session.connection()
    statement = ballot_insert(session, replace=replace)
    result = await connection.execute(statement, [row.as_row() for row in rows])
    return {link for (link,) in result.all() if link is not None}


async def voter_channels(session: AsyncSession, election_id: int, links: Sequence[str]) -> dict[str, str]:
    """The channel of the row each of these voters already has (a ballot or a kiosk check-in), by voter link."""
    if not links:
        return {}
    query = select(BallotRow.voter_link, BallotRow.channel).where(
        BallotRow.election_id == election_id, BallotRow.voter_link.in_(set(links))
    )
    return {link: channel for link, channel in (await session.execute(query)).all() if link is not None}


async def find_idempotents(session: AsyncSession, election_id: int, keys: Sequence[str]) -> dict[str, IdempotencyRow]:
    """The answers stored under these idempotency keys, by key (keys never used are absent)."""
    if not keys:
        return {}
    if session.get_bind().dialect.name == "sqlite":  # on the driver, as one row (see `_SQLITE_ELECTION_AND_VOTERS`)
        parameters = {"election_id": election_id, "keys": json.dumps(sorted(set(keys)))}
        (((found,),),) = await _sqlite_many(session, [(_SQLITE_IDEMPOTENTS, parameters)], reads=True)
        return {
            key: IdempotencyRow(
                id=row_id, election_id=election_id, key=key, request_digest=digest, status_code=status, body=body
            )
            for row_id, key, digest, status, body in json.loads(found)
        }
    query = select(IdempotencyRow).where(IdempotencyRow.election_id == election_id, IdempotencyRow.key.in_(set(keys)))
    return {row.key: row for row in (await session.execute(query)).scalars()}


_SQLITE_IDEMPOTENTS = """
SELECT json_group_array(json_array(id, key, request_digest, status_code, body)) FROM idempotency_keys
WHERE key IN (SELECT value FROM json_each(:keys)) AND election_id = :election_id
"""


async def insert_idempotents(
    session: AsyncSession, election_id: int, answers: Sequence[tuple[str, str, str]]
) -> set[str]:
    """Claim idempotency keys with the 201 answers given under them: (key, request digest, body) each.

    Returns:
        The keys claimed; a key missing from it was claimed first by a concurrent request.
    """
    if not answers:
        return set()
    rows = _key_rows(election_id, sorted(answers))
    statement = insert_statement(session, IdempotencyRow.__table__).on_conflict_do_nothing()  # type: ignore[arg-type]
    connection = await session.connection()
    result = await connection.execute(statement.returning(IdempotencyRow.key), rows)
    return {key for (key,) in result.all()}


def _key_rows(election_id: int, answers: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """`idempotency_keys` rows for 201 answers given under keys: (key, request digest, body) each."""
    return [
        {"election_id": election_id, "key": key, "request_digest": digest, "status_code": 201, "body": body}
        for key, digest, body in answers
    ]


async def insert_participation(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert participation rows (`ParticipationRow` columns); a resident already recorded is left as it was."""
    if not rows:
        return
    statement = insert_statement(session, ParticipationRow.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
        index_elements=["election_id", "voter_key"]
    )
    await session.execute(statement, list(rows))


async def insert_online_ballots(
    session: AsyncSession,
    election_id: int,
    ballots: Sequence[BallotValues],
    *,
    keys: Sequence[KeyedAnswer],
    participants: Sequence[tuple[str, Mapping[str, Any]]],
    replace: bool,
) -> set[str]:
    """Insert online ballots of distinct voters (as `insert_ballots`), with the keys and participation of those stored.

    `keys` are claimed, and `participants` (voter link, `ParticipationRow` columns) recorded, only for the voters
    whose ballot was stored. A key is inserted without `ON CONFLICT`: a key claimed by a concurrent transaction fails
    the statement (a unique violation), and with it the caller's transaction. Rows are written ballots first, then
    keys (sorted), then participation, as on every other path.

    Returns:
        The voter links whose ballot was stored; a voter missing from it already has a row, left as it was.
    """
    if not ballots:
        return set()
    if len({row.voter_link for row in ballots}) != len(ballots):
        raise ValueError("insert_online_ballots needs ballots of distinct voters")
    if any(row.channel != "online" or row.status != "counted" or row.client_uuid is not None for row in ballots):
        raise ValueError("insert_online_ballots stores counted online ballots only")
    if any(row["channel"] != "online" for _, row in participants):
        raise ValueError("insert_online_ballots records online participation only")
    keys = sorted(keys, key=lambda answer: answer[1])
    if session.get_bind().dialect.name == "postgresql":
        return await _insert_online_postgresql(session, election_id, ballots, keys, participants, replace=replace)
    return await _insert_online_sqlite(session, election_id, ballots, keys, participants, replace=replace)


_ONLINE_BALLOTS_SQL = """
WITH stored AS (
    INSERT INTO ballots (election_id, voter_link, ballot_id, channel, status, district, selections, points)
    SELECT :election_id, b.voter_link, b.ballot_id, 'online', 'counted', b.district, b.selections, b.points
    FROM unnest(
        CAST(:links AS text[]), CAST(:ballot_ids AS text[]), CAST(:districts AS text[]),
        CAST(:selections AS text[]), CAST(:points AS text[])
    ) WITH ORDINALITY AS b(voter_link, ballot_id, district, selections, points, n)
    ORDER BY b.n
    {on_conflict}
    RETURNING voter_link
), claimed AS (
    INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body)
    SELECT :election_id, k.key, k.digest, 201, k.body
    FROM unnest(
        CAST(:key_links AS text[]), CAST(:keys AS text[]), CAST(:digests AS text[]), CAST(:bodies AS text[])
    ) WITH ORDINALITY AS k(voter_link, key, digest, body, n)
    WHERE k.voter_link IN (SELECT voter_link FROM stored)
    ORDER BY k.n
), participated AS (
    INSERT INTO participation (election_id, voter_key, district, channel, gender, age_group)
    SELECT :election_id, p.voter_key, p.district, 'online', p.gender, p.age_group
    FROM unnest(
        CAST(:participant_links AS text[]), CAST(:voter_keys AS text[]), CAST(:participant_districts AS text[]),
        CAST(:genders AS text[]), CAST(:age_groups AS text[])
    ) WITH ORDINALITY AS p(voter_link, voter_key, district, gender, age_group, n)
    WHERE p.voter_link IN (SELECT voter_link FROM stored)
    ORDER BY p.n
    ON CONFLICT (election_id, voter_key) DO NOTHING
)
SELECT voter_link FROM stored
"""
# the conflict rules of `repository.ballot_insert`, from the same definitions: a voter's row stands, unless re-voting
# replaces a counted online ballot
_KEEP = "ON CONFLICT (election_id, voter_link) DO NOTHING"
# SQLAlchemy's dialect classes are untyped
_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]


def _on_conflict(dialect: Dialect, *, replace: bool) -> str:
    """The ballots' `ON CONFLICT` clause in `dialect`: keep the voter's row, or let a re-vote replace it."""
    if not replace:
        return _KEEP
    condition = revote_replaces().compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    changes = ", ".join(f"{column} = excluded.{column}" for column in REVOTE_COLUMNS)
    return f"ON CONFLICT (election_id, voter_link) DO UPDATE SET {changes} WHERE {condition}"


_ONLINE_STATEMENTS = {
    replace: text(_ONLINE_BALLOTS_SQL.format(on_conflict=_on_conflict(_POSTGRESQL, replace=replace)))
    for replace in (False, True)
}


async def _insert_online_postgresql(
    session: AsyncSession,
    election_id: int,
    ballots: Sequence[BallotValues],
    keys: Sequence[KeyedAnswer],
    participants: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    replace: bool,
) -> set[str]:
    parameters = {
        "election_id": election_id,
        "links": [row.voter_link for row in ballots],
        "ballot_ids": [row.ballot_id for row in ballots],
        "districts": [row.district for row in ballots],
        "selections": [row.selections for row in ballots],
        "points": [row.points for row in ballots],
        "key_links": [link for link, _, _, _ in keys],
        "keys": [key for _, key, _, _ in keys],
        "digests": [digest for _, _, digest, _ in keys],
        "bodies": [body for _, _, _, body in keys],
        "participant_links": [link for link, _ in participants],
        "voter_keys": [row["voter_key"] for _, row in participants],
        "participant_districts": [row["district"] for _, row in participants],
        "genders": [row["gender"] for _, row in participants],
        "age_groups": [row["age_group"] for _, row in participants],
    }
    connection = await session.connection()  # Core, past the ORM's statement handling
    result = await connection.execute(_ONLINE_STATEMENTS[replace], parameters)
    return {link for (link,) in result.all() if link is not None}


# SQLite has no data-modifying CTEs: four statements (the keys' only when there are keys), each over one JSON
# array (`json_each`), on the driver's connection. "WHERE true" keeps SQLite's parser from reading the upsert's ON
# as a join's.
_SQLITE_BALLOTS_SQL = """
INSERT INTO ballots (election_id, voter_link, ballot_id, channel, status, district, selections, points)
SELECT :election_id, json_extract(b.value, '$[0]'), json_extract(b.value, '$[1]'), 'online', 'counted',
       json_extract(b.value, '$[2]'), json_extract(b.value, '$[3]'), json_extract(b.value, '$[4]')
FROM json_each(:rows) AS b
WHERE true
ORDER BY b.key
{on_conflict}
"""
# the voters whose ballot this batch stored (inserted, or a re-vote's replacement): one row, as for the lookup
_SQLITE_STORED_SQL = """
SELECT json_group_array(voter_link) FROM ballots
WHERE ballot_id IN (SELECT json_extract(value, '$[1]') FROM json_each(:rows))
"""
_SQLITE = sqlite.dialect()
_SQLITE_ONLINE_BALLOTS = {
    replace: _SQLITE_BALLOTS_SQL.format(on_conflict=_on_conflict(_SQLITE, replace=replace)) for replace in (False, True)
}
# keys and participation only of the ballots this batch stored: those whose new ballot_id is in the table now (a
# ballot_id is a fresh hash; a re-vote writes it into the voter's row), so both statements can go with the ballots'
_STORED = "EXISTS (SELECT 1 FROM ballots WHERE ballots.ballot_id = json_extract({row}.value, '$[0]'))"
_SQLITE_KEYS_SQL = f"""
INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body)
SELECT :election_id, json_extract(k.value, '$[1]'), json_extract(k.value, '$[2]'), 201, json_extract(k.value, '$[3]')
FROM json_each(:rows) AS k
WHERE {_STORED.format(row="k")}
ORDER BY k.key
"""  # noqa: S608 -- built from constants, no input
_SQLITE_PARTICIPATION_SQL = f"""
INSERT INTO participation (election_id, voter_key, district, channel, gender, age_group)
SELECT :election_id, json_extract(p.value, '$[1]'), json_extract(p.value, '$[2]'), 'online',
       json_extract(p.value, '$[3]'), json_extract(p.value, '$[4]')
FROM json_each(:rows) AS p
WHERE {_STORED.format(row="p")}
ORDER BY p.key
ON CONFLICT (election_id, voter_key) DO NOTHING
"""  # noqa: S608 -- built from constants, no input


async def _insert_online_sqlite(
    session: AsyncSession,
    election_id: int,
    ballots: Sequence[BallotValues],
    keys: Sequence[KeyedAnswer],
    participants: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    replace: bool,
) -> set[str]:
    ballot_ids = {b.voter_link: b.ballot_id for b in ballots}
    rows = json.dumps([[b.voter_link, b.ballot_id, b.district, b.selections, b.points] for b in ballots])
    statements: list[tuple[str, Mapping[str, Any]]] = [
        (_SQLITE_ONLINE_BALLOTS[replace], {"election_id": election_id, "rows": rows}),
        (_SQLITE_STORED_SQL, {"rows": rows}),
    ]
    if keys:
        claimed = [[ballot_ids[link], key, digest, body] for link, key, digest, body in keys]
        statements.append((_SQLITE_KEYS_SQL, {"election_id": election_id, "rows": json.dumps(claimed)}))
    if participants:
        recorded = [
            [ballot_ids[link], row["voter_key"], row["district"], row["gender"], row["age_group"]]
            for link, row in participants
        ]
        statements.append((_SQLITE_PARTICIPATION_SQL, {"election_id": election_id, "rows": json.dumps(recorded)}))
    _, ((links,),), *_ = await _sqlite_many(session, statements)  # all handed to the thread at once
    return {link for link in json.loads(links) if link is not None}
