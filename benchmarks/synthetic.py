"""A seeded synthetic approval election, built with numpy: by default 1,000,000 ballots over 200 projects.

Shaped like a large city's participatory budget (Warszawa, Kraków): a few projects draw most of the votes
(log-normal popularity), ballots name 1 to 15 projects (most name a handful), costs are spread over two orders of
magnitude (log-uniform from 10,000 to 1,000,000, rounded to the hundred), and the budget is a fifth of the total
cost. Each ballot draws its projects without replacement, in proportion to popularity (Gumbel top-k), so popular
projects appear together as they do in real ballots.

The same arrays give both the pbvote objects (`build`) and a `.pb` file for pabutools (`write_pb_file`), so both
tools count exactly the same ballots. The generator is a pure function of its parameters and seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId

__all__ = ["Synthetic", "SyntheticSpec", "build", "generate", "write_pb_file"]

_CHUNK = 50_000
_NO_FIELDS: MappingProxyType[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    """The parameters of a synthetic election.

    Attributes:
        voters: how many ballots.
        projects: how many projects.
        max_length: the most projects a ballot names (the least is 1).
        mean_length: the mean ballot length before clipping to 1..max_length.
        min_cost: the cheapest a project can be (before rounding to the hundred).
        max_cost: the dearest a project can be.
        popularity_sigma: the spread of log-popularity (larger: a few projects get most votes).
        budget_share: the budget as a share of the total cost.
        seed: the random seed.
    """

    voters: int = 1_000_000
    projects: int = 200
    max_length: int = 15
    mean_length: float = 4.0
    min_cost: int = 10_000
    max_cost: int = 1_000_000
    popularity_sigma: float = 1.2
    budget_share: float = 0.2
    seed: int = 20240601

    @property
    def name(self) -> str:
        """A short name for tables: `synthetic-1M-200p`."""
        count = f"{self.voters // 1_000_000}M" if self.voters % 1_000_000 == 0 else f"{self.voters}"
        return f"synthetic-{count}-{self.projects}p"


@dataclass(frozen=True, slots=True)
class Synthetic:
    """The generated arrays.

    Attributes:
        spec: what was generated.
        costs: `costs[j]` is the cost of project `j` (id `p{j+1}`).
        budget: the budget.
        offsets: ballot `i` names `choices[offsets[i]:offsets[i+1]]`.
        choices: project indices, each ballot's in increasing order.
    """

    spec: SyntheticSpec
    costs: npt.NDArray[np.int64]
    budget: int
    offsets: npt.NDArray[np.int64]
    choices: npt.NDArray[np.int16]

    @property
    def project_ids(self) -> list[ProjectId]:
        """The project ids, `p1` to `pN`."""
        return [ProjectId(f"p{j + 1}") for j in range(self.spec.projects)]

    def distinct_ballots(self) -> int:
        """How many different ballots there are (what a multiprofile groups)."""
        return len({self.choices[a:b].tobytes() for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)})


def generate(spec: SyntheticSpec | None = None) -> Synthetic:
    """Draw the election's arrays from `spec` (default: 1M ballots, 200 projects)."""
    spec = spec or SyntheticSpec()
    rng = np.random.default_rng(spec.seed)
    log_cost = rng.uniform(np.log(spec.min_cost), np.log(spec.max_cost), spec.projects)
    costs = (np.round(np.exp(log_cost) / 100) * 100).astype(np.int64)
    budget = int(round(int(costs.sum()) * spec.budget_share / 1000) * 1000)
    log_weight = rng.normal(0.0, spec.popularity_sigma, spec.projects)
    lengths = np.clip(rng.poisson(spec.mean_length - 1, spec.voters) + 1, 1, spec.max_length).astype(np.int64)
    offsets = np.zeros(spec.voters + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    choices = np.empty(int(offsets[-1]), dtype=np.int16)
    top = spec.max_length
    for start in range(0, spec.voters, _CHUNK):
        stop = min(start + _CHUNK, spec.voters)
        uniform = rng.random((stop - start, spec.projects), dtype=np.float32)
        with np.errstate(divide="ignore"):  # a uniform draw of exactly 0 gives key -inf: never picked, harmless
            keys = log_weight[None, :].astype(np.float32) - np.log(-np.log(uniform))
        best = np.argpartition(-keys, top - 1, axis=1)[:, :top]
        ranked = np.take_along_axis(best, np.argsort(-np.take_along_axis(keys, best, axis=1), axis=1), axis=1)
        chunk_lengths = lengths[start:stop]
        keep = np.arange(top)[None, :] < chunk_lengths[:, None]
        # Sort each ballot's kept choices ascending; the dropped ones (set past the last index) sort last, so the
        # same mask then picks exactly the kept ones, row by row.
        kept = np.where(keep, ranked, spec.projects)
        kept.sort(axis=1)
        choices[offsets[start] : offsets[stop]] = kept[keep].astype(np.int16)
    return Synthetic(spec, costs, budget, offsets, choices)


def build(data: Synthetic) -> tuple[Election, list[Ballot]]:
    """The pbvote election and ballots (voter ids `1`..`N`); identical ballots share one selections tuple."""
    ids = data.project_ids
    projects = tuple(Project(pid, int(cost), name=f"Project {pid}") for pid, cost in zip(ids, data.costs, strict=True))
    rules = BallotRules(vote_type=VoteType.APPROVAL, min_length=1, max_length=data.spec.max_length)
    meta = {"description": f"{data.spec.name}, seed {data.spec.seed}", "unit": "synthetic", "rule": "greedy"}
    election = Election(data.budget, projects, rules, currency="PLN", rule="greedy", meta=meta)
    shared: dict[bytes, tuple[ProjectId, ...]] = {}
    ballots: list[Ballot] = []
    append = ballots.append
    choices, offsets = data.choices, data.offsets.tolist()
    for i in range(data.spec.voters):
        row = choices[offsets[i] : offsets[i + 1]]
        key = row.tobytes()
        selections = shared.get(key)
        if selections is None:
            selections = shared[key] = tuple(ids[j] for j in row.tolist())
        append(Ballot(str(i + 1), selections, (), _NO_FIELDS))
    return election, ballots


def write_pb_file(data: Synthetic, path: Path) -> None:
    """Write the election as a pabulib `.pb` file (LF line endings) that pbvote and pabutools both read."""
    ids = data.project_ids
    lines = [
        "META",
        "key;value",
        f"description;{data.spec.name}, seed {data.spec.seed}",
        "country;Synthetic",
        "unit;synthetic",
        "instance;1",
        f"num_projects;{data.spec.projects}",
        f"num_votes;{data.spec.voters}",
        f"budget;{data.budget}",
        "vote_type;approval",
        "rule;greedy",
        "currency;PLN",
        "min_length;1",
        f"max_length;{data.spec.max_length}",
        "PROJECTS",
        "project_id;cost;name",
        *(f"{pid};{int(cost)};Project {pid}" for pid, cost in zip(ids, data.costs, strict=True)),
        "VOTES",
        "voter_id;vote",
    ]
    offsets = data.offsets.tolist()
    names = [str(pid) for pid in ids]
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))
        handle.write("\n")
        choices = data.choices.tolist()
        for start in range(0, data.spec.voters, _CHUNK):
            stop = min(start + _CHUNK, data.spec.voters)
            rows = (
                f"{i + 1};{','.join(names[j] for j in choices[offsets[i] : offsets[i + 1]])}\n"
                for i in range(start, stop)
            )
            handle.write("".join(rows))
