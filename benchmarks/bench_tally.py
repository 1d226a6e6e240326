"""`make bench`: time pbvote's parser and every registered rule against pabutools 1.2.3, on the same instances.

Instances: every `.pb` file in ../shared/data/pabulib/ and a seeded synthetic approval election (`synthetic.py`:
1,000,000 ballots, 200 projects). For each instance and rule variant it prints pbvote's time, pabutools' time, the
ratio, whether the funded sets agree (and the known reason when they do not), whether each matches the outcome the
city published, and pbvote's peak memory; then writes `benchmarks/results/<machine>/<timestamp>.json` and prints
a Markdown table for the README.

Both tools run in subprocesses (`_ours_runner.py`, `_pabutools_runner.py`), each task in a forked child under a
time limit; pabutools also has a per-instance and a total time budget, so the run stays bounded (about 30 minutes
by default) even when pabutools runs out of time everywhere.

Options: `--quick` (real files only, 20 s pabutools limit), `--instances NAME,...` (substrings of file names or
`synthetic`), `--rules KEY,...` (rule ids or variant keys: `mes`, `mes/cost/add1`), `--pabutools-timeout S`,
`--no-pabutools`, `--synthetic-voters N`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import _report
import synthetic
from _variants import KNOWN, variants_for

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "pabulib"
PYTHON = sys.executable
PABUTOOLS_EXTRA = {"mes/cost/add1": ["mes/cost/add1@increment"], "mes/cost/none": ["mes/cost/none@flat"]}
"""pabutools-only variants timed against one of ours: its own Add1 stopping rule; MES without the multiprofile."""
PABUTOOLS_ORDER = (
    "greedy",
    "mes/cost/none",
    "max-welfare/cost",
    "phragmen",
    "greedy-per-cost",
    "max-welfare/cardinality",
    "mes/cardinality/none",
    "mes/cost/greedy",
    "mes/cardinality/greedy",
    "mes/cost/none@flat",
    "mes/cost/add1",
    "mes/cost/add1@increment",
    "mes/cost/add1-greedy",
    "mes/cost/add1+comparison",
    "mes/cardinality/add1",
    "mes/cardinality/add1-greedy",
)


def _stream(cmd: list[str], first_timeout: float, total_timeout: float) -> Iterator[dict[str, Any]]:
    """Run `cmd`, yielding each JSON line it prints; stop it if its first line or its end is late."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=sys.stderr, cwd=HERE, text=True)
    assert proc.stdout is not None  # noqa: S101 -- stdout=PIPE above
    started = time.perf_counter()
    first = True
    try:
        while True:
            limit = first_timeout if first else total_timeout
            remaining = started + limit - time.perf_counter()
            ready, _, _ = select.select([proc.stdout], [], [], max(remaining, 0))
            if not ready:
                yield {"event": "late", "after_seconds": time.perf_counter() - started, "first": first}
                return
            line = proc.stdout.readline()
            if not line:
                return
            first = False
            yield json.loads(line)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.wait()


def machine() -> dict[str, Any]:
    """A hostname-free description of this machine and its software."""
    cores = os.cpu_count() or 1
    gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln), cpu)
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    return {
        "name": f"{cores}core-{-int(-gib // 1)}g-python{py}",
        "cores": cores,
        "memory_gib": round(gib, 1),
        "cpu_model": cpu,
        "python": sys.version.split()[0],
        "numpy": metadata.version("numpy"),
        "pabutools": _pabutools_version(),
        "platform": sys.platform,
    }


def _pabutools_version() -> str | None:
    try:
        return metadata.version("pabutools")
    except metadata.PackageNotFoundError:
        return None


