"""The results page's words: Equal Shares from the rounds the rule records (hand-worked example), every rule."""

from __future__ import annotations

import pytest

from api.i18n import LANGUAGES
from api.pages.rendering import PageContext
from api.pages.results_view import explain_rule, result_view
from pbvote.election import Election
from pbvote.project import Project, ProjectId

PAGE = PageContext(LANGUAGES["en"], "token", set_language=False)
# Budget 30 EUR, 3 voters: a (20) chosen by voters 1 and 2, b (10) by voter 2, c (10) by voter 3.
ELECTION = Election(
    30,
    (Project(ProjectId("a"), 20, "Park"), Project(ProjectId("b"), 10, "Bench"), Project(ProjectId("c"), 10, "Lamp")),
    currency="EUR",
)
# Each share is 30 / 3 = 10; a costs 20, so its two supporters pay 10 each (cap 10, both spend all they had);
# c is then bought from what is left, in order of votes; Add1 raised the shares to 13 before keeping the result.
RESULT = {
    "rule": "mes",
    "selected": ["a", "c"],
    "details": {
        "start_voter_budget": "10",
        "voter_budget": "13",
        "add1_increments": 3,
        "rounds": [
            {
                "project": "a",
                "cost": 20,
                "phase": "mes",
                "rho": "10",
                "payment_cap": "10",
                "payers": 2,
                "exhausted": 2,
                "paid": "20",
            },
            {"project": "c", "cost": 10, "phase": "greedy", "score": 1},
        ],
    },
}


def test_equal_shares_says_who_paid_for_what():
    view = result_view(PAGE, ELECTION, RESULT, {"a": 2, "b": 1, "c": 1}, voters=3)
    assert [(row.name, row.cost_text, row.votes) for row in view.funded] == [
        ("Park", "€20", 2),
        ("Lamp", "€10", 1),
    ]
    assert view.spent_text == "€30"
    assert view.explanation[0] == (
        "The Method of Equal Shares was used. The budget of €30 was split into 3 equal shares of about "
        "€10.00, one for every voter."
    )
    assert "every share was then raised to €13.00" in view.explanation[-1]
    assert [(row.name, row.text) for row in view.payments] == [
        (
            "Park",
            (
                "Supporters who paid: 2. Most paid by one: €10.00. Total: €20. "
                "Supporters who spent all they had left: 2."
            ),
        ),
        ("Lamp", "€10 paid from the money left over, in order of votes."),
    ]


def test_greedy_rules_have_no_payment_table():
    view = result_view(PAGE, ELECTION, {"rule": "greedy", "selected": ["a", "b"]}, {"a": 2, "b": 1}, voters=3)
    assert view.payments == ()
    assert view.explanation[0].startswith("Projects were taken in order of votes, most first.")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "phragmen",
            (
                "Se usó el método secuencial de Phragmén. Cada votante acumula dinero para los proyectos que eligió, "
                "todos al mismo ritmo; un proyecto se compra en cuanto sus partidarios pueden pagar juntos su costo, "
                "repartido de modo que lo que ha pagado cada uno quede lo más igualado posible. El conteo se detuvo "
                "cuando el siguiente proyecto no cabía en el presupuesto de 30\u00a0€."
            ),
        ),
        (
            "greedy-threshold",
            (
                "Solo podían financiarse los proyectos con al menos el número de votos que fijó la ciudad. "
                "Se ordenaron por número de votos, de mayor a menor, y cada uno se financió si aún cabía en lo que "
                "quedaba del presupuesto de 30\u00a0€."
            ),
        ),
    ],
)
def test_phragmen_and_threshold_greedy_are_explained_in_spanish(rule, expected):
    page = PageContext(LANGUAGES["es"], "token", set_language=False)
    assert explain_rule(page, rule, ELECTION, voters=3) == (expected,)
