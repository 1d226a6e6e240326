"""Canonical JSON and the election definition in it, whose SHA-256 is the published `election_hash`.

Canonical means: sorted keys, no insignificant white space, UTF-8, integers only (no floats), so the same
definition gives the same bytes on every machine and in every language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pbvote.ballot import VoteType
from pbvote.election import BallotRules, Election
from pbvote.errors import InvalidElection
from pbvote.project import Project, ProjectId

__all__ = ["JsonValue", "canonical_bytes", "canonical_json", "election_from_json", "election_hash", "election_to_json"]

JsonValue = None | bool | int | str | list["JsonValue"] | dict[str, "JsonValue"]

_LIMITS = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


def canonical_json(value: JsonValue) -> str:
    """Canonical JSON text.

    >>> canonical_json({"b": [1, "x"], "a": "é"})
    '{"a":"é","b":[1,"x"]}'
    """
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_bytes(value: JsonValue) -> bytes:
    """Canonical JSON as UTF-8 bytes: what is hashed and signed."""
    return canonical_json(value).encode("utf-8")


def _refuse_floats(value: object) -> None:
    if isinstance(value, float):
        msg = f"canonical JSON holds no floats ({value!r}); use integers or exact fractions as text"
        raise TypeError(msg)
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)


def election_to_json(election: Election) -> dict[str, JsonValue]:
    """The election definition as a JSON object (everything a rule or a ballot check reads)."""
    rules = election.ballot_rules
    limits: dict[str, JsonValue] = {k: getattr(rules, k) for k in _LIMITS if getattr(rules, k) is not None}
    return {
        "budget": election.budget,
        "currency": election.currency,
        "rule": election.rule,
        "districts": dict(election.districts),
        "meta": dict(election.meta),
        "ballot_rules": {
            "vote_type": rules.vote_type.value,
            **limits,
            "max_cost_per_category": dict(rules.max_cost_per_category),
        },
        "projects": [
            {
                "id": p.id,
                "cost": p.cost,
                "name": p.name,
                "category": list(p.category),
                "district": p.district,
                "extra": dict(p.extra),
            }
            for p in election.projects
        ],
    }


def election_from_json(data: Mapping[str, Any]) -> Election:
    """Rebuild an election from `election_to_json`'s form.

    Raises:
        InvalidElection: naming the field that is missing or wrong.
    """
    try:
        raw_rules = data["ballot_rules"]
        rules = BallotRules(
            vote_type=VoteType(raw_rules["vote_type"]),
            max_cost_per_category=dict(raw_rules.get("max_cost_per_category", {})),
            **{k: int(raw_rules[k]) for k in _LIMITS if raw_rules.get(k) is not None},
        )
        projects = tuple(
            Project(
                id=ProjectId(str(p["id"])),
                cost=_integer(p["cost"], f"projects[{i}].cost"),
                name=str(p.get("name", "")),
                category=tuple(p.get("category", ())),
                district=p.get("district"),
                extra=dict(p.get("extra", {})),
            )
            for i, p in enumerate(data["projects"])
        )
        return Election(
            budget=_integer(data["budget"], "budget"),
            projects=projects,
            ballot_rules=rules,
            currency=str(data.get("currency", "")),
            rule=data.get("rule"),
            meta=dict(data.get("meta", {})),
            districts={str(k): _integer(v, f"districts.{k}") for k, v in dict(data.get("districts", {})).items()},
        )
    except KeyError as exc:
        raise InvalidElection(f"the election definition has no {exc.args[0]!r} field") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidElection(f"the election definition is malformed: {exc}") from exc


def _integer(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidElection(f"{where} must be an integer, not {value!r}")
    return value


def election_hash(election: Election, frozen: Mapping[str, JsonValue] | None = None) -> str:
    """SHA-256 (hex) of the election definition's canonical JSON: the published `election_hash`.

    Args:
        election: the definition.
        frozen: top-level fields frozen with the definition when voting opens (the published record's `tally`:
            rule, options and engine; its `officials`); the hash is then that of the record's `election.json`,
            `{**election_to_json(election), **frozen}`.

    Raises:
        ValueError: when a frozen field would replace a field of the definition.
    """
    document = election_to_json(election)
    clash = sorted(set(document) & set(frozen or {}))
    if clash:
        raise ValueError(f"frozen fields {clash} would replace the election definition's own")
    return hashlib.sha256(canonical_bytes({**document, **(frozen or {})})).hexdigest()
