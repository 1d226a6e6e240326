"""Run one measured task in a forked child with a wall-clock limit, and read its peak memory.

The parent loads an election once; each task runs in a `fork()` of it, so a task that runs past its limit is
killed (with any process it started: the child leads its own process group) without losing the loaded data, and
the child's peak resident memory (`wait4` rusage) is the whole process's peak while it ran the task: the loaded
election and ballots plus whatever the task allocated. POSIX only, like the rest of `make bench`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Outcome", "kill_running_child_on_term", "run_isolated"]

_KIB_PER_MIB = 1024
_running: list[int] = []  # the child being waited for, so a SIGTERM to the runner takes it down too


def _on_term(signum: int, _frame: object) -> None:
    for pid in _running:
        _kill(pid)
    raise SystemExit(128 + signum)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def kill_running_child_on_term() -> None:
    """Make SIGTERM to this process kill the task running in a child first (used by the runner scripts)."""
    signal.signal(signal.SIGTERM, _on_term)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a task did.

    Attributes:
        status: `ok`, `exceeded` (killed at the limit) or `error` (raised; `error` says what).
        seconds: the task's own timing when `ok` (the task reports it), else the wall time until it stopped.
        peak_rss_mib: the child's peak resident memory, in MiB.
        result: the JSON object the task returned.
        error: the exception, when `error`.
    """

    status: str
    seconds: float
    peak_rss_mib: float
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def _child(task: Callable[[], dict[str, Any]], write_fd: int) -> None:
    os.setpgid(0, 0)
    try:
        payload: dict[str, Any] = {"ok": True, "result": task()}
    except BaseException as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        payload = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:400] + where}
    data = json.dumps(payload).encode()
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(data)
    os._exit(0)


def _read_until(read_fd: int, deadline: float) -> list[bytes] | None:
    """Everything the child writes until it closes the pipe, or `None` if the deadline comes first."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if ready:
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                return chunks
            chunks.append(chunk)


def run_isolated(task: Callable[[], dict[str, Any]], timeout: float) -> Outcome:
    """Run `task` in a forked child; kill it after `timeout` seconds.

    `task` returns a JSON-serialisable dict; if it has a `seconds` key, that is the reported time (so the task can
    time just the part that matters), else the wall time from fork to answer is.
    """
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        _child(task, write_fd)
    with contextlib.suppress(OSError):  # the child does it too; whichever runs first makes the group
        os.setpgid(pid, pid)
    os.close(write_fd)
    _running.append(pid)
    chunks = _read_until(read_fd, started + timeout)
    wall = time.perf_counter() - started
    os.close(read_fd)
    if chunks is None:
        _kill(pid)
    _, status, usage = os.wait4(pid, 0)
    _running.remove(pid)
    peak = usage.ru_maxrss / _KIB_PER_MIB
    if chunks is None:
        return Outcome("exceeded", wall, peak)
    if not chunks:
        return Outcome("error", wall, peak, error=f"the child died without an answer (wait status {status})")
    payload = json.loads(b"".join(chunks))
    if not payload["ok"]:
        return Outcome("error", wall, peak, error=payload["error"])
    result: dict[str, Any] = payload["result"]
    return Outcome("ok", float(result.get("seconds", wall)), peak, result)
