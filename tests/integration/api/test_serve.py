"""`pbvote serve` in a fresh folder: makes its secret (and its SQLite file by default), migrates, and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import run_async, truncate

PBVOTE = Path(sys.executable).with_name("pbvote")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_serve_creates_and_migrates_its_database(tmp_path, request, backend):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PBVOTE_")}
    command = [str(PBVOTE), "serve", "--port", str(port)]
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        run_async(truncate(url))
        command += ["--db", url]
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/elections", timeout=5).json() == []
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert (tmp_path / "pbvote.db").is_file() == (backend == "sqlite")
    secret = tmp_path / "pbvote.secret"
    assert len(secret.read_text().strip()) == 64
    assert secret.stat().st_mode & 0o077 == 0
