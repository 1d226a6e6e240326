"""The HTML pages, served by the same app as the JSON API.

- `vote.py`: `/vote/{election}`, the resident's ballot, review, confirmation and receipt.
- `kiosk.py`, `paper_pages.py`: `/kiosk`, officials' check-in, kiosk ballots and paper batches.
- `public.py`: `/results/{election}`, `/turnout/{election}`, `/receipt` and the participation certificate.
- `ballot_form.py`, `paper_entry.py`, `results_view.py`, `turnout_view.py`, `charts.py`, `qr.py`: what they show.
- `rendering.py`, `security.py`, `errors.py`: Jinja in the request's language, CSRF and CSP, errors as pages.
- `templates/`, `static/`: Jinja templates, one stylesheet and small scripts (no build step).
"""

from __future__ import annotations

from litestar import Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.static_files import create_static_files_router

from api.errors import DATABASE_UNAVAILABLE
from api.pages.errors import page_error_handler, page_unavailable_handler
from api.pages.kiosk import KioskController
from api.pages.paper_pages import PaperController
from api.pages.public import HomeController, PublicController
from api.pages.rendering import STATIC_DIR
from api.pages.vote import VoteController
from pbvote.errors import PbvoteError

__all__ = ["pages_router"]

pages_router = Router(
    path="/",
    route_handlers=[
        VoteController,
        PublicController,
        HomeController,
        KioskController,
        PaperController,
        create_static_files_router(path="/static/pages", directories=[STATIC_DIR], include_in_schema=False),
    ],
    exception_handlers={
        PbvoteError: page_error_handler,
        # Litestar's own refusals (a stale CSRF token, a path or query that cannot be read) and a database that is
        # down become pages too, not the JSON API's English bodies
        HTTPException: page_error_handler,
        ValidationException: page_error_handler,  # the app maps it for the JSON API, more narrowly than HTTPException
        **dict.fromkeys(DATABASE_UNAVAILABLE, page_unavailable_handler),
    },
    include_in_schema=False,
)
