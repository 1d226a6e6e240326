"""Security headers and CSRF protection for the HTML pages.

Forms carry a double-submit token: a random value in a `SameSite=Strict` cookie and the same value in a hidden
field; a POST whose field does not match its cookie is refused. The pages send a Content-Security-Policy that
allows scripts, styles and images from this server only: no inline script or style anywhere.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SECURITY_HEADERS",
    "check_csrf",
    "csrf_cookie",
    "csrf_token",
]

CSRF_COOKIE = "pbvote_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = "; ".join(  # noqa: FLY002 -- one directive a line reads best
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The request's CSRF token: the one in its cookie, or a new one (which `csrf_cookie` then sets)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    return existing if len(existing) >= 32 else secrets.token_urlsafe(32)  # noqa: PLR2004 -- 32 chars of entropy


def csrf_cookie(token: str, *, secure: bool) -> Cookie:
    """The cookie that carries the CSRF token (not readable by scripts, never sent cross-site)."""
    return Cookie(key=CSRF_COOKIE, value=token, httponly=True, samesite="strict", secure=secure, path="/")


def check_csrf(request: Request[Any, Any, Any], submitted: str | None) -> None:
    """Refuse a form whose CSRF field does not match its cookie.

    Raises:
        PermissionDeniedException: when the token is missing or does not match (HTTP 403).
    """
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not submitted or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise PermissionDeniedException("the form's security token is missing or stale; reload the page and retry")
