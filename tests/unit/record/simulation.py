"""A simulated election, built in pure code from a seeded generator, and the record it publishes.

Online ballots, ballots from two kiosks and two paper batches, two officials signing. The record is produced with
`RULE_ID`; until the real greedy rule is merged, that is a minimal greedy written here for these tests only.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pbvote.ballot import Profile, VoteType
from pbvote.canonical import canonical_bytes
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.record.ballot_lines import Channel, RecordBallot
from pbvote.record.definition import FrozenElection, Official
from pbvote.record.manifest import manifest_body, public_key_bytes, sign
from pbvote.record.receipts import RECEIPT_ALPHABET, receipt_ballot_id
from pbvote.record.reconciliation import Difference, DoubleEntry, ReconciliationEntry, Spoiled
from tally.allocation import Allocation
from tally.options import RuleOptions
from tally.record import freeze, produce_record

RULE_ID = "greedy"

CHANNELS = (
    (Channel.ONLINE, None, 60),
    (Channel.KIOSK, "K1", 15),
    (Channel.KIOSK, "K2", 12),
    (Channel.PAPER, "B1", 20),
    (Channel.PAPER, "B2", 18),
)


def greedy_for_tests(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund projects by approval count, most first, skipping any that no longer fit (tie-break: the options')."""
    support = {p.id: 0 for p in election.projects}
    for ballot in profile:
        for project_id in set(ballot.selections):
            support[project_id] += 1
    rank = options.tie_break.rank(election.projects, support)
    selected: list[ProjectId] = []
    spent = 0
    for project in sorted(election.projects, key=lambda p: (-support[p.id], rank[p.id])):
        if spent + project.cost <= election.budget:
            selected.append(project.id)
            spent += project.cost
    return Allocation(
        "test-greedy",
        {"tie_break": str(options.tie_break)},
        tuple(selected),
        spent,
        election.budget,
        details={"support": dict(support)},
    )


@dataclass(frozen=True, slots=True)
class Simulation:
    """The simulated election and its record."""

    frozen: FrozenElection
    ballots: tuple[RecordBallot, ...]
    codes: Mapping[str, str]  # ballot_id -> receipt code
    reconciliation: tuple[ReconciliationEntry, ...]
    keys: Mapping[str, Ed25519PrivateKey]
    files: Mapping[str, bytes]


def officials_keys(seed: int) -> dict[str, Ed25519PrivateKey]:
    return {
        name: Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest())
        for name in ("alice", "bob")
    }


def simulate(seed: int = 2024) -> Simulation:
    rng = random.Random(seed)
    projects = tuple(Project(ProjectId(f"p{i}"), rng.randint(10, 60) * 1000, f"Project {i}") for i in range(1, 11))
    rules = BallotRules(vote_type=VoteType.APPROVAL, min_length=1, max_length=4)
    election = Election(150_000, projects, rules, currency="EUR", meta={"description": "Simulated town"})
    keys = officials_keys(seed)
    officials = [Official(name, public_key_bytes(key)) for name, key in keys.items()]
    frozen = freeze(election, RULE_ID, RuleOptions(), officials)
    weights = [rng.randint(1, 10) for _ in projects]
    ballots: list[RecordBallot] = []
    codes: dict[str, str] = {}
    for channel, source, count in CHANNELS:
        for _ in range(count):
            code = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(20))
            ballot_id = receipt_ballot_id(frozen.hash, code)
            chosen: set[ProjectId] = set()
            for _ in range(rng.randint(1, 4)):
                chosen.add(rng.choices([p.id for p in projects], weights)[0])
            ballots.append(RecordBallot(ballot_id, channel, tuple(chosen), source=source))
            codes[ballot_id] = code
    reconciliation = (
        ReconciliationEntry(Channel.ONLINE, None, checkins=60, envelopes=None, accepted=60),
        ReconciliationEntry(
            Channel.KIOSK,
            "K1",
            checkins=17,
            envelopes=None,
            accepted=15,
            spoiled=(Spoiled("printer jam", 1),),
            differences=(Difference(1, "a voter checked in and left before casting"),),
        ),
        ReconciliationEntry(Channel.KIOSK, "K2", checkins=12, envelopes=None, accepted=12),
        ReconciliationEntry(
            Channel.PAPER,
            "B1",
            checkins=None,
            envelopes=21,
            accepted=20,
            spoiled=(Spoiled("unreadable marks", 1),),
            double_entry=DoubleEntry.MATCHED,
        ),
        ReconciliationEntry(
            Channel.PAPER, "B2", checkins=None, envelopes=18, accepted=18, double_entry=DoubleEntry.RESOLVED
        ),
    )
    files = produce_record(frozen, ballots, reconciliation, keys)
    return Simulation(frozen, tuple(ballots), codes, reconciliation, keys, files)


def resign(sim: Simulation, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files with a fresh manifest signed by the officials: an insider's tampering, which signatures can't catch."""
    body = {name: data for name, data in files.items() if name != "MANIFEST.json"}
    manifest = sign(manifest_body(body, sim.frozen.hash), sim.frozen.officials, sim.keys)
    return {**body, "MANIFEST.json": canonical_bytes(manifest)}
