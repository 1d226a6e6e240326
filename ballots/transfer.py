"""Moving a whole election between databases (SQLite to PostgreSQL and back) as one canonical JSON file.

The file holds every row that belongs to the election, in id order, column by column: the election (definition,
frozen hash, rule, result), its roll (keyed hashes only), kiosks, paper batches, ballots of every status (counted,
kiosk check-ins still `pending`, `spoiled` and `invalid` papers), both keyings and the resolutions of every paper,
the idempotency keys (a phone retrying across the move still gets its first answer), the participation rows
(what residents declared, `ballots.participation`; in key order, having no id) and the audit log. Staff
tokens that those rows name (who keyed a paper, who did what) move as their SHA-256, never as the token itself,
so the officials' tokens keep working on the new server; no other staff token moves, nor the audit entries tied
to no election (a staff token's creation).

Ids move unchanged: the roll's hashes and the voter links are keyed by the election's and the voter's ids (and
by the server's secret, which must move with the file), so renumbering would cut ballots from their roll entries.
Import therefore refuses an election id, or any row id, the target already uses, and never overwrites anything.
The whole import is one transaction. Times are written in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ballots.store.models import (
    AuditEntry,
    BallotRow,
    ElectionRow,
    IdempotencyRow,
    KioskRow,
    PaperBatchRow,
    PaperEntryRow,
    ParticipationRow,
    StaffTokenRow,
    VoterRow,
)
from pbvote.errors import ConflictError, NotFound, StorageError

__all__ = ["FORMAT", "VERSION", "dump_election", "export_election", "import_election", "load_election"]

FORMAT = "pbvote-election"
VERSION = 1
# In insertion order: each table's foreign keys point only to tables before it (staff first, separately).
_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        ElectionRow,
        VoterRow,
        KioskRow,
        PaperBatchRow,
        BallotRow,
        IdempotencyRow,
        PaperEntryRow,
        ParticipationRow,
        AuditEntry,
    )
)
_STAFF: Table = StaffTokenRow.__table__  # type: ignore[assignment]
_BATCH_IDS = select(PaperBatchRow.id)


def _has_id(table: Table) -> bool:
    return "id" in table.c


def _order(table: Table) -> tuple[Column[Any], ...]:
    """A table's rows in id order; in primary key order for a table without id (`participation`)."""
    return tuple(table.primary_key.columns)


def _owned(table: Table, election_id: int) -> Any:  # noqa: ANN401 -- a SQLAlchemy WHERE clause
    if table.name == "elections":
        return table.c.id == election_id
    if table.name == "paper_entries":
        return table.c.batch_id.in_(_BATCH_IDS.where(PaperBatchRow.election_id == election_id))
    return table.c.election_id == election_id


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return value


def _decode(column: Column[Any], value: object) -> object:
    if value is not None and column.type.python_type is datetime:
        return datetime.fromisoformat(str(value))
    return value


async def dump_election(connection: AsyncConnection, election_id: int) -> dict[str, Any]:
    """The election's rows as a JSON-ready document (read inside the caller's transaction).

    Raises:
        NotFound: no election has this id.
    """
    tables: dict[str, list[dict[str, object]]] = {}
    for table in _TABLES:
        query = select(table).where(_owned(table, election_id)).order_by(*_order(table))
        rows = [{k: _encode(v) for k, v in row.items()} for row in (await connection.execute(query)).mappings()]
        if not _has_id(table):  # text keys: the same order whatever the database's collation
            rows.sort(key=lambda row: [str(row[c.name]) for c in _order(table)])
        tables[table.name] = rows
    if not tables["elections"]:
        raise NotFound(f"no election with id {election_id}")
    staff_ids = {row["staff_id"] for name in ("paper_entries", "audit_log") for row in tables[name]} - {None}
    staff = (await connection.execute(select(_STAFF).where(_STAFF.c.id.in_(staff_ids)).order_by(_STAFF.c.id))).all()
    tables["staff_tokens"] = [{k: _encode(v) for k, v in row._mapping.items()} for row in staff]  # noqa: SLF001 -- Row's public mapping view
    revision = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    return {"format": FORMAT, "version": VERSION, "schema": revision, "election_id": election_id, "tables": tables}


