"""`pbvote tally` and `pbvote compare` on small files: output, JSON, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from tally.registry import RULES

GOOD = """META
key;value
budget;10
vote_type;approval
rule;greedy
currency;EUR
PROJECTS
project_id;cost;name;selected
a;6;Park;1
b;5;Bench;0
c;4;Lamp;1
VOTES
voter_id;vote
1;a,b
2;a,b
3;a,c
"""


@pytest.fixture(name="good")
def fx_good(tmp_path: Path) -> Path:
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_tally_prints_funded_projects_total_and_leftover(good, capsys):
    # greedy: a (3 votes, 6), b (2) no longer fits, c (1, 4): 10 spent, 0 left.
    assert main(["tally", str(good)]) == 0
    out = capsys.readouterr().out
    assert "rule greedy" in out
    assert [line.split()[:2] for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))] == [
        ["1", "a"],
        ["2", "c"],
    ]
    assert "Park" in out
    assert "total cost 10 EUR of 10 EUR; leftover 0 EUR" in out


def test_tally_json_is_one_canonical_object(good, capsys):
    assert main(["tally", str(good), "--rule", "from-file", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert (data["rule"], data["selected"]) == ("greedy", ["a", "c"])
    assert out.strip() == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_tally_prints_rounds_when_the_rule_has_them(good, capsys):
    # phragmen: a 6/3 = 2, b 5/2, c 4/1: a at 2; then b (5 + 2 + 2)/2 = 9/2 would reach 11 > 10: stop.
    assert main(["tally", str(good), "--rule", "phragmen"]) == 0
    out = capsys.readouterr().out
    assert "rounds:" in out
    assert out.splitlines()[-1].split() == ["1", "a", "6", "2"]


def test_options_reach_the_rule(good, capsys):
    # cardinality: supporters a 3, b 2, c 1; budget 10: {a, c} = 4 beats {b, c} = 3 ({a, b} costs 11).
    assert main(["tally", str(good), "--rule", "max-welfare", "--satisfaction", "cardinality", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["options"]["satisfaction"] == "cardinality"
    assert data["details"]["welfare"] == 4


def test_unknown_rule_is_one_line_naming_the_file(good, capsys):
    assert main(["tally", str(good), "--rule", "borda"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pbvote: {good}: unknown rule 'borda'; known rules:")


def test_bad_tie_break_is_refused_before_reading(tmp_path, capsys):
    assert main(["tally", str(tmp_path / "missing.pb"), "--tie-break", "coin"]) == 2
    assert "unknown tie-break criterion 'coin'" in capsys.readouterr().err


def test_malformed_file_names_its_line(tmp_path, capsys):
    path = tmp_path / "bad.pb"
    path.write_text(GOOD.replace("c;4;Lamp;1", "c;four;Lamp;1"), encoding="utf-8")
    assert main(["tally", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pbvote: {path}:11: project 'c': cost")
    assert err.count("\n") == 1


def test_from_file_names_the_meta_line_of_an_unknown_rule(tmp_path, capsys):
    path = tmp_path / "custom.pb"
    path.write_text(GOOD.replace("rule;greedy", "rule;greedy-custom"), encoding="utf-8")
    assert main(["tally", str(path), "--rule", "from-file"]) == 2
    assert capsys.readouterr().err.startswith(f"pbvote: {path}:5: META rule: unknown rule 'greedy-custom'")


def test_from_file_equal_shares_without_mes_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "mes.pb"
    path.write_text(GOOD.replace("rule;greedy", "rule;equalshares/add1"), encoding="utf-8")
    code = main(["tally", str(path), "--rule", "from-file", "--json"])
    if "mes" in RULES:
        assert code == 0
        assert json.loads(capsys.readouterr().out)["rule"] == "mes"
    else:
        assert code == 2
        assert "META rule 'equalshares/add1' is run by rule 'mes': unknown rule 'mes'" in capsys.readouterr().err


def test_compare_sets_every_rule_beside_the_city(good, capsys):
    assert main(["compare", str(good)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("project"))
    for rule in ["greedy", "max-welfare", "phragmen", "from-file"]:
        assert rule in header.split()
    verdicts = next(line for line in out.splitlines() if line.startswith("matches city")).split()[2:]
    columns = header.split()[4:]
    assert dict(zip(columns, verdicts, strict=True))["greedy"] == "yes"
    assert dict(zip(columns, verdicts, strict=True))["phragmen"] == "no"
    assert "greedy-threshold: not run: greedy-threshold needs a threshold" in out


def test_compare_json(good, capsys):
    assert main(["compare", str(good), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["city_selected"] == ["a", "c"]
    assert data["rules"]["greedy"]["matches_city"] is True
    assert "error" in data["rules"]["greedy-threshold"]


def test_module_and_installed_script_run(good):
    for command in ([sys.executable, "-m", "api.cli"], [str(Path(sys.executable).parent / "pbvote")]):
        done = subprocess.run([*command, "tally", str(good), "--json"], capture_output=True, text=True, check=False)  # noqa: S603 -- our own interpreter and script
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["selected"] == ["a", "c"]


def test_a_reader_that_stops_early_is_not_an_error(good):
    # `pbvote compare FILE | head -1` once `head` has gone: every write meets a closed pipe. No traceback, exit 0.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(  # noqa: S603 -- our own interpreter
            [sys.executable, "-m", "api.cli", "compare", str(good)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0


TIED = """META
key;value
budget;2
vote_type;approval
PROJECTS
project_id;cost
north;1
south;1
east;1
west;1
VOTES
voter_id;vote
1;north,south
2;east,west
"""


@pytest.mark.parametrize("rule", ["greedy", "greedy-per-cost", "max-welfare", "phragmen"])
def test_same_bytes_whatever_the_hash_seed(tmp_path, rule):
    # four equal projects, two fit: every rule must break the tie the same way in every process (pabutools'
    # max-welfare returns different optima under different PYTHONHASHSEED values).
    path = tmp_path / "tied.pb"
    path.write_text(TIED, encoding="utf-8")
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(  # noqa: S603 -- our own interpreter
            [sys.executable, "-m", "api.cli", "tally", str(path), "--rule", rule, "--json"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["ties"]
