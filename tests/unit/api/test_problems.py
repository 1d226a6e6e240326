"""The error page's message for every kind of domain error, in French: never the exception's English text."""

# ruff: noqa: RUF001 -- French writes its apostrophe as U+2019, as the catalog does

from __future__ import annotations

import pytest

from api.i18n import LANGUAGES
from api.pages.labels import batch_status, election_status, staff_role
from api.pages.problems import error_message
from api.pages.rendering import PageContext
from ballots.errors import CredentialRejected, FieldReason, Forbidden, InvalidBallot, RateLimited, Unauthenticated
from pbvote.errors import ConflictError, InvalidElection, NotFound, PbvoteError, UnknownRule

PAGE = PageContext(LANGUAGES["fr"], "token", set_language=False)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            CredentialRejected("this voting code is not on the roll of election 3"),
            (
                "Ce code de vote ou ce numéro d’inscription ne vous permet pas de voter à cette élection. "
                "Vérifiez-le et réessayez."
            ),
        ),
        (RateLimited("code", 90), "Trop de tentatives. Attendez 2 min et réessayez."),
        (
            InvalidBallot([FieldReason("election", "not-open", "election 3 is closed, not open")]),
            "Le vote n’est pas ouvert pour cette élection.",
        ),
        (
            InvalidBallot([FieldReason("points", "too-many-points", "12 points given; at most 10")]),
            "Ce bulletin enfreint une règle de l’élection.",
        ),
        (Forbidden("role 'observer' may not do this"), "Votre rôle ne permet pas cette action."),
        (Unauthenticated("this staff token is not valid"), "Reconnectez-vous avec votre jeton d’agent."),
        (NotFound("kiosk 4 is not registered"), "Il n’y a rien à cette adresse. Vérifiez le lien que vous avez suivi."),
        (
            ConflictError("election 3 is closed, not open; it cannot become closed"),
            "L’élection ou le lot a changé depuis l’affichage de cette page. Rechargez-la et réessayez.",
        ),
        (
            InvalidElection("envelope_count must be positive, not 0"),
            "Cette demande ne peut pas aboutir telle quelle. Revenez en arrière, vérifiez le formulaire et réessayez.",
        ),
        (
            UnknownRule("mes-x"),
            "Cette demande ne peut pas aboutir telle quelle. Revenez en arrière, vérifiez le formulaire et réessayez.",
        ),
    ],
)
def test_error_message_in_french(error: PbvoteError, expected: str):
    assert error_message(PAGE, error) == expected


def test_stored_values_in_spanish_and_unknown_ones_as_stored():
    page = PageContext(LANGUAGES["es"], "token", set_language=False)
    assert [election_status(page.pgettext, s) for s in ("draft", "open", "closed", "tallied")] == [
        "borrador",
        "abierta",
        "cerrada",
        "escrutada",
    ]
    assert [batch_status(page.pgettext, s) for s in ("open", "reconciled")] == ["abierto", "conciliado"]
    assert [staff_role(page.pgettext, r) for r in ("admin", "official", "observer")] == [
        "coordinación",
        "personal electoral",
        "observación electoral",
    ]
    assert election_status(page.pgettext, "archived") == "archived"
