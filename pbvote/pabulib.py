"""The pabulib `.pb` format: read and write META, PROJECTS and VOTES sections.

The format (https://pabulib.org/format): three sections, each a `;`-separated table with a header row, quoted as
CSV; lists inside a field (`vote`, `points`, `category`) separated by `,`. Every error names the line it is on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.errors import InvalidElection, PabulibError
from pbvote.money import parse_amount
from pbvote.project import Project, ProjectId
from pbvote.validation import BallotValidator

__all__ = ["PbFile", "parse_pb", "read_pb", "write_pb"]

_CsvWriter = Any  # csv's writer type is private to typeshed (_csv._writer)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SECTIONS = ("META", "PROJECTS", "VOTES")
_RULE_LIMITS = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
_PROJECT_TYPED = ("project_id", "cost", "name", "category", "district")
_VOTE_TYPED = ("voter_id", "vote", "points")


@dataclass(frozen=True, slots=True)
class PbFile:
    """A parsed `.pb` file: the election and its ballots in file order."""

    election: Election
    ballots: tuple[Ballot, ...]


@dataclass(slots=True)
class _Section:
    name: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


def read_pb(path: str) -> PbFile:
    """Read a `.pb` file from disk.

    Raises:
        PabulibError: when the file cannot be read or is malformed; the message names the line.
    """
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 -- a plain path string is this function's contract
            data = handle.read()
    except OSError as exc:
        raise PabulibError(path, 0, exc.strerror or str(exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PabulibError(path, line, "the file is not valid UTF-8") from exc
    return parse_pb(text, source=path)


def parse_pb(text: str, *, source: str = "<string>") -> PbFile:
    """Parse the text of a `.pb` file.

    Raises:
        PabulibError: naming the line and the cause.
    """
    _refuse_control_characters(text, source)
    sections = _split_sections(text, source)
    meta = _read_meta(sections["META"], source)
    rules = _read_rules(meta, sections["META"], source)
    projects = _read_projects(sections["PROJECTS"], source)
    try:
        election = Election(
            budget=_meta_amount(meta, "budget", sections["META"], source),
            projects=projects,
            ballot_rules=rules,
            currency=meta.get("currency", ""),
            rule=meta.get("rule"),
            meta=meta,
        )
    except InvalidElection as exc:
        if isinstance(exc, PabulibError):
            raise
        raise PabulibError(source, sections["PROJECTS"].header_line, str(exc)) from exc
    ballots = _read_votes(sections["VOTES"], election, source)
    _check_counts(meta, sections, len(projects), len(ballots), source)
    return PbFile(election, ballots)


def _refuse_control_characters(text: str, source: str) -> None:
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise PabulibError(source, line, f"control character {bad.group()!r} in the file")


def _check_counts(
    meta: Mapping[str, str], sections: dict[str, _Section], projects: int, votes: int, source: str
) -> None:
    for key, found, section in (("num_projects", projects, "PROJECTS"), ("num_votes", votes, "VOTES")):
        if key not in meta:
            continue
        line = _meta_line(sections["META"], key)
        try:
            declared = int(meta[key])
        except ValueError as exc:
            raise PabulibError(source, line, f"META {key} {meta[key]!r} is not a whole number") from exc
        if declared != found:
            raise PabulibError(source, line, f"META {key} says {declared}; {section} has {found} rows")


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=False)
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _split_sections(text: str, source: str) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for line, row in _rows(text):
        if not any(row) or (len(row) == 1 and not row[0].strip()):
            continue
        name = row[0].strip().upper()
        if len(row) == 1 and name in _SECTIONS:
            if name in sections:
                raise PabulibError(source, line, f"section {name} appears twice")
            current = _Section(name, [], 0, [])
            sections[name] = current
        elif current is None:
            raise PabulibError(source, line, "expected a section name (META) before any data")
        elif not current.header:
            current.header = [cell.strip() for cell in row]
            current.header_line = line
        else:
            current.rows.append((line, row))
    for name in _SECTIONS:
        if name not in sections:
            raise PabulibError(source, 0, f"missing section {name}")
        if not sections[name].header:
            raise PabulibError(source, 0, f"section {name} has no header row")
    return sections


def _columns(section: _Section, required: Sequence[str], source: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(section.header):
        if name in columns:
            raise PabulibError(source, section.header_line, f"column {name!r} appears twice in {section.name}")
        columns[name] = index
    for name in required:
        if name not in columns:
            raise PabulibError(source, section.header_line, f"section {section.name} has no {name!r} column")
    return columns


def _cells(section: _Section, line: int, row: list[str], source: str) -> list[str]:
    if len(row) != len(section.header):
        message = f"{section.name} row has {len(row)} fields; the header has {len(section.header)}"
        raise PabulibError(source, line, message)
    return row


def _read_meta(section: _Section, source: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line, row in section.rows:
        if len(row) < 2:  # noqa: PLR2004 -- key;value
            raise PabulibError(source, line, "a META row needs a key and a value")
        key, value = row[0].strip(), ";".join(row[1:]).strip()
        if key in meta:
            raise PabulibError(source, line, f"META key {key!r} appears twice")
        meta[key] = value
    return meta


def _meta_line(section: _Section, key: str) -> int:
    return next((line for line, row in section.rows if row[0].strip() == key), section.header_line)


def _meta_amount(meta: Mapping[str, str], key: str, section: _Section, source: str) -> int:
    if key not in meta:
        raise PabulibError(source, section.header_line, f"META has no {key!r}")
    try:
        return parse_amount(meta[key])
    except ValueError as exc:
        raise PabulibError(source, _meta_line(section, key), f"META {key}: {exc}") from exc


def _read_rules(meta: Mapping[str, str], section: _Section, source: str) -> BallotRules:
    raw_type = meta.get("vote_type", "approval").strip().lower()
    try:
        vote_type = VoteType(raw_type)
    except ValueError as exc:
        known = ", ".join(v.value for v in VoteType)
        message = f"unknown vote_type {raw_type!r}; known: {known}"
        raise PabulibError(source, _meta_line(section, "vote_type"), message) from exc
    limits = {key: _meta_amount(meta, key, section, source) for key in _RULE_LIMITS if meta.get(key, "").strip()}
    try:
        return BallotRules(vote_type=vote_type, **limits)  # type: ignore[arg-type] # the keys are BallotRules' fields
    except InvalidElection as exc:
        raise PabulibError(source, section.header_line, str(exc)) from exc


def _split_list(text: str) -> tuple[str, ...]:
    parts = text.split(",")
    if " " in text or "\t" in text or "" in parts:
        return tuple(part.strip() for part in parts if part.strip())
    return tuple(parts)


def _read_projects(section: _Section, source: str) -> tuple[Project, ...]:
    columns = _columns(section, ("project_id", "cost"), source)
    extra_columns = [(name, i) for name, i in columns.items() if name not in _PROJECT_TYPED]
    projects: list[Project] = []
    for line, row in section.rows:
        cells = _cells(section, line, row, source)
        project_id = cells[columns["project_id"]].strip()
        if not project_id:
            raise PabulibError(source, line, "empty project_id")
        try:
            cost = parse_amount(cells[columns["cost"]])
        except ValueError as exc:
            raise PabulibError(source, line, f"project {project_id!r}: cost {exc}") from exc
        district = cells[columns["district"]].strip() if "district" in columns else ""
        projects.append(
            Project(
                id=ProjectId(project_id),
                cost=cost,
                name=cells[columns["name"]].strip() if "name" in columns else "",
                category=_split_list(cells[columns["category"]]) if "category" in columns else (),
                district=district or None,
                extra={name: cells[i] for name, i in extra_columns},
            ),
        )
    return tuple(projects)


def _read_votes(section: _Section, election: Election, source: str) -> tuple[Ballot, ...]:
    columns = _columns(section, ("voter_id", "vote"), source)
    has_points = election.vote_type.has_points
    if has_points and "points" not in columns:
        raise PabulibError(source, section.header_line, f"{election.vote_type} votes need a 'points' column")
    field_columns = [(name, i) for name, i in columns.items() if name not in _VOTE_TYPED]
    seen: dict[str, int] = {}
    ballots: list[Ballot] = []
    validate = BallotValidator(election)
    for line, row in section.rows:
        cells = _cells(section, line, row, source)
        voter_id = cells[columns["voter_id"]].strip()
        if voter_id in seen:
            raise PabulibError(source, line, f"voter_id {voter_id!r} already used on line {seen[voter_id]}")
        seen[voter_id] = line
        selections = cast("tuple[ProjectId, ...]", _split_list(cells[columns["vote"]]))
        points: tuple[int, ...] = ()
        if has_points:
            points = _read_points(cells[columns["points"]], voter_id, line, source)
        ballot = Ballot(voter_id, selections, points, {name: cells[i] for name, i in field_columns})
        check = validate(ballot)
        if not check.ok:
            message = "; ".join(reason.message for reason in check.reasons)
            raise PabulibError(source, line, f"vote of voter {voter_id!r}: {message}")
        ballots.append(ballot)
    return tuple(ballots)


def _read_points(text: str, voter_id: str, line: int, source: str) -> tuple[int, ...]:
    try:
        return tuple(parse_amount(part) for part in _split_list(text))
    except ValueError as exc:
        raise PabulibError(source, line, f"points of voter {voter_id!r}: {exc}") from exc


def write_pb(election: Election, ballots: Sequence[Ballot]) -> str:
    """Write an election and its ballots as `.pb` text (LF line endings, minimal CSV quoting).

    META is written as recorded in `election.meta`, with `budget`, `vote_type`, the ballot limits, `num_projects`
    and `num_votes` set from the election itself.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in _meta_rows(election, len(ballots)).items():
        writer.writerow([key, value])
    _write_projects(writer, election)
    _write_votes(writer, election, ballots)
    return out.getvalue()