def _instances(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    files = sorted(DATA.glob("*.pb"), key=lambda f: f.stat().st_size)
    chosen: list[dict[str, Any]] = [{"name": f.stem, "file": str(f), "synthetic": 0} for f in files]
    if not args.quick:
        spec = synthetic.SyntheticSpec(voters=args.synthetic_voters)
        chosen.append({"name": spec.name, "file": str(tmp / f"{spec.name}.pb"), "synthetic": spec.voters})
    if args.instances:
        wanted = [w.strip().lower() for w in args.instances.split(",") if w.strip()]
        chosen = [i for i in chosen if any(w in i["name"].lower() for w in wanted)]
    return chosen


def _run_ours(instance: dict[str, Any], keys: list[str], args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    cmd = [PYTHON, "_ours_runner.py", "--variants", ",".join(keys), "--timeout", str(args.ours_timeout)]
    cmd += ["--instance-budget", str(args.ours_instance_budget)]
    if instance["synthetic"]:
        cmd += ["--synthetic", str(instance["synthetic"]), "--pb-file", instance["file"], "--repeat", "1"]
    else:
        cmd.append(instance["file"])
    total = 600 + args.ours_instance_budget + 2 * args.ours_timeout
    return _stream(cmd, first_timeout=600, total_timeout=total)


def _run_pabutools(
    instance: dict[str, Any], keys: list[str], budget: float, args: argparse.Namespace
) -> Iterator[dict[str, Any]]:
    cmd = [PYTHON, "_pabutools_runner.py", instance["file"], "--variants", ",".join(keys)]
    cmd += ["--timeout", str(args.pabutools_timeout), "--instance-budget", str(budget)]
    total = args.pabutools_parse_timeout + budget + args.pabutools_timeout + 60
    return _stream(cmd, first_timeout=args.pabutools_parse_timeout, total_timeout=total)


def _pabutools_keys(keys: list[str]) -> list[str]:
    """pabutools' variants in the order to run them: one of each rule family first, Add1 (slowest) last.

    When an instance's time budget runs out (the 1M-ballot election), the rules run are the most informative.
    """
    wanted = [e for k in keys for e in (k, *PABUTOOLS_EXTRA.get(k, []))]
    return sorted(wanted, key=lambda k: PABUTOOLS_ORDER.index(k) if k in PABUTOOLS_ORDER else len(PABUTOOLS_ORDER))


def _bench_instance(instance: dict[str, Any], keys: list[str], args: argparse.Namespace, left: float) -> Any:
    print(f"\n## {instance['name']}", flush=True)
    ours = [_report.echo("pbvote", event) for event in _run_ours(instance, keys, args)]
    pab: list[dict[str, Any]] = []
    if not args.no_pabutools:
        budget = min(args.pabutools_instance_budget, max(left, 0.0))
        events = _run_pabutools(instance, _pabutools_keys(keys), budget, args)
        pab = [_report.echo("pabutools", event) for event in events]
    return {"instance": instance["name"], "ours": ours, "pabutools": pab}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="real files only, 20 s pabutools limit")
    parser.add_argument("--instances", help="comma-separated substrings of instance names")
    parser.add_argument("--rules", help="comma-separated rule ids or variant keys")
    parser.add_argument("--pabutools-timeout", type=float, help="seconds per pabutools run (120; --quick 20)")
    parser.add_argument("--pabutools-instance-budget", type=float, help="pabutools seconds per instance (3x timeout)")
    parser.add_argument("--pabutools-total-budget", type=float, default=1500.0, help="pabutools seconds in all")
    parser.add_argument("--pabutools-parse-timeout", type=float, default=300.0)
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--ours-timeout", type=float, default=60.0, help="seconds per pbvote run")
    parser.add_argument("--ours-instance-budget", type=float, default=300.0)
    parser.add_argument("--synthetic-voters", type=int, default=1_000_000)
    parser.add_argument("--results", type=Path, default=HERE / "results", help="where results/<machine>/ goes")
    parser.add_argument("--render", type=Path, help="print the Markdown table of a stored result file and stop")
    args = parser.parse_args(argv)
    if args.pabutools_timeout is None:
        args.pabutools_timeout = 20.0 if args.quick else 120.0
    if args.pabutools_instance_budget is None:
        args.pabutools_instance_budget = 3 * args.pabutools_timeout
    if not args.no_pabutools and _pabutools_version() is None:
        print("pabutools is not installed (pip install -e '.[bench]'); running without it", file=sys.stderr)
        args.no_pabutools = True
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; write the JSON result and print the Markdown table."""
    args = _parse_args(argv)
    if args.render:
        stored = json.loads(args.render.read_text(encoding="utf-8"))
        stored["rows"] = _report.rows(stored["raw"])  # re-pair with this version's rules for notes and checks
        print(_report.markdown(stored))
        return 0
    started = time.perf_counter()
    keys = [v.key for v in KNOWN]
    if args.rules:
        keys = [v.key for v in variants_for([v.rule for v in KNOWN], args.rules.split(","))]
    results = []
    with tempfile.TemporaryDirectory(prefix="pbvote-bench-") as tmp:
        instances = _instances(args, Path(tmp))
        for instance in instances:
            if instance["synthetic"]:
                spec = synthetic.SyntheticSpec(voters=instance["synthetic"])
                synthetic.write_pb_file(synthetic.generate(spec), Path(instance["file"]))
            spent = sum(_report.pabutools_seconds(r["pabutools"]) for r in results)
            results.append(_bench_instance(instance, keys, args, args.pabutools_total_budget - spent))
    rows = _report.rows(results)
    registered = next((e["registered"] for r in results for e in r["ours"] if e["event"] == "load"), [])
    missing = sorted({v.rule for v in KNOWN} - set(registered))
    record = {
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "synthetic": {"spec": str(synthetic.SyntheticSpec(voters=args.synthetic_voters))},
        "registered_rules": registered,
        "rules_not_registered": missing,
        "wall_seconds": time.perf_counter() - started,
        "rows": rows,
        "raw": results,
    }
    path = _report.write(record, args.results)
    print(_report.markdown(record))
    print(f"\nresult written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
