"""Print one Markdown table: CPU seconds of each rule on each real file, and whether from-file reproduces the city.

Run: `.venv/bin/python benchmarks/rules_table.py [FILE.pb ...]` (idle machine; pabutools comparison:
`make bench`). Without files: every file in ../shared/data/pabulib/; the unseen real files are
`tests/fixtures/pabulib-unseen/*.pb`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pbvote.errors import PbvoteError
from pbvote.pabulib import read_pb
from tally.fromfile import resolve
from tally.options import Completion, RuleOptions, Satisfaction
from tally.registry import allocate

variants = [
    ("greedy", RuleOptions()),
    ("greedy-per-cost", RuleOptions()),
    ("max-welfare", RuleOptions()),
    ("phragmen", RuleOptions()),
    ("mes", RuleOptions(completion=Completion.NONE)),
    ("mes", RuleOptions(completion=Completion.ADD1)),
    ("mes", RuleOptions(satisfaction=Satisfaction.CARDINALITY, completion=Completion.ADD1)),
    ("mes", RuleOptions(completion=Completion.ADD1, comparison=True)),
]
names = ["greedy", "per-cost", "max-welf", "phragmen", "mes", "mes+add1", "mes+add1 card", "add1+cmp"]
print("| file | parse | " + " | ".join(names) + " | from-file = city |")
files = [Path(a) for a in sys.argv[1:]] or sorted(
    (Path(__file__).resolve().parents[2] / "shared/data/pabulib").glob("*.pb")
)
for path in files:
    f = str(path)
    t = time.process_time()
    pb = read_pb(f)
    parse = time.process_time() - t
    cells = []
    for rule, opt in variants:
        best = None
        for _ in range(2):
            t = time.process_time()
            try:
                allocate(pb.election, pb.ballots, rule, opt)
            except PbvoteError:
                best = "n/a"
                break
            dt = time.process_time() - t
            best = dt if best is None else min(best, dt)
        cells.append(best if isinstance(best, str) else f"{best:.2f}")
    city = {p.id for p in pb.election.projects if p.extra.get("selected") == "1"}
    try:
        rule, opt = resolve(pb.election)
    except PbvoteError:
        match = "refused"  # from-file names no rule that reproduces the city (tests/fixtures/pabulib-unseen/README.md)
    else:
        sel = set(allocate(pb.election, pb.ballots, rule, opt).selected)
        has_column = any("selected" in p.extra for p in pb.election.projects)
        match = ("yes" if sel == city else "NO") if has_column else "(no column)"
    print(f"| {f.rsplit('/', maxsplit=1)[-1][:-3]} | {parse:.2f} | " + " | ".join(cells) + f" | {match} |")
