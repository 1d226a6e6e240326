"""Errors on the pages become pages: the status of the JSON API's mapping, the message in the reader's language.

The domain's and Litestar's own texts are English, for programs (the JSON API keeps them); a page shows one of its
translated messages instead (`api.pages.problems`). A database that cannot be reached answers 503 with
`Retry-After`, as the API does, but as a page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from api.errors import database_unavailable_handler, status_of
from api.pages.problems import error_message
from api.pages.rendering import PageContext, page_context, render
from pbvote.errors import NotFound, PbvoteError

__all__ = ["page_error_handler", "page_unavailable_handler"]

AnyRequest = Request[Any, Any, Any]


def _message_page(request: AnyRequest, page: PageContext, status: int, heading: str, message: str) -> Response[str]:
    values = {"heading": heading, "message": message, "back": ""}
    return render(request, "message.html", values, status_code=status, page=page)


def page_error_handler(request: AnyRequest, exc: Exception) -> Response[str]:
    """Render an error as an HTML page with its HTTP status."""
    page = page_context(request)
    if isinstance(exc, NotFound) or (isinstance(exc, HTTPException) and exc.status_code == 404):  # noqa: PLR2004
        status, heading = 404, page.gettext("Not found")
        message = page.gettext("There is nothing at this address. Check the link you followed.")
    elif isinstance(exc, PbvoteError):
        status, heading, message = status_of(exc), page.gettext("This cannot be done"), error_message(page, exc)
    elif isinstance(exc, HTTPException) and exc.status_code == 403:  # noqa: PLR2004 -- forbidden
        status, heading = 403, page.gettext("This form has expired")
        message = page.gettext("The form's security token is missing or stale. Go back, reload the page and retry.")
    elif isinstance(exc, HTTPException) and exc.status_code < 500:  # noqa: PLR2004 -- the client's mistakes
        status, heading = exc.status_code, page.gettext("This cannot be done")
        message = page.gettext("This address or form cannot be read. Go back and try again.")
    else:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        heading = message = page.gettext("Something went wrong")
    return _message_page(request, page, status, heading, message)


def page_unavailable_handler(request: AnyRequest, exc: Exception) -> Response[str]:
    """A database that is down: 503 with `Retry-After` as a page (a database bug stays a plain 500 page)."""
    answer = database_unavailable_handler(request, exc)
    page = page_context(request)
    if answer.status_code != 503:  # noqa: PLR2004 -- unavailable
        heading = page.gettext("Something went wrong")
        return _message_page(request, page, 500, heading, heading)
    heading = page.gettext("Please wait a moment")
    message = page.gettext("The voting system is not reachable right now. Wait a few seconds and try again.")
    response = _message_page(request, page, 503, heading, message)
    response.set_header("Retry-After", answer.headers["Retry-After"])
    return response
