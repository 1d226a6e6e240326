"""Quick timings of `mes` on the real pabulib files and on a seeded synthetic approval election.

Run: `.venv/bin/python benchmarks/bench_mes.py [--synthetic VOTERS PROJECTS [--completion add1]]`. Prints
wall-clock and CPU seconds for reading each file and per variant (the rule only, after the file is read) and the
peak resident memory of the process (ballots included); nothing here is asserted (timings vary by machine and
load: compare CPU seconds on a busy machine).

`--add1-orders FILE.pb` instead steps Add1 on one file one unit at a time and prints how many raises change the
funding order and how many rounds each rerun shares with the one below: what any way of skipping raises or
reusing rounds has to work with, and the raises kept and projects funded by stepping alone (no skipping):
the reference for Add1's strides (`tally._mes_stable`) on that file.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.pabulib import read_pb
from pbvote.project import Project, ProjectId
from tally._mes_add1 import Solver
from tally.mes import mes, mes_instance
from tally.options import Completion, RuleOptions, Satisfaction

PABULIB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
VARIANTS = [
    (Satisfaction.COST, Completion.NONE),
    (Satisfaction.COST, Completion.ADD1),
    (Satisfaction.COST, Completion.ADD1_GREEDY),
    (Satisfaction.CARDINALITY, Completion.ADD1),
]


def synthetic(voters: int, projects: int, seed: int = 2024) -> tuple[Election, list[Ballot]]:
    """A seeded approval election: costs 10k-500k, each voter approves 1-10 projects, popularity skewed."""
    rng = random.Random(seed)
    items = tuple(Project(ProjectId(f"p{j}"), rng.randrange(10_000, 500_000, 1_000)) for j in range(projects))
    popularity = [rng.random() ** 2 for _ in range(projects)]
    ids = [p.id for p in items]
    ballots = [
        Ballot(str(i), tuple(set(rng.choices(ids, weights=popularity, k=rng.randint(1, 10))))) for i in range(voters)
    ]
    budget = sum(p.cost for p in items) // 4
    return Election(budget, items), ballots


def time_one(label: str, election: Election, ballots: list[Ballot], options: RuleOptions) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    allocation = mes(election, ballots, options)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    raises = allocation.details.get("add1_increments", "-")
    print(
        f"{label:40} {options.satisfaction!s:12} {options.completion!s:12} {seconds:8.3f} s wall {cpu:8.3f} s cpu"
        f"  funded {len(allocation.selected):3}  raises {raises}"
    )


def add1_orders(path: str, satisfaction: Satisfaction) -> None:
    """Print, for Add1 on `path`, which raises change the funding order and where."""
    pb = read_pb(path)
    compiled, instance = mes_instance(pb.election, pb.ballots, RuleOptions(satisfaction=satisfaction))
    solver = Solver.of(instance)
    start = Fraction(instance.budget, max(instance.voters, 1))
    orders: list[tuple[int, ...]] = []
    run = None
    supported = {j for j in range(instance.projects) if solver.fast.groups[j].size}
    while True:
        run = solver.order(start + len(orders), run)
        orders.append(run.order)
        if sum(instance.costs[j] for j in run.order) > instance.budget:
            kept = len(orders) - 2
            break
        if set(run.order) == supported:
            kept = len(orders) - 1
            break
    shared = [
        next((r for r, (a, b) in enumerate(zip(x, y, strict=False)) if a != b), min(len(x), len(y)))
        for x, y in pairwise(orders)
    ]
    changed = [r for r, (x, y) in enumerate(pairwise(orders), start=1) if x != y]
    rounds = sum(len(x) for x in orders[1:])
    print(f"{Path(path).stem} {satisfaction!s}: {len(orders)} runs, {len(changed)} raises change the order")
    common = sum(min(s, len(x)) for s, x in zip(shared, orders[1:], strict=True))
    print(f"rounds {rounds}, shared with the run below {common}")
    print(
        "raises that change it (raise, first round that differs):",
        list(zip(changed, (shared[r - 1] for r in changed), strict=True)),
    )
    names = compiled.project_ids
    print(f"kept {kept} raises; funds {', '.join(names[j] for j in orders[kept])} (what `pbvote tally` must give)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", nargs=2, type=int, metavar=("VOTERS", "PROJECTS"))
    parser.add_argument("--completion", default="none")
    parser.add_argument("--add1-orders", metavar="FILE.pb")
    parser.add_argument("--satisfaction", default="cost")
    args = parser.parse_args()
    if args.add1_orders:
        add1_orders(args.add1_orders, Satisfaction(args.satisfaction))
        return
    if args.synthetic:
        election, ballots = synthetic(*args.synthetic)
        time_one(
            f"synthetic {args.synthetic[0]}x{args.synthetic[1]}",
            election,
            ballots,
            RuleOptions(completion=Completion(args.completion)),
        )
    else:
        for path in sorted(PABULIB.glob("*.pb")):
            started, cpu = time.perf_counter(), time.process_time()
            pb = read_pb(str(path))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{path.stem:40} {'parse':25} {seconds:8.3f} s wall {cpu:8.3f} s cpu")
            for satisfaction, completion in VARIANTS:
                options = RuleOptions(satisfaction=satisfaction, completion=completion)
                time_one(path.stem, pb.election, list(pb.ballots), options)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
