"""What a page tells a resident or an official when the domain refuses: a message in their language.

The domain's exception texts are English and written for programs and logs (the JSON API answers with them), so a
page never shows `str(exc)`: it maps each refusal to one of its own translated messages, from the exception's type
and structured fields (a ballot's reason codes, a limiter's wait) and from what the page itself knows (the projects
chosen, the paper and batch being keyed, read again after the refusal).
"""

from __future__ import annotations

from collections.abc import Sequence

from api.pages.ballot_form import check_choice
from api.pages.rendering import PageContext
from ballots.errors import CredentialRejected, Forbidden, InvalidBallot, RateLimited, StaffError
from ballots.intake.paper import Mismatch
from ballots.store.models import PaperBatchRow
from pbvote.election import Election
from pbvote.errors import BallotError, ConflictError, InvalidElection, NotFound, PbvoteError

__all__ = ["ballot_problems", "checkin_problem", "credential_problem", "error_message", "not_open", "paper_problem"]


def not_open(page: PageContext) -> str:
    """The election takes no ballots now."""
    return page.gettext("Voting is not open for this election.")


def credential_problem(page: PageContext, exc: Exception) -> str:
    """What to tell a resident whose credential was refused, in their language."""
    if isinstance(exc, RateLimited):
        minutes = max(1, -(-exc.retry_after // 60))
        return page.gettext("Too many attempts. Wait %(minutes)s min and try again.", minutes=minutes)
    if isinstance(exc, ConflictError):
        return page.gettext("A ballot was already cast with this credential, online or at a kiosk.")
    return page.gettext(
        "This voting code or census identifier does not let you vote in this election. Check it and try again."
    )


def ballot_problems(
    page: PageContext, election: Election, district: str | None, chosen: Sequence[str], exc: InvalidBallot
) -> list[str]:
    """Every reason the intake refused a ballot, in the reader's language.

    The election's rules are checked again here, where the projects and limits can be named; the intake's own
    reasons (the election closed, the resident's district on the roll) are told by their code.
    """
    messages = check_choice(page, election, district, chosen)
    for reason in exc.field_reasons:
        if reason.code == "not-open":
            messages.append(not_open(page))
        elif reason.code == "not-your-district":
            messages.append(page.gettext("This resident is on the roll of another district: choose their district."))
    return list(dict.fromkeys(messages)) or [page.gettext("This ballot breaks a rule of the election.")]


def checkin_problem(page: PageContext, checkin: str) -> str:
    """A kiosk ballot entered under a check-in that is not waiting for one at this kiosk."""
    return page.gettext(
        "Check-in %(code)s is not waiting for a ballot at this kiosk: its ballot is already recorded, or the "
        "resident checked in at another kiosk.",
        code=checkin,
    )


def paper_problem(
    page: PageContext, exc: PbvoteError, batch: PaperBatchRow, problems: Sequence[Mismatch], seq: int | None = None
) -> str:
    """Why keying, resolving (`seq` given) or reconciling a paper batch was refused, from the batch as it is now."""
    if isinstance(exc, Forbidden):
        return page.gettext("Only a coordinator resolves papers and reconciles a batch.")
    if batch.status != "open":
        return page.gettext("Batch %(label)s is reconciled: its papers no longer change.", label=batch.label)
    if isinstance(exc, InvalidElection) and seq is not None:
        return page.gettext(
            "There is no paper %(seq)s in this batch: its papers are numbered 1 to %(count)s.",
            seq=seq,
            count=batch.envelope_count,
        )
    if seq is None:
        unresolved = ", ".join(str(m.seq) for m in problems if not m.resolved)
        return page.gettext(
            "The batch cannot be reconciled yet. Papers not keyed twice alike or resolved: %(papers)s.",
            papers=unresolved or "-",
        )
    if seq not in {m.seq for m in problems if 1 not in m.keyings or 2 not in m.keyings}:  # noqa: PLR2004 -- pass 2
        return page.gettext("Paper %(seq)s has been keyed by two officials already.", seq=seq)
    return page.gettext("Paper %(seq)s was saved by someone else at the same moment. Try again.", seq=seq)


def error_message(page: PageContext, exc: PbvoteError) -> str:  # noqa: PLR0911 -- one message per kind of error
    """The message of an error page for a refusal no form shows next to its fields."""
    if isinstance(exc, CredentialRejected | RateLimited):
        return credential_problem(page, exc)
    if isinstance(exc, InvalidBallot) and any(r.code == "not-open" for r in exc.field_reasons):
        return not_open(page)
    if isinstance(exc, BallotError):
        return page.gettext("This ballot breaks a rule of the election.")
    if isinstance(exc, Forbidden):
        return page.gettext("Your staff role may not do this.")
    if isinstance(exc, StaffError):
        return page.gettext("Sign in again with your staff token.")
    if isinstance(exc, NotFound):
        return page.gettext("There is nothing at this address. Check the link you followed.")
    if isinstance(exc, ConflictError):
        return page.gettext("The election or the batch has changed since this page was shown. Reload it and try again.")
    return page.gettext("This cannot be done as it was asked. Go back, check the form and try again.")
