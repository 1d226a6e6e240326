"""What the browser tests find on the server: elections made through the JSON API, as a city would."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import httpx

from tests.integration.api.helpers import TEST_RULE, most_approved

if TYPE_CHECKING:
    from tests.browser.conftest import Site

RULE = TEST_RULE
__all__ = ["RULE", "most_approved", "seed"]


def _project(
    pid: str, cost: int, name: str, name_ar: str, category: str, *, district: str | None = None
) -> dict[str, Any]:
    extra = {"description": f"{name}: a project proposed by residents.", "name_ar": name_ar}
    return {"id": pid, "cost": cost, "name": name, "category": [category], "district": district, "extra": extra}


# Riverside: one city-wide ballot, 1 to 4 projects, at most 1,000,000 EUR in all and 500,000 EUR on parks.
RIVERSIDE: dict[str, Any] = {
    "budget": 1_000_000,
    "currency": "EUR",
    "rule": None,
    "districts": {},
    "meta": {},
    "ballot_rules": {
        "vote_type": "approval",
        "min_length": 1,
        "max_length": 4,
        "max_sum_cost": 1_000_000,
        "max_cost_per_category": {"parks": 500_000},
    },
    "projects": [
        _project("g1", 300_000, "Community garden", "حديقة مجتمعية", "parks"),
        _project("p2", 250_000, "Playground renovation", "تجديد ملعب الأطفال", "parks"),
        _project("b3", 450_000, "Bike lanes", "ممرات الدراجات", "mobility"),
        _project("l4", 200_000, "Street lighting", "إنارة الشوارع", "safety"),
        _project("k5", 150_000, "Longer library hours", "تمديد ساعات المكتبة", "culture"),
        _project("s6", 120_000, "Bus shelters", "مظلات الحافلات", "mobility"),
    ],
}

# Harbour: two districts with their own budgets; tallied before the tests start.
HARBOUR: dict[str, Any] = {
    "budget": 100_000,
    "currency": "EUR",
    "rule": None,
    "districts": {"North": 60_000, "South": 40_000},
    "meta": {},
    "ballot_rules": {"vote_type": "approval", "max_cost_per_category": {}},
    "projects": [
        _project("n1", 30_000, "North park benches", "مقاعد الحديقة الشمالية", "parks", district="North"),
        _project("n2", 40_000, "North crossing", "معبر الشمال", "safety", district="North"),
        _project("n3", 25_000, "North murals", "جداريات الشمال", "culture", district="North"),
        _project("s1", 20_000, "South trees", "أشجار الجنوب", "parks", district="South"),
        _project("s2", 30_000, "South footpath", "ممشى الجنوب", "mobility", district="South"),
    ],
}
# Ballots cast in Harbour: (district, selections, how many).
HARBOUR_BALLOTS = [
    ("North", ["n1", "n2"], 8),
    ("North", ["n2", "n3"], 4),
    ("North", ["n3"], 2),
    ("South", ["s1"], 7),
    ("South", ["s1", "s2"], 4),
]


def _post(client: httpx.Client, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in {200, 201}, f"{path}: {response.status_code} {response.text}"
    return response


def _codes(client: httpx.Client, site: Site, election: int, count: int, district: str | None = None) -> list[str]:
    response = _post(
        client, f"/api/v1/elections/{election}/roll/codes", site.admin, {"count": count, "district": district}
    )
    return [row["code"] for row in csv.DictReader(io.StringIO(response.text))]


def seed(client: httpx.Client, site: Site) -> None:
    """Create the test elections: Riverside open for voting, Harbour tallied."""
    riverside = _post(
        client, "/api/v1/elections", site.admin, {"name": "Riverside 2026", "definition": RIVERSIDE, "rule": RULE}
    )
    site.elections["riverside"] = riverside_id = riverside.json()["id"]
    site.codes["riverside"] = _codes(client, site, riverside_id, 12)
    site.kiosk = _post(client, f"/api/v1/elections/{riverside_id}/kiosks", site.admin, {"name": "Town hall"}).json()[
        "id"
    ]
    _post(client, f"/api/v1/elections/{riverside_id}/open", site.admin, {})

    harbour = _post(
        client, "/api/v1/elections", site.admin, {"name": "Harbour 2025", "definition": HARBOUR, "rule": RULE}
    )
    site.elections["harbour"] = harbour_id = harbour.json()["id"]
    codes = {
        "North": _codes(client, site, harbour_id, 14, "North"),
        "South": _codes(client, site, harbour_id, 11, "South"),
    }
    _post(client, f"/api/v1/elections/{harbour_id}/open", site.admin, {})
    for district, selections, count in HARBOUR_BALLOTS:
        for _ in range(count):
            body = {"credential": {"kind": "code", "value": codes[district].pop()}, "selections": selections}
            response = client.post(f"/api/v1/elections/{harbour_id}/ballots", json=body)
            assert response.status_code == 201, response.text
    _post(client, f"/api/v1/elections/{harbour_id}/close", site.admin, {})
    _post(client, f"/api/v1/elections/{harbour_id}/tally", site.admin, {})
