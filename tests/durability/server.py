"""Real processes for the durability tests: `pbvote serve`, a scratch PostgreSQL database, a throwaway cluster.

The server runs exactly as a town would run it (`pbvote serve --db URL`), so SIGKILL hits uvicorn, the pool and the
drivers mid-write. A `Cluster` is a PostgreSQL of our own (initdb in a temporary folder, its own port), which the
outage test stops with `pg_ctl stop -m immediate`: the machine's shared server on 5432 is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from ballots.staff import create_token
from ballots.store.engine import make_engine, make_sessionmaker

PBVOTE = Path(sys.executable).with_name("pbvote")
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any `PBVOTE_*` setting of the caller, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PBVOTE_")}
    return env | extra


@dataclass(slots=True)
class Server:
    """`pbvote serve` as a child process on `url`, restartable on the same port."""

    url: str
    secret: str
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        """Start the server and wait until `/healthz` answers 200."""
        log = (self.workdir / f"server-{self.starts}.log").open("wb")
        command = [str(PBVOTE), "serve", "--db", self.url, "--port", str(self.port)]
        env = clean_env(PBVOTE_SECRET=self.secret)
        self.process = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pbvote serve did not come up:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no pool cleanup."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """A polite stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mib(self) -> float:
        """The server's resident memory in MiB (0 when it is not running)."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def log_tail(self, lines: int = 40) -> str:
        """The end of the last start's log."""
        path = self.workdir / f"server-{self.starts - 1}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


async def admin_token(url: str) -> str:
    """A fresh admin token on the (already migrated) database at `url`, as `pbvote token create` makes it."""
    engine = make_engine(url, null_pool=True)
    try:
        return await create_token(make_sessionmaker(engine), "admin", "durability")
    finally:
        await engine.dispose()


def _dsn(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


async def admin_execute(base_url: str, sql: str) -> None:
    connection = await asyncpg.connect(_dsn(base_url, make_url(base_url).database or "postgres"), timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_database(base_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on `base_url`'s server, dropped on exit; yields its URL."""
    name = f"pbvote_durability_{secrets.token_hex(5)}"
    asyncio.run(admin_execute(base_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin_execute(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def postgres_bindir() -> Path | None:
    """Where `initdb` and `pg_ctl` live: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        done = subprocess.run(["pg_config", "--bindir"], capture_output=True, check=False, text=True)  # noqa: S607 -- found on PATH just above
        candidates.append(Path(done.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]  # noqa: PTH207 -- a version wildcard
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


@dataclass(slots=True)
class Cluster:
    """A throwaway PostgreSQL cluster on its own port, run as the `postgres` user when we are root."""

    bindir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pbvote-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        """The URL of its `postgres` database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb refuses root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def init(self) -> None:
        """initdb with trust authentication."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def crash(self) -> None:
        """`pg_ctl stop -m immediate`: the server quits without a checkpoint, as in a crash."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        """Stop it (if running) and delete its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
