"""Turn the runners' events into comparison rows, a JSON record and a Markdown table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["echo", "markdown", "pabutools_seconds", "rows", "write"]

CITY_RULES = {
    "greedy": "greedy",
    "equalshares": "mes/cost/none",
    "equalshares/add1": "mes/cost/add1",
    "equalshares/add1-comparison": "mes/cost/add1+comparison",
}
"""pabulib's META `rule` -> the variant that computes what the city did."""


_UNREGISTERED = {"status": "not registered"}
_NO_RUNNER = {"status": "runner failed"}


def echo(tool: str, event: dict[str, Any]) -> dict[str, Any]:
    """Print one runner event as a progress line; return it."""
    kind = event.get("event")
    if kind in {"load", "parse"}:
        facts = {k: v for k, v in event.items() if k in {"ballots", "distinct_ballots", "vote_type"}}
        timing = {k: round(v, 3) for k, v in event.items() if k.endswith("_seconds")}
        print(f"  {tool:9} {kind}: {facts} {timing}", flush=True)
    elif kind in {"run", "task"}:
        print(f"  {tool:9} {event['variant']:32} {_cell(event)}", flush=True)
    elif kind == "late":
        print(f"  {tool:9} stopped: no answer after {event['after_seconds']:.0f} s", flush=True)
    return event


def pabutools_seconds(events: list[dict[str, Any]]) -> float:
    """The time pabutools spent on rules (the per-instance budgets count this)."""
    return sum(float(e.get("seconds", 0.0)) for e in events if e.get("event") == "run")


def _by_variant(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["variant"]: e for e in events if e.get("event") in {"run", "task"}}


