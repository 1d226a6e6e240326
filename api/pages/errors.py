"""Errors on the pages become pages: the status of the JSON API's mapping, the message in the reader's language."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from api.errors import status_of
from api.pages.rendering import page_context, render
from pbvote.errors import NotFound, PbvoteError

__all__ = ["page_error_handler"]


def page_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """Render an error as an HTML page with its HTTP status."""
    page = page_context(request)
    if isinstance(exc, NotFound):
        status, heading = 404, page.gettext("Not found")
        message = page.gettext("There is nothing at this address. Check the link you followed.")
    elif isinstance(exc, PbvoteError):
        status, heading, message = status_of(exc), page.gettext("This cannot be done"), str(exc)
    elif isinstance(exc, HTTPException) and exc.status_code == 403:  # noqa: PLR2004 -- forbidden
        status, heading = 403, page.gettext("This form has expired")
        message = page.gettext("The form's security token is missing or stale. Go back, reload the page and retry.")
    else:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        heading = message = page.gettext("Something went wrong")
    values = {"heading": heading, "message": message, "back": ""}
    return render(request, "message.html", values, status_code=status, page=page)
