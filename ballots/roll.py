"""Reading a census CSV for the voter roll: `identifier`, optional `district`, optional `birth_year`."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from pbvote.errors import InvalidElection

__all__ = ["CensusEntry", "parse_census"]

_MIN_YEAR = 1850
_MAX_YEAR = 2200


@dataclass(frozen=True, slots=True)
class CensusEntry:
    """One resident on the census, as read; the identifier is hashed before it is stored."""

    identifier: str
    district: str | None
    birth_year: int | None


def parse_census(text: str, districts: Collection[str]) -> list[CensusEntry]:
    r"""Read the census CSV; every error names its line.

    >>> parse_census("identifier,birth_year\nA1,1990\n", ())
    [CensusEntry(identifier='A1', district=None, birth_year=1990)]

    Raises:
        InvalidElection: a missing column, an empty or repeated identifier, an unknown district, a bad year.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or ()]
    if "identifier" not in header:
        raise InvalidElection("census line 1: the header has no 'identifier' column")
    reader.fieldnames = header
    seen: dict[str, int] = {}
    entries: list[CensusEntry] = []
    for row in reader:
        line = reader.line_num
        entry = _entry(row, line, districts)
        if entry.identifier in seen:
            raise InvalidElection(f"census line {line}: identifier repeats line {seen[entry.identifier]}")
        seen[entry.identifier] = line
        entries.append(entry)
    return entries


def _entry(row: dict[str, str | None], line: int, districts: Collection[str]) -> CensusEntry:
    identifier = (row.get("identifier") or "").strip()
    if not identifier:
        raise InvalidElection(f"census line {line}: the identifier is empty")
    district = (row.get("district") or "").strip() or None
    if district is not None and district not in districts:
        raise InvalidElection(f"census line {line}: district {district!r} is not in this election")
    year_text = (row.get("birth_year") or "").strip()
    birth_year = None
    if year_text:
        if not year_text.isdigit() or not _MIN_YEAR <= int(year_text) <= _MAX_YEAR:
            raise InvalidElection(f"census line {line}: birth_year {year_text!r} is not a year")
        birth_year = int(year_text)
    return CensusEntry(identifier, district, birth_year)