def _first(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next((e for e in events if e.get("event") == kind), {})


def _explain(key: str, ours: Mapping[str, Any], pab: Mapping[str, Any], load: Mapping[str, Any]) -> str:
    """Why two funded sets differ, when a known reason applies."""
    only_ours = set(ours["selected"]) - set(pab["selected"])
    only_pab = set(pab["selected"]) - set(ours["selected"])
    support, costs = load.get("support", {}), load.get("costs", {})
    notes = [f"only pbvote: {sorted(only_ours)}; only pabutools: {sorted(only_pab)}"]
    if "@increment" in pab.get("variant", ""):
        notes.append("known: pabutools' voter_budget_increment stops Add1 at the first exhaustive outcome")
    elif key.startswith("max-welfare") and support and costs:
        weight = (lambda p: costs[p] * support[p]) if key.endswith("cost") else (lambda p: support[p])
        ours_total = sum(weight(p) for p in ours["selected"])
        pab_total = sum(weight(p) for p in pab["selected"])
        same = "equal welfare: two optima, broken differently" if ours_total == pab_total else "welfare differs"
        notes.append(f"{same} ({ours_total} vs {pab_total})")
    if ours.get("ties"):
        notes.append(f"pbvote broke {ours['ties']} tie(s)")
    return "; ".join(notes)


def _row(instance: str, key: str, ours: dict[str, Any], pab: dict[str, Any], load: dict[str, Any]) -> dict[str, Any]:
    base = key.split("@", 1)[0]
    row: dict[str, Any] = {"instance": instance, "variant": key, "ballots": load.get("ballots")}
    row |= {"ours_status": ours.get("status", "not run"), "ours_seconds": ours.get("seconds")}
    row |= {"ours_peak_rss_mib": ours.get("peak_rss_mib"), "ours_selected": ours.get("selected")}
    row |= {"pabutools_status": pab.get("status", "not run"), "pabutools_seconds": pab.get("seconds")}
    row |= {"pabutools_selected": pab.get("selected"), "note": pab.get("note") or ours.get("note") or ""}
    row |= {"ours_cpu_seconds": ours.get("cpu_seconds"), "pabutools_cpu_seconds": pab.get("cpu_seconds")}
    if row["ours_status"] == "error":
        row["ours_error"] = ours.get("note", "")
    if row["ours_status"] == "ok" and row["pabutools_status"] == "ok":
        row["ratio"] = pab["seconds"] / ours["seconds"] if ours["seconds"] > 0 else None
        if ours.get("cpu_seconds") and pab.get("cpu_seconds"):
            row["cpu_ratio"] = pab["cpu_seconds"] / ours["cpu_seconds"]
    if "selected" in ours and "selected" in pab:
        row["agree"] = set(ours["selected"]) == set(pab["selected"])
        if not row["agree"]:
            row["note"] = _explain(base, ours, pab, load)
    city = load.get("city_selected")
    if city is not None and CITY_RULES.get(str(load.get("city_rule"))) == base:
        for tool, event in (("ours", ours), ("pabutools", pab)):
            if event.get("status") == "ok":
                row[f"{tool}_matches_city"] = set(event["selected"]) == set(city)
    return row


def rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per instance and variant (plus parse), pairing pbvote's and pabutools' events."""
    out: list[dict[str, Any]] = []
    for result in results:
        load, parse = _first(result["ours"], "load"), _first(result["pabutools"], "parse")
        ours, pab = _by_variant(result["ours"]), _by_variant(result["pabutools"])
        pab_parse = {"status": "ok", "seconds": parse["parse_seconds"]} if parse else {}
        if parse:
            pab_parse["note"] = f"pabutools multiprofile {parse['multiprofile_seconds']:.2f} s more"
        out.append(_row(result["instance"], "parse", ours.get("parse", {}), pab_parse, load))
        out.append(_row(result["instance"], "compile", ours.get("compile", {}), {"status": "n/a"}, load))
        keys = [k for k in ours if k not in {"parse", "compile"}]
        keys += [k for k in pab if k not in ours]
        for key in keys:
            base = key.split("@", 1)[0]
            mine = ours.get(base) or ({} if base.split("/")[0] in load.get("registered", ()) else _UNREGISTERED)
            if not load:
                mine = _NO_RUNNER  # the runner failed before listing the registry (its error is on stderr)
            if key in ours or pab.get(key, {}).get("status", "n/a") != "n/a":  # else neither tool has it here
                out.append(_row(result["instance"], key, mine, pab.get(key, {}), load))
    return out


def write(record: dict[str, Any], root: Path) -> Path:
    """Write the record to `root/<machine>/<UTC timestamp>.json`."""
    folder = root / record["machine"]["name"]
    folder.mkdir(parents=True, exist_ok=True)
    stamp = record["date"].replace(":", "").replace("-", "").replace("+0000", "Z")
    suffix = "-quick" if record["config"].get("quick") else ""
    path = folder / f"{stamp}{suffix}.json"
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _cell(event: Mapping[str, Any]) -> str:
    status = event.get("status", "not run")
    seconds = event.get("seconds")
    if status == "ok" and seconds is not None:
        text = f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
        cpu = event.get("cpu_seconds")
        if cpu is not None:
            text = f"{cpu:.3f} s" if cpu < 10 else f"{cpu:.1f} s"
            text += f" ({seconds:.2f} s wall)" if seconds < 10 else f" ({seconds:.1f} s wall)"
    elif status == "exceeded":
        text = f"exceeded {seconds:.0f} s" if seconds else "exceeded (implied)"
    else:
        text = str(status)
    if event.get("note") and status in {"error", "not-run"}:
        text += f" ({event['note']})"
    return text


def _ratio(value: float | None) -> str:
    if not value:
        return ""
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def _tick(value: object) -> str:
    return {True: "yes", False: "**no**"}.get(value, "") if isinstance(value, bool) else ""


def targets(table: list[dict[str, Any]]) -> list[str]:
    """The issue's targets, checked: every rule under 1 s on each real file and 10 s on the synthetic election,
    in at most 2 GB of memory."""
    misses, peak, runs, refused = [], 0.0, 0, 0
    for row in table:
        if row["variant"] in {"parse", "compile"} or row["ours_status"] in {"not registered", "not run"}:
            continue
        if str(row.get("ours_error", "")).startswith(("InvalidRuleOptions", "InvalidElection")):
            refused += 1  # the rule does not apply to this file (no threshold in META, Phragmen on points)
            continue
        runs += 1
        big = str(row["instance"]).startswith("synthetic")
        limit = 10.0 if big else 1.0
        seconds = row.get("ours_seconds") or 0.0
        cpu = row.get("ours_cpu_seconds")
        if row["ours_status"] != "ok" or (cpu if cpu is not None else seconds) > limit:
            cell = _cell({"status": row["ours_status"], "seconds": seconds, "cpu_seconds": cpu})
            misses.append(f"{row['instance']} {row['variant']}: {cell}")
        if big and row.get("ours_peak_rss_mib"):
            peak = max(peak, float(row["ours_peak_rss_mib"]))
    head = "Targets (< 1 s per real file, < 10 s on the synthetic election; CPU seconds where measured):"
    text = [f"{head} {runs - len(misses)} of {runs} runs met." if runs else f"{head} no pbvote rule ran."]
    if refused:
        text.append(f"Not counted: {refused} runs where the rule refuses the file with a clear error (not applicable).")
    text += [f"- missed: {m}" for m in misses]
    if peak:
        text.append(f"Peak memory of a pbvote rule on the synthetic election: {peak:.0f} MiB (target 2048 MiB).")
    return text


def markdown(record: Mapping[str, Any]) -> str:
    """The README table: one line per instance and variant."""
    head = "| instance | rule | pbvote CPU | pabutools 1.2.3 CPU | pabutools / pbvote | same set | city's outcome | "
    head += "pbvote peak MiB | note |\n|---|---|---:|---:|---:|---|---|---:|---|"
    lines = [head]
    for row in record["rows"]:
        ours = {
            "status": row["ours_status"],
            "seconds": row["ours_seconds"],
            "cpu_seconds": row.get("ours_cpu_seconds"),
        }
        pab = {"status": row["pabutools_status"], "seconds": row["pabutools_seconds"]}
        pab["cpu_seconds"] = row.get("pabutools_cpu_seconds")
        ratio = _ratio(row.get("cpu_ratio") or row.get("ratio"))
        city = " / ".join(
            f"{tool} {_tick(row[f'{tool}_matches_city'])}"
            for tool in ("ours", "pabutools")
            if f"{tool}_matches_city" in row
        )
        peak = f"{row['ours_peak_rss_mib']:.0f}" if row.get("ours_peak_rss_mib") else ""
        note = str(row.get("note", "")).replace("|", "/")[:160]
        cells = [row["instance"], row["variant"], _cell(ours), _cell(pab), ratio, _tick(row.get("agree")), city, peak]
        lines.append("| " + " | ".join([*cells, note]) + " |")
    lines.append("")
    lines.extend(targets(record["rows"]))
    machine = record["machine"]
    footer = f"\nMachine: {machine['name']} ({machine['cpu_model']}), Python {machine['python']}, numpy "
    footer += f"{machine['numpy']}, pabutools {machine['pabutools']}; {record['date']}."
    if record["rules_not_registered"]:
        footer += f" Rules not registered: {', '.join(record['rules_not_registered'])}."
    return "\n".join(lines) + footer