async def export_election(engine: AsyncEngine, election_id: int) -> str:
    """The election as canonical JSON text (sorted keys, one snapshot even while voting goes on)."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="REPEATABLE READ")  # changes it in place
        async with connection.begin():
            document = await dump_election(connection, election_id)
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def load_election(text_: str) -> dict[str, Any]:
    """Parse and check an export file's envelope.

    Raises:
        StorageError: not a pbvote election export, or one of another format version.
    """
    try:
        document = json.loads(text_)
    except json.JSONDecodeError as exc:
        raise StorageError(f"not a JSON file (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StorageError(f'not a pbvote election export (expected "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise StorageError(f"export format version {document.get('version')!r}; this pbvote reads version {VERSION}")
    tables = document.get("tables")
    missing = [t.name for t in (*_TABLES, _STAFF) if not isinstance(tables, dict) or t.name not in tables]
    if missing:
        raise StorageError(f"the export has no table {', '.join(missing)}")
    return document


async def import_election(engine: AsyncEngine, document: Mapping[str, Any]) -> int:
    """Insert an exported election into the (migrated) database behind `engine`; returns its id.

    Raises:
        ConflictError: the election id or a row id is already used there (nothing is overwritten).
        StorageError: the export was made with another schema revision.
    """
    tables: Mapping[str, list[dict[str, Any]]] = document["tables"]
    async with engine.begin() as connection:
        revision = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        if revision != document["schema"]:
            raise StorageError(f"the export has schema {document['schema']}, the target {revision}: upgrade both")
        await _refuse_taken(connection, tables)
        staff_map = await _insert_staff(connection, tables["staff_tokens"])
        for table in _TABLES:
            rows = [_row(table, row, staff_map) for row in tables[table.name]]
            if rows:
                await connection.execute(insert(table), rows)
        if engine.dialect.name == "postgresql":
            for table in (t for t in (*_TABLES, _STAFF) if _has_id(t)):
                await connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}")  # noqa: S608 -- our table names
                )
    return int(document["election_id"])


async def _refuse_taken(connection: AsyncConnection, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    # a table without id (participation) belongs to its election, refused below if taken
    for table in (t for t in _TABLES if _has_id(t)):
        ids = [row["id"] for row in tables[table.name]]
        if not ids:
            continue
        taken = (await connection.execute(select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id))).all()
        if table.name == "elections" and taken:
            raise ConflictError(f"election {ids[0]} already exists in the target database; import never overwrites")
        if taken:
            shown = ", ".join(str(row[0]) for row in taken[:5])
            raise ConflictError(
                f"the target's table {table.name} already uses ids {shown}: import into a database "
                "that holds no rows with these ids (a fresh one, or the one it came from, emptied)"
            )


async def _insert_staff(connection: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Staff rows by token hash: reuse the target's row with the same token, else insert (same id when free)."""
    mapping: dict[int, int] = {}
    for row in rows:
        found = await connection.scalar(select(_STAFF.c.id).where(_STAFF.c.token_hash == row["token_hash"]))
        if found is None:
            values = _row(_STAFF, row, {})
            if await connection.scalar(select(func.count()).where(_STAFF.c.id == row["id"])):
                del values["id"]
            found = (await connection.execute(insert(_STAFF).returning(_STAFF.c.id), [values])).scalar_one()
        mapping[int(row["id"])] = int(found)
    return mapping


def _row(table: Table, row: Mapping[str, Any], staff_map: Mapping[int, int]) -> dict[str, Any]:
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise StorageError(f"table {table.name} has no column {', '.join(sorted(unknown))}")
    values = {column.name: _decode(column, row.get(column.name)) for column in table.c}
    if "staff_id" in values and values["staff_id"] is not None:
        values["staff_id"] = staff_map[cast("int", values["staff_id"])]
    return values
