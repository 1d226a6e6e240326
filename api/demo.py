"""`pbvote demo`: a fresh SQLite database with a seeded, open demo election, then the server.

The election is modelled on a Bogotá locality: five investment lines (categories), four projects each, a cap on
what one ballot may spend in each line, a small voter roll of census residents and printed voting codes.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from api.commands import serve
from ballots import elections as service
from ballots.context import Intake
from ballots.ratelimit import FailureLimiter
from ballots.staff import create_token
from ballots.store.engine import make_engine, make_sessionmaker
from ballots.store.migrate import upgrade
from pbvote.ballot import VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from tally.registry import RULES

__all__ = ["DemoSeed", "demo_election", "pick_rule", "run", "seed"]

_LINES = {
    "education": ("School library", "Robotics club", "Adult literacy", "Homework centre"),
    "environment": ("Wetland restoration", "Tree planting", "Recycling point", "Community garden"),
    "mobility": ("Safe crossings", "Bike lanes", "Bus shelters", "Stair lighting"),
    "culture": ("Street festival", "Music school", "Mural programme", "Film nights"),
    "security": ("Park lighting", "Neighbourhood watch", "Women's safe routes", "Youth mediation"),
}
_COSTS = (120, 90, 60, 45)
_PREFERRED_RULES = ("greedy", "greedy-cost", "mes", "mes-cost")
_CENSUS = "identifier,district,birth_year\n" + "".join(f"CC-{1000 + i},,{1960 + 3 * i}\n" for i in range(10))


def demo_election() -> Election:
    """Twenty projects in five investment lines; a ballot picks at most five, at most 150 per line."""
    projects = tuple(
        Project(ProjectId(f"{line[:3]}-{n + 1}"), cost * 1_000_000, name, (line,))
        for line, names in _LINES.items()
        for n, (name, cost) in enumerate(zip(names, _COSTS, strict=True))
    )
    rules = BallotRules(
        vote_type=VoteType.APPROVAL,
        min_length=1,
        max_length=5,
        max_cost_per_category=dict.fromkeys(_LINES, 150000000),
    )
    return Election(budget=600_000_000, projects=projects, ballot_rules=rules, currency="COP")


def pick_rule() -> str:
    """The rule the demo runs: greedy if registered, else the first registered rule.

    Raises:
        RuntimeError: when no rule is registered at all.
    """
    for rule in _PREFERRED_RULES:
        if rule in RULES:
            return rule
    if not RULES:
        raise RuntimeError("no allocation rule is registered in tally.registry.RULES")
    return min(RULES)


@dataclass(frozen=True, slots=True)
class DemoSeed:
    """What the demo prints: the election, its codes, the census residents and the staff tokens."""

    election_id: int
    election_hash: str
    codes: list[str]
    census: list[tuple[str, int]]
    tokens: dict[str, str]


async def seed(url: str, secret: str) -> DemoSeed:
    """Migrate the database and seed an open demo election with 20 codes and 10 census residents."""
    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
        intake = Intake(make_sessionmaker(engine), secret.encode(), FailureLimiter(max_failures=5, window=300))
        tokens = {
            role: await create_token(intake.sessions, role, f"demo {role}")
            for role in ("admin", "official", "observer")
        }
        row = await service.create_election(
            intake, None, name="Ciudad Bolívar 2026 (demo)", election=demo_election(), rule=pick_rule(), rule_options={}
        )
        codes = await service.generate_codes(intake, None, row.id, 20, None)
        await service.import_census(intake, None, row.id, _CENSUS)
        opened = await service.open_election(intake, None, row.id)
    finally:
        await engine.dispose()
    census = [(f"CC-{1000 + i}", 1960 + 3 * i) for i in range(10)]
    return DemoSeed(row.id, opened.election_hash or "", codes, census, tokens)


def _example_ballot(code: str) -> str:
    return json.dumps({"credential": {"kind": "code", "value": code}, "selections": ["edu-1", "env-3"]})


def run(url: str, host: str, port: int, *, serve_after: bool = True) -> int:
    """Recreate the demo database, seed it, print how to try it, and serve it."""
    database = make_url(url).database
    if url.startswith("sqlite") and database:
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    secret = secrets.token_hex(32)
    try:
        demo = asyncio.run(seed(url, secret))
    except RuntimeError as exc:
        print(f"pbvote demo: {exc}", file=sys.stderr)  # noqa: T201 -- CLI output
        return 2
    base = f"http://{host}:{port}"
    lines = [
        f"Demo election {demo.election_id} is open (election_hash {demo.election_hash}).",
        f"  vote (residents, with a voting code below):  {base}/vote/{demo.election_id}",
        f"  kiosk (officials, with the official's token): {base}/kiosk",
        f"  results (after close and tally):              {base}/results/{demo.election_id}",
        f"  live turnout:                                 {base}/turnout/{demo.election_id}",
        f"  election:  {base}/api/v1/elections/{demo.election_id}",
        f"  turnout:   {base}/api/v1/elections/{demo.election_id}/turnout",
        f"  API docs:  {base}/schema",
        f"  vote:      curl -X POST {base}/api/v1/elections/{demo.election_id}/ballots \\",
        "               -H 'Content-Type: application/json' \\",
        f"               -d '{_example_ballot(demo.codes[0])}'",
        "Voting codes: " + ", ".join(demo.codes),
        "Census residents (identifier, birth year): " + ", ".join(f"{i} {y}" for i, y in demo.census),
        *(f"Staff token ({role}): {token}" for role, token in demo.tokens.items()),
    ]
    print("\n".join(lines))  # noqa: T201 -- CLI output
    if serve_after:
        serve(url, secret, host, port)
    return 0
