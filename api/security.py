"""Security headers on every answer, whatever produced it (a handler, an error, an unknown path).

A response that already sets a header (a page with its own Content-Security-Policy and nonce) keeps its own.
"""

from __future__ import annotations

from litestar.types import Message, Scope

__all__ = ["API_POLICY", "DOCS_POLICY", "SECURITY_HEADERS", "add_security_headers"]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
"""JSON and file answers load nothing, run nothing and may not be framed."""

DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://cdn.jsdelivr.net; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""The API explorers under `/schema` load their scripts from the CDNs Litestar names; nothing else."""

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


_ENCODED = {
    policy: [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    for policy, headers in (
        (API_POLICY, {"content-security-policy": API_POLICY, **SECURITY_HEADERS}),
        (DOCS_POLICY, {"content-security-policy": DOCS_POLICY, **SECURITY_HEADERS}),
    )
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar `before_send` hook: set each header the response does not set itself."""
    if message["type"] != "http.response.start":
        return
    policy = DOCS_POLICY if str(scope.get("path", "")).startswith("/schema") else API_POLICY
    raw = list(message.get("headers", ()))
    present = {bytes(name).lower() for name, _ in raw}
    raw.extend(header for header in _ENCODED[policy] if header[0] not in present)
    message["headers"] = raw