def _meta_rows(election: Election, num_votes: int) -> dict[str, str]:
    meta = dict(election.meta)
    meta.update(
        num_projects=str(len(election.projects)),
        num_votes=str(num_votes),
        budget=str(election.budget),
        vote_type=election.vote_type.value,
    )
    if election.currency:
        meta["currency"] = election.currency
    if election.rule:
        meta["rule"] = election.rule
    for key in _RULE_LIMITS:
        value = getattr(election.ballot_rules, key)
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = str(value)
    return meta


def _write_projects(writer: _CsvWriter, election: Election) -> None:
    extra_names = list(dict.fromkeys(name for p in election.projects for name in p.extra))
    header = ["project_id", "cost", "name"]
    if any(p.category for p in election.projects):
        header.append("category")
    if any(p.district for p in election.projects):
        header.append("district")
    writer.writerow(["PROJECTS"])
    writer.writerow(header + extra_names)
    for p in election.projects:
        typed = {"project_id": p.id, "cost": str(p.cost), "name": p.name, "category": ",".join(p.category)}
        typed["district"] = p.district or ""
        writer.writerow([typed[name] for name in header] + [p.extra.get(name, "") for name in extra_names])


def _write_votes(writer: _CsvWriter, election: Election, ballots: Sequence[Ballot]) -> None:
    field_names = list(dict.fromkeys(name for b in ballots for name in b.fields))
    header = ["voter_id", "vote"] + (["points"] if election.vote_type.has_points else [])
    writer.writerow(["VOTES"])
    writer.writerow(header + field_names)
    for b in ballots:
        row = [b.voter_id, ",".join(b.selections)]
        if election.vote_type.has_points:
            row.append(",".join(str(p) for p in b.points))
        writer.writerow(row + [b.fields.get(name, "") for name in field_names])
