"""What voting freezes when it opens: the rule's options as stored, and the definition with rule and officials.

`frozen_election` gives the `tally.record.freeze` of an election row: its `.hash` is the published
`election_hash`, its `.to_bytes()` the record's `election.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.store.models import ElectionRow, OfficialRow
from pbvote.errors import InvalidRuleOptions
from pbvote.record.definition import FrozenElection, Official
from pbvote.tiebreak import TieBreak
from tally.options import Completion, RuleOptions, Satisfaction
from tally.record import freeze

__all__ = ["frozen_election", "parse_rule_options"]

_OPTION_KEYS = {"satisfaction", "completion", "comparison", "tie_break", "threshold", "scoring_fn"}


def parse_rule_options(options: Mapping[str, Any]) -> RuleOptions:
    """Rule options from their JSON form.

    Raises:
        InvalidRuleOptions: naming the option that is unknown or wrong.
    """
    unknown = sorted(set(options) - _OPTION_KEYS)
    if unknown:
        raise InvalidRuleOptions(f"unknown rule option {unknown[0]!r}; known: {', '.join(sorted(_OPTION_KEYS))}")
    try:
        return RuleOptions(
            satisfaction=Satisfaction(options.get("satisfaction", "cost")),
            completion=Completion(options["completion"]) if options.get("completion") is not None else None,
            comparison=bool(options.get("comparison", False)),
            tie_break=TieBreak.parse(options["tie_break"]) if options.get("tie_break") else RuleOptions().tie_break,
            threshold=int(options["threshold"]) if options.get("threshold") is not None else None,
            scoring_fn=str(options["scoring_fn"]) if options.get("scoring_fn") is not None else None,
        )
    except (ValueError, TypeError) as exc:
        raise InvalidRuleOptions(f"rule options: {exc}") from exc


async def frozen_election(intake: Intake, session: AsyncSession, row: ElectionRow) -> FrozenElection:
    """The definition, the rule with its options and the officials (by name), as frozen when voting opens."""
    query = select(OfficialRow).where(OfficialRow.election_id == row.id).order_by(OfficialRow.name)
    officials = [Official(o.name, bytes.fromhex(o.public_key)) for o in (await session.execute(query)).scalars()]
    options = parse_rule_options(json.loads(row.rule_options))
    return freeze(intake.election(row), row.rule, options, officials)
