"""`election.json`: the definition frozen when voting opens, whose SHA-256 is the `election_hash`.

The file is the canonical JSON object of `pbvote.canonical.election_to_json` (budget, projects with integer costs,
districts, ballot rules, meta) with two more top-level fields:

- `tally`: `{"rule": <rule id>, "options": {<every rule option, as JSON>}, "engine": "pbvote <version>"}`; the
  options include the tie-break order, so the rule can be rerun exactly;
- `officials`: `[{"name": ..., "public_key": <raw Ed25519 public key, hex>}]`, the keys that sign `MANIFEST.json`.

The `election_hash` is SHA-256 of exactly the bytes of `election.json`, which equals
`pbvote.canonical.election_hash(election, frozen)` with `frozen` the two fields above. Receipts, commitments, the
manifest and the result all quote it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pbvote import __version__
from pbvote.canonical import JsonValue, canonical_bytes, election_from_json, election_hash, election_to_json
from pbvote.election import Election
from pbvote.errors import InvalidElection, RecordError

__all__ = ["ENGINE", "FrozenElection", "Official", "parse_election_file"]

ENGINE = f"pbvote {__version__}"
"""The engine name and version recorded in `election.json`."""

_KEY_SIZE = 32


@dataclass(frozen=True, slots=True)
class Official:
    """An election official whose Ed25519 public key was published when voting opened.

    Attributes:
        name: how the official is named in the record.
        public_key: the raw 32-byte Ed25519 public key.
    """

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        """Refuse a key that is not an Ed25519 public key."""
        if not self.name:
            raise ValueError("an official has an empty name")
        if len(self.public_key) != _KEY_SIZE:
            raise ValueError(f"official {self.name!r}: an Ed25519 public key has 32 bytes, not {len(self.public_key)}")


@dataclass(frozen=True, slots=True)
class FrozenElection:
    """Everything fixed when voting opens: the definition, the rule with all its options, the officials' keys.

    Attributes:
        election: the definition.
        rule: the rule id in `tally.registry.RULES`.
        options: every rule option as JSON (`tally.record.options_to_json` writes them).
        officials: the officials who sign the record.
        engine: the engine name and version.
    """

    election: Election
    rule: str
    options: Mapping[str, JsonValue]
    officials: tuple[Official, ...] = ()
    engine: str = ENGINE
    _hash: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Refuse officials named twice or sharing a key; compute the hash once."""
        names = [o.name for o in self.officials]
        keys = [o.public_key for o in self.officials]
        if len(set(names)) != len(names) or len(set(keys)) != len(keys):
            raise ValueError("each official must have a name and a key of their own")
        object.__setattr__(self, "_hash", election_hash(self.election, self.frozen_fields()))

    def frozen_fields(self) -> dict[str, JsonValue]:
        """The `tally` and `officials` fields added to the definition."""
        return {
            "tally": {"rule": self.rule, "options": dict(self.options), "engine": self.engine},
            "officials": [{"name": o.name, "public_key": o.public_key.hex()} for o in self.officials],
        }

    def to_json(self) -> dict[str, JsonValue]:
        """The object `election.json` holds."""
        return {**election_to_json(self.election), **self.frozen_fields()}

    def to_bytes(self) -> bytes:
        """The bytes of `election.json`."""
        return canonical_bytes(self.to_json())

    @property
    def hash(self) -> str:
        """The `election_hash`: SHA-256 (hex) of `to_bytes()`."""
        return self._hash


def parse_election_file(data: bytes) -> FrozenElection:
    """Read `election.json`.

    Raises:
        RecordError: naming the field that is missing or wrong.
    """
    try:
        document = json.loads(data.decode("utf-8"))
        tally = document["tally"]
        officials = tuple(
            Official(str(o["name"]), bytes.fromhex(str(o["public_key"]))) for o in document.get("officials", [])
        )
        return FrozenElection(
            election=election_from_json(document),
            rule=str(tally["rule"]),
            options=dict(tally.get("options", {})),
            officials=officials,
            engine=str(tally.get("engine", "")),
        )
    except InvalidElection as exc:
        raise RecordError(f"election.json: {exc}") from exc
    except KeyError as exc:
        raise RecordError(f"election.json: no {exc.args[0]!r} field") from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise RecordError(f"election.json: {exc}") from exc
