"""The participation table on SQLite and PostgreSQL: once per resident, in one statement, nothing tied to ballots."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ballots.participation import (
    Participation,
    ParticipationCount,
    participation_turnout,
    record_participation,
)
from ballots.store.engine import make_engine, make_sessionmaker
from ballots.store.migrate import downgrade, upgrade
from tests.integration.store.test_schema import add_election

pytestmark = pytest.mark.anyio


@pytest.fixture(name="engine")
async def fx_engine(db_url):
    engine = make_engine(db_url, null_pool=True)
    async with engine.begin() as connection:
        await add_election(connection)
    yield engine
    await engine.dispose()


def entry(key, district="north", channel="online", gender=None, age_group=None):
    return Participation(1, key, district, channel, gender, age_group)


async def test_one_statement_records_many_residents(engine):
    statements = []

    def seen(_conn, _cursor, statement, _parameters, _context, executemany):
        if "participation" in statement:
            statements.append((statement.split("(")[0].strip(), executemany))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as session:
        await record_participation(session, [entry(f"k{n}", gender="female") for n in range(25)])
        await record_participation(session, [])  # nothing to record: no statement
    event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert statements == [("INSERT INTO participation", True)]
    async with sessions.begin() as session:
        assert await participation_turnout(session, 1) == [ParticipationCount("north", "online", "female", None, 25)]


async def test_a_resident_who_comes_back_is_counted_once_as_first_recorded(engine):
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as session:
        await record_participation(session, [entry("a", gender="female", age_group="30-44"), entry("b")])
    async with sessions.begin() as session:  # "a" re-votes, saying something else; "c" is new
        await record_participation(session, [entry("a", gender="male"), entry("c", channel="kiosk", gender="other")])
    async with sessions.begin() as session:
        counts = await participation_turnout(session, 1)
    # hand-worked: a (female, 30-44, as first recorded), b (not said), c (kiosk, other); NULLs sort apart by database
    assert set(counts) == {
        ParticipationCount("north", "kiosk", "other", None, 1),
        ParticipationCount("north", "online", None, None, 1),
        ParticipationCount("north", "online", "female", "30-44", 1),
    }
    assert sum(c.residents for c in counts) == 3


async def test_participation_shares_no_key_with_ballots_and_keeps_no_order(engine):
    async with engine.connect() as connection:

        def describe(sync):
            inspector = inspect(sync)
            return (
                {c["name"] for c in inspector.get_columns("participation")},
                {c["name"] for c in inspector.get_columns("ballots")},
                inspector.get_pk_constraint("participation")["constrained_columns"],
            )

        participation, ballots, primary_key = await connection.run_sync(describe)
    # only the election, the district and the channel are common; no id, no time, no voter link
    assert participation & ballots == {"election_id", "district", "channel"}
    assert participation == {"election_id", "voter_key", "district", "channel", "gender", "age_group"}
    assert primary_key == ["election_id", "voter_key"]
    if engine.dialect.name == "sqlite":  # a WITHOUT ROWID table: no hidden insertion counter either
        with pytest.raises(DBAPIError, match="rowid"):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT rowid FROM participation"))


@pytest.mark.parametrize(
    "values",
    [
        "1, 'k', NULL, 'paper', NULL, NULL",
        "1, 'k', NULL, 'online', 'woman', NULL",
        "1, 'k', NULL, 'online', NULL, '40-50'",
        "2, 'k', NULL, 'online', NULL, NULL",  # no election 2
    ],
)
async def test_the_database_refuses_values_outside_the_lists(engine, values):
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text(f"INSERT INTO participation VALUES ({values})"))  # noqa: S608 -- fixed


async def test_migration_0003_goes_down_and_up(engine):
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM elections"))
    await downgrade(engine, "0002")

    async def tables():
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))

    assert "participation" not in await tables()
    await upgrade(engine, "0003")
    assert "participation" in await tables()
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == "0003"
