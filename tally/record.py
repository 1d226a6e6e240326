"""Producing a published election record: freeze the rule's options, run the rule, build the files.

The API calls `freeze` when voting opens (its `.hash` is the `election_hash` receipts are derived from) and
`produce_record` after the count; both are pure. Rule options sit in `election.json` as JSON: every field of
`RuleOptions`, enums as their values, the tie-break as its text (`min-cost,max-support,id`), unset ones as null.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from enum import Enum
from types import NoneType, UnionType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pbvote.ballot import Ballot
from pbvote.canonical import JsonValue
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions, UnknownRule
from pbvote.record.ballot_lines import RecordBallot
from pbvote.record.build import build_record, record_files
from pbvote.record.definition import ENGINE, FrozenElection, Official
from pbvote.record.reconciliation import ReconciliationEntry
from pbvote.tiebreak import TieBreak
from tally.allocation import Allocation
from tally.options import RuleOptions
from tally.registry import RULES, allocate

__all__ = ["freeze", "options_from_json", "options_to_json", "produce_record", "produce_unsigned_record", "rerun"]


def options_to_json(options: RuleOptions) -> dict[str, JsonValue]:
    """Every option as JSON.

    >>> options_to_json(RuleOptions())["tie_break"]
    'min-cost,max-support,id'
    """
    result: dict[str, JsonValue] = {}
    for item in dataclasses.fields(options):
        value = getattr(options, item.name)
        if isinstance(value, TieBreak):
            result[item.name] = str(value)
        elif isinstance(value, Enum):
            result[item.name] = value.value
        elif value is None or isinstance(value, bool | int | str):
            result[item.name] = value
        else:
            raise TypeError(f"rule option {item.name} holds {value!r}, which has no JSON form")
    return result


def options_from_json(data: Mapping[str, Any]) -> RuleOptions:
    """The options `options_to_json` wrote; missing ones take their defaults.

    Raises:
        InvalidRuleOptions: naming an unknown option or a value of the wrong kind.
    """
    hints = typing.get_type_hints(RuleOptions)
    known = {item.name for item in dataclasses.fields(RuleOptions)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidRuleOptions(f"unknown rule option {unknown[0]!r}; known: {', '.join(sorted(known))}")
    values = {name: _option_value(name, hints[name], value) for name, value in data.items()}
    return RuleOptions(**values)


def _option_value(name: str, hint: object, value: object) -> Any:  # noqa: ANN401 -- the option's own type
    union = isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union
    kinds = typing.get_args(hint) if union else (hint,)
    if value is None and NoneType in kinds:
        return None
    for kind in kinds:
        if kind is TieBreak and isinstance(value, str):
            parsed = TieBreak.parse(value)
            # `str(TieBreak)` ends in the implicit `id`; drop it so the options compare equal to the original
            return TieBreak(parsed.criteria[:-1]) if parsed.criteria[-1:] == ("id",) else parsed
        if isinstance(kind, type) and issubclass(kind, Enum):
            try:
                return kind(value)
            except ValueError:
                continue
        if kind in {bool, int, str} and type(value) is kind:
            return value
    raise InvalidRuleOptions(f"rule option {name} cannot be {value!r}")


def freeze(
    election: Election, rule: str, options: RuleOptions, officials: Sequence[Official], engine: str = ENGINE
) -> FrozenElection:
    """The definition frozen when voting opens; `.hash` is the `election_hash`, `.to_bytes()` is `election.json`.

    Raises:
        UnknownRule: when no rule has that id.
    """
    if rule not in RULES:
        raise UnknownRule(rule, sorted(RULES))
    return FrozenElection(election, rule, options_to_json(options), tuple(officials), engine)


def rerun(frozen: FrozenElection, ballots: Sequence[Ballot]) -> Allocation:
    """Run the frozen rule with its frozen options on the ballots."""
    return allocate(frozen.election, ballots, frozen.rule, options_from_json(frozen.options))


def produce_record(
    frozen: FrozenElection,
    ballots: Sequence[RecordBallot],
    reconciliation: Sequence[ReconciliationEntry],
    keys: Mapping[str, Ed25519PrivateKey],
) -> dict[str, bytes]:
    """Run the frozen rule on the ballots and build every file of the record (file name -> bytes).

    Args:
        frozen: what `freeze` returned when voting opened.
        ballots: every counted ballot (any order), each with its published `ballot_id`.
        reconciliation: one entry per kiosk and paper batch.
        keys: each official's Ed25519 private key, by official name.

    Raises:
        ValueError: when a ballot is invalid, ids repeat, or a key is not its official's.
        PbvoteError: when the rule cannot run.
    """
    allocation = rerun(frozen, [b.to_ballot() for b in ballots])
    return build_record(frozen, ballots, reconciliation, allocation.to_json_value(), keys)


def produce_unsigned_record(
    frozen: FrozenElection, ballots: Sequence[RecordBallot], reconciliation: Sequence[ReconciliationEntry]
) -> dict[str, bytes]:
    """Run the frozen rule and build every file but `MANIFEST.json`, for officials to sign away from the server.

    The manifest is `pbvote.record.manifest.manifest_body(files, frozen.hash)`; each official signs its
    `signing_message` with their own key, and `add_signature` files each signature.

    Raises:
        ValueError: when a ballot is invalid or ids repeat.
        PbvoteError: when the rule cannot run.
    """
    allocation = rerun(frozen, [b.to_ballot() for b in ballots])
    return record_files(frozen, ballots, reconciliation, allocation.to_json_value())
