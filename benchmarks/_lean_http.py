"""A lean HTTP/1.1 client for the soak's load: one keep-alive connection, a JSON body out, the answer back.

The soak runs its load generator on the same two cores as the server it measures. httpx spends about a
millisecond of CPU on each request, so at 500 requests/s the generator alone took over half a core from the
server (top, during `make soak`); this client writes the request in one call and reads the answer by its
`Content-Length`, for a small fraction of that. It does what the soak needs and no more: POST over plain HTTP to
one host, answers with a `Content-Length` (Litestar sends one on every answer), no redirects, no TLS.

`LeanClient.post` answers like `httpx.AsyncClient.post` for what `tests.durability.voters.submit` reads
(`status_code`, `headers`, `json()`, `text`) and raises `httpx.TransportError` when the connection fails or the
answer does not come in time, so the soak's retries behave as with httpx: after any failure the connection is
dropped (its state is unknown) and the next request opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["LeanAnswer", "LeanClient"]


class LeanAnswer:
    """The parts of an HTTP answer the soak reads; header names are lower case."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        """An answer as read from the wire."""
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", errors="replace")


class LeanClient:
    """One keep-alive connection to `base` (`http://host:port`), opened on first use and after any failure."""

    def __init__(self, base: str) -> None:
        """A client of the server at `base`; nothing is opened yet."""
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"LeanClient speaks plain http to one host, not {base!r}")
        self._host, self._port = parts.hostname, parts.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(
        self,
        url: str,
        *,
        json: Any,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109 -- httpx's signature, which `submit` calls
    ) -> LeanAnswer:
        """POST `json` to `url` (a path) and read the answer within `timeout` seconds.

        Raises:
            httpx.TransportError: the connection failed, closed early, or the answer took longer than `timeout`.
        """
        body = _dumps(json)
        lines = [f"POST {url} HTTP/1.1", f"Host: {self._host}:{self._port}", "Content-Type: application/json"]
        lines += [f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in (headers or {}).items())]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(request)
        except (OSError, EOFError, TimeoutError, ValueError) as exc:  # IncompleteReadError is an EOFError
            await self.aclose()
            raise httpx.TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(self, request: bytes) -> LeanAnswer:
        if self._streams is not None and self._streams[0].at_eof():
            await self.aclose()  # the server closed it while idle (uvicorn's keep-alive timeout), as httpx checks
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        writer.write(request)
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        head = await reader.readuntil(b"\r\n\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise ValueError("a chunked answer (this client reads answers by their Content-Length)")
        if "content-length" in headers:
            content = await reader.readexactly(int(headers["content-length"]))
        else:
            content = await reader.read()  # no length: the body ends when the server closes
        if "content-length" not in headers or headers.get("connection", "").lower() == "close":
            await self.aclose()
        return LeanAnswer(status, headers, content)

    async def aclose(self) -> None:
        """Close the connection, if open."""
        if self._streams is not None:
            _, writer = self._streams
            self._streams = None
            writer.close()
            with contextlib.suppress(OSError):  # closed by the server already
                await writer.wait_closed()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")
