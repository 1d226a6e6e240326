"""The words the pages show for stored values: an election's and a batch's status, a staff member's role.

The same English word can need different forms: an election "open" and a batch "open" agree with different nouns
in Spanish, French, Russian and Arabic, so each is translated in its own message context (`pgettext`). A value
these lists do not know (a status added later) is shown as stored.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["batch_status", "election_status", "staff_role"]

Pgettext = Callable[[str, str], str]


def election_status(pgettext: Pgettext, status: str) -> str:
    """An election's status (`draft`, `open`, `closed`, `tallied`) in words."""
    words = {
        "draft": pgettext("election status", "draft"),
        "open": pgettext("election status", "open"),
        "closed": pgettext("election status", "closed"),
        "tallied": pgettext("election status", "tallied"),
    }
    return words.get(status, status)


def batch_status(pgettext: Pgettext, status: str) -> str:
    """A paper batch's status (`open`, `reconciled`) in words."""
    words = {
        "open": pgettext("batch status", "open"),
        "reconciled": pgettext("batch status", "reconciled"),
    }
    return words.get(status, status)


def staff_role(pgettext: Pgettext, role: str) -> str:
    """A staff role (`admin`, `official`, `observer`) as the people in it are called."""
    words = {
        "admin": pgettext("staff role", "coordinator"),
        "official": pgettext("staff role", "official"),
        "observer": pgettext("staff role", "observer"),
    }
    return words.get(role, role)
