"""Rendering the pages: one Jinja environment per language, the language of each request, and the HTML response.

The language comes from `?lang=` (remembered in a cookie), else that cookie, else the browser's Accept-Language.
Every page answer carries the security headers and the CSRF cookie its forms need.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import MediaType

from api.i18n import LANGUAGES, Language, choose_language, translations
from api.i18n.numbers import format_count, format_money
from api.pages import labels
from api.pages.security import CSRF_FIELD, SECURITY_HEADERS, csrf_cookie, csrf_token

__all__ = ["LANG_COOKIE", "STATIC_DIR", "PageContext", "page_context", "render"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "pbvote_lang"
AnyRequest = Request[Any, Any, Any]


@cache
def environment(code: str) -> Environment:
    """The Jinja environment speaking one language (autoescaped, strict about undefined names)."""
    env = Environment(
        loader=PackageLoader("api.pages", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalog = translations(code)
    # newstyle gettext: `_`, `gettext`, `pgettext` (a message with its context) and their plural forms
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    # `raw_` translates a message kept as a template (`%(total)s` left in) for the page's script to fill in
    env.globals["raw_"] = catalog.gettext
    env.globals["languages"] = list(LANGUAGES.values())
    number_locale = LANGUAGES[code].number_locale
    env.filters["money"] = lambda amount, currency="": format_money(amount, currency, number_locale)
    env.filters["count"] = lambda count: format_count(count, number_locale)
    env.filters["election_status"] = lambda status: labels.election_status(catalog.pgettext, status)
    env.filters["batch_status"] = lambda status: labels.batch_status(catalog.pgettext, status)
    env.filters["staff_role"] = lambda role: labels.staff_role(catalog.pgettext, role)
    return env


class PageContext:
    """What every page of one request knows: its language, CSRF token and path."""

    __slots__ = ("csrf", "language", "set_language")

    def __init__(self, language: Language, csrf: str, *, set_language: bool) -> None:
        self.language = language
        self.csrf = csrf
        self.set_language = set_language

    def gettext(self, message: str, **values: object) -> str:
        """Translate `message` into the request's language and fill in its `%(name)s` values."""
        text = translations(self.language.code).gettext(message)
        return text % values if values else text

    def pgettext(self, context: str, message: str, **values: object) -> str:
        """Translate `message` as meant in `context` (an election "open", a batch "open") and fill in its values."""
        text = translations(self.language.code).pgettext(context, message)
        return text % values if values else text

    def money(self, amount: int, currency: str, *, exponent: int = 0) -> str:
        """An amount as the request's language writes it (`exponent`: decimal places of the counting unit)."""
        return format_money(amount, currency, self.language.number_locale, exponent=exponent)

    def count(self, count: int) -> str:
        """A whole number as the request's language writes it."""
        return format_count(count, self.language.number_locale)


def page_context(request: AnyRequest) -> PageContext:
    """The language and CSRF token of a request."""
    requested = request.query_params.get("lang")
    code = choose_language(requested or request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    return PageContext(LANGUAGES[code], csrf_token(request), set_language=requested == code)


def _switch_url(request: AnyRequest, values: Mapping[str, object]) -> str:
    """Where the language links go: this page again (its query kept), or for a form's answer the form's page."""
    if request.method != "GET":
        return f"{values.get('restart', '/')}?"
    kept = [(key, value) for key, value in parse_qsl(request.url.query, keep_blank_values=True) if key != "lang"]
    query = urlencode(kept)
    return f"{request.url.path}?{query}&" if query else f"{request.url.path}?"


def render(
    request: AnyRequest,
    template: str,
    values: Mapping[str, object],
    *,
    status_code: int = 200,
    page: PageContext | None = None,
) -> Response[str]:
    """Render `template` in the request's language as an HTML response with the security headers and cookies."""
    page = page or page_context(request)
    env = environment(page.language.code)
    html = env.get_template(template).render(
        {
            **values,
            "lang": page.language,
            "csrf_field": CSRF_FIELD,
            "csrf_token": page.csrf,
            "switch_url": _switch_url(request, values),
        }
    )
    secure = request.url.scheme == "https"
    cookies = [csrf_cookie(page.csrf, secure=secure)]
    if page.set_language:
        year = 365 * 24 * 3600
        cookies.append(Cookie(key=LANG_COOKIE, value=page.language.code, samesite="lax", secure=secure, max_age=year))
    return Response(html, status_code=status_code, media_type=MediaType.HTML, headers=SECURITY_HEADERS, cookies=cookies)
