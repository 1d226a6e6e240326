"""The benchmark's own parts, on tiny inputs (well under a second): generator, forked runner, matrix, report."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks import _report, synthetic
from benchmarks._isolate import run_isolated
from benchmarks._variants import variants_for
from pbvote.pabulib import read_pb

SMALL = synthetic.SyntheticSpec(voters=3000, projects=40, seed=7)


@pytest.fixture(name="small", scope="module")
def fx_small() -> synthetic.Synthetic:
    return synthetic.generate(SMALL)


def _ballot_rows(data: synthetic.Synthetic) -> list[np.ndarray]:
    return [data.choices[a:b] for a, b in zip(data.offsets[:-1], data.offsets[1:], strict=True)]


def test_synthetic_ballots_are_valid_approval_ballots(small):
    rows = _ballot_rows(small)
    assert len(rows) == SMALL.voters
    assert all(1 <= len(r) <= SMALL.max_length for r in rows)
    # each ballot names distinct projects, in increasing index order
    assert all(np.all(np.diff(r) > 0) for r in rows)
    assert small.choices.min() >= 0
    assert small.choices.max() < SMALL.projects


def test_synthetic_costs_budget_and_popularity_are_realistic(small):
    assert np.all(small.costs % 100 == 0)
    assert small.costs.min() >= SMALL.min_cost - 50
    assert small.costs.max() <= SMALL.max_cost + 50
    assert small.costs.max() / small.costs.min() > 10  # spread over more than one order of magnitude
    # a fifth of the total cost, rounded to the thousand
    assert abs(small.budget - 0.2 * int(small.costs.sum())) <= 500
    support = np.bincount(small.choices, minlength=SMALL.projects)
    # skewed popularity: the favourite is named several times as often as the median project
    assert support.max() >= 3 * np.median(support)


def test_synthetic_is_a_pure_function_of_its_seed(small):
    again = synthetic.generate(SMALL)
    other = synthetic.generate(synthetic.SyntheticSpec(voters=3000, projects=40, seed=8))
    assert np.array_equal(again.choices, small.choices)
    assert np.array_equal(again.costs, small.costs)
    assert not np.array_equal(other.choices[:1000], small.choices[:1000])


def test_pb_file_reads_back_as_the_built_election(small, tmp_path: Path):
    election, ballots = synthetic.build(small)
    path = tmp_path / "small.pb"
    synthetic.write_pb_file(small, path)
    parsed = read_pb(str(path))
    assert parsed.election.budget == election.budget
    assert [(p.id, p.cost) for p in parsed.election.projects] == [(p.id, p.cost) for p in election.projects]
    assert [(b.voter_id, b.selections) for b in parsed.ballots] == [(b.voter_id, b.selections) for b in ballots]


def test_run_isolated_kills_a_task_at_its_limit():
    started = time.perf_counter()
    outcome = run_isolated(lambda: time.sleep(30) or {}, timeout=0.3)
    assert outcome.status == "exceeded"
    assert time.perf_counter() - started < 5


def test_run_isolated_reports_results_and_errors():
    ok = run_isolated(lambda: {"seconds": 0.25, "selected": ["a"]}, timeout=10)
    assert (ok.status, ok.seconds, ok.result["selected"]) == ("ok", 0.25, ["a"])
    assert ok.peak_rss_mib > 0

    def boom() -> dict[str, object]:
        raise ValueError("no such rule")

    failed = run_isolated(boom, timeout=10)
    assert failed.status == "error"
    assert "ValueError: no such rule" in failed.error


def test_variants_cover_registered_rules_only_and_filter_by_rule_or_key():
    keys = [v.key for v in variants_for(["greedy", "mes", "brand-new"])]
    assert keys[0] == "greedy"
    assert "mes/cost/add1+comparison" in keys
    assert "mes/cardinality/add1-greedy" in keys
    assert "brand-new" in keys
    assert "phragmen" not in keys
    assert [v.key for v in variants_for(["mes"], ["mes/cost/add1"])] == ["mes/cost/add1"]


def test_report_pairs_outcomes_and_checks_the_city_result():
    load = {"event": "load", "ballots": 3, "city_rule": "greedy", "city_selected": ["a", "b"], "registered": ["greedy"]}
    load |= {"support": {"a": 2, "b": 1, "c": 1}, "costs": {"a": 1, "b": 1, "c": 1}}
    ours = [load, {"event": "run", "variant": "greedy", "status": "ok", "seconds": 0.5, "selected": ["b", "a"]}]
    pab = [{"event": "parse", "parse_seconds": 1.0, "multiprofile_seconds": 0.1}]
    pab.append({"event": "run", "variant": "greedy", "status": "ok", "seconds": 2.0, "selected": ["a", "b"]})
    pab.append({"event": "run", "variant": "max-welfare/cost", "status": "ok", "seconds": 1.0, "selected": ["a", "c"]})
    rows = {r["variant"]: r for r in _report.rows([{"instance": "x", "ours": ours, "pabutools": pab}])}
    assert rows["greedy"]["agree"] is True
    assert rows["greedy"]["ratio"] == 4.0
    assert rows["greedy"]["ours_matches_city"] is True
    assert rows["greedy"]["pabutools_matches_city"] is True
    assert rows["parse"]["ours_status"] == "not run"
    # max-welfare is not in the registry: said so, not hidden
    assert rows["max-welfare/cost"]["ours_status"] == "not registered"


def test_report_explains_a_tie_between_two_knapsack_optima():
    # costs a=2, b=1, c=1; support a=1, b=3, c=3. Cost welfare of {a, b} = 2*1 + 1*3 = 5 = {a, c} = 2*1 + 1*3.
    load = {"event": "load", "ballots": 4, "registered": ["max-welfare"], "city_selected": None}
    load |= {"support": {"a": 1, "b": 3, "c": 3}, "costs": {"a": 2, "b": 1, "c": 1}}
    ours = [
        load,
        {"event": "run", "variant": "max-welfare/cost", "status": "ok", "seconds": 1.0, "selected": ["a", "b"]},
    ]
    pab = [{"event": "run", "variant": "max-welfare/cost", "status": "ok", "seconds": 1.0, "selected": ["a", "c"]}]
    (row,) = [r for r in _report.rows([{"instance": "x", "ours": ours, "pabutools": pab}]) if r["variant"] != "parse"][
        1:
    ]
    assert row["agree"] is False
    assert "equal welfare" in row["note"]
    assert "(5 vs 5)" in row["note"]
