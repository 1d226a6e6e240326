"""Everything the pages show is in the reader's language: stored statuses and roles, money, and every refusal.

The expected texts are the catalogs' translations, written out by hand; none of the domain's English may show.
"""

# ruff: noqa: RUF001 -- French writes its apostrophe as U+2019, as the catalog does

from __future__ import annotations

import re

import pytest

from tests.integration.api.helpers import create_election, make_codes, open_election

pytestmark = pytest.mark.anyio

NBSP = "\u00a0"
# the domain's English texts that used to reach the pages
ENGLISH = re.compile(
    r"is outside|cannot be reconciled|unresolved papers|is waiting for|is closed, not open|only a coord"
)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


async def _kiosk_sign_in(client, headers: dict[str, str], lang: str) -> str:
    token = _csrf((await client.get(f"/kiosk?lang={lang}")).text)
    staff_token = headers["Authorization"].removeprefix("Bearer ")
    response = await client.post("/kiosk/signin", data={"csrf_token": token, "token": staff_token})
    assert response.status_code == 303
    return token


async def _kiosk(client, admin, election: int) -> int:
    response = await client.post(f"/api/v1/elections/{election}/kiosks", json={"name": "Town hall"}, headers=admin)
    assert response.status_code == 201, response.text
    kiosk: int = response.json()["id"]
    return kiosk


async def _open_batch(client, csrf: str, election: int, envelopes: str = "1") -> str:
    form = {"csrf_token": csrf, "label": "Caja 1", "envelopes": envelopes}
    opened = await client.post(f"/kiosk/{election}/batches/", data=form)
    assert opened.status_code == 303, opened.text
    location: str = opened.headers["location"]
    return location


@pytest.mark.parametrize(
    ("lang", "election", "role", "batch"),
    [
        ("es", "abierta", "coordinación", "abierto"),
        ("fr", "ouverte", "coordinateur", "ouvert"),
        ("ru", "открыто", "координатор", "открыта"),
        ("ar", "مفتوح", "منسّق", "مفتوحة"),
    ],
)
async def test_statuses_and_roles_in_words(client, admin, lang, election, role, batch):
    election_id = await create_election(client, admin)
    await open_election(client, admin, election_id)
    csrf = await _kiosk_sign_in(client, admin, lang)
    home = (await client.get("/kiosk")).text
    assert f'<span class="status-pill">{election}</span>' in home
    assert f"({role})" in home
    batch_url = await _open_batch(client, csrf, election_id)
    assert f'<dd id="batch-status">{batch}</dd>' in (await client.get(batch_url)).text
    assert f"<td>{batch}</td>" in (await client.get(f"/kiosk/{election_id}")).text


async def test_an_official_is_named_by_role(client, admin, official):
    await create_election(client, admin)
    await _kiosk_sign_in(client, official, "es")
    assert "Sesión iniciada como official one (personal electoral)" in (await client.get("/kiosk")).text


async def test_paper_refusals_in_spanish(client, admin, official, official2):
    election = await create_election(client, admin)
    await open_election(client, admin, election)
    csrf = await _kiosk_sign_in(client, official, "es")
    batch_url = await _open_batch(client, csrf, election)
    outside = await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "5", "numbers": "1"})
    assert outside.status_code == 409
    assert "No hay boleta 5 en este lote: sus boletas van numeradas del 1 al 1." in outside.text
    forbidden = await client.post(f"{batch_url}/reconcile", data={"csrf_token": csrf})
    assert "Solo la coordinación resuelve boletas y concilia un lote." in forbidden.text

    csrf = await _kiosk_sign_in(client, admin, "es")
    early = await client.post(f"{batch_url}/reconcile", data={"csrf_token": csrf})
    assert early.status_code == 409
    assert (
        "Todavía no se puede conciliar el lote. Boletas sin dos digitaciones coincidentes ni resolución: 1."
        in early.text
    )
    for staff in (official, official2):
        csrf = await _kiosk_sign_in(client, staff, "es")
        await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "1", "numbers": "1 3"})
    third = await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "1", "numbers": "1"})
    assert third.status_code == 200  # official two corrects their own keying
    csrf = await _kiosk_sign_in(client, admin, "es")
    twice = await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "1", "numbers": "1"})
    assert "La boleta 1 ya fue digitada por dos integrantes del personal electoral." in twice.text
    # the two keyings differ (1 3 and 1): the coordinator resolves, then reconciles
    resolved = await client.post(f"{batch_url}/papers/1/resolution", data={"csrf_token": csrf, "numbers": "1 3"})
    assert resolved.status_code == 303
    done = await client.post(f"{batch_url}/reconcile", data={"csrf_token": csrf})
    assert "Lote conciliado: 1 contadas, 0 anuladas, 0 no válidas." in done.text
    assert '<dd id="batch-status">conciliado</dd>' in done.text
    late = await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "1", "numbers": "1"})
    assert "El lote Caja 1 ya está conciliado: sus boletas ya no pueden cambiar." in late.text
    for page in (outside, forbidden, early, twice, late):
        assert not ENGLISH.search(page.text)


async def test_a_spoiled_paper_reads_in_french_for_the_coordinator(client, admin, official, official2):
    election = await create_election(client, admin)
    await open_election(client, admin, election)
    csrf = await _kiosk_sign_in(client, official, "fr")
    batch_url = await _open_batch(client, csrf, election)
    form = {"csrf_token": csrf, "seq": "1", "spoiled": "yes", "spoiled_reason": "déchiré", "numbers": ""}
    await client.post(f"{batch_url}/papers", data=form)
    csrf = await _kiosk_sign_in(client, official2, "fr")
    await client.post(f"{batch_url}/papers", data={"csrf_token": csrf, "seq": "1", "numbers": "2"})
    await _kiosk_sign_in(client, admin, "fr")
    assert "<td>Annulé : déchiré</td>" in (await client.get(batch_url)).text


async def test_opening_a_batch_is_refused_in_spanish(client, admin):
    draft = await create_election(client, admin)
    csrf = await _kiosk_sign_in(client, admin, "es")
    form = {"csrf_token": csrf, "label": "Caja 2", "envelopes": "3"}
    closed = await client.post(f"/kiosk/{draft}/batches/", data=form)
    assert closed.status_code == 409
    assert "Los lotes de boletas en papel solo se abren mientras la elección está abierta o cerrada." in closed.text
    await open_election(client, admin, draft)
    empty = await client.post(f"/kiosk/{draft}/batches/", data={**form, "envelopes": "0"})
    assert "El número de sobres debe ser al menos 1." in empty.text


async def test_kiosk_refusals_in_spanish(client, admin, official):
    election = await create_election(client, admin)
    kiosk = await _kiosk(client, admin, election)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    csrf = await _kiosk_sign_in(client, official, "es")
    form = {"csrf_token": csrf, "kiosk": str(kiosk), "numbers": "1"}
    stray = await client.post(f"/kiosk/{election}/checkin/ABCD-EFGH/ballot", data=form)
    assert stray.status_code == 422
    assert (
        "El registro de llegada ABCD-EFGH no está esperando una boleta en este punto de votación: su boleta ya se "
        "registró, o el residente registró su llegada en otro punto de votación." in stray.text
    )
    closed = await client.post(f"/api/v1/elections/{election}/close", headers=admin)
    assert closed.status_code == 200, closed.text
    form = {"csrf_token": csrf, "kiosk": str(kiosk), "kind": "code", "credential": codes[0]}
    late = await client.post(f"/kiosk/{election}/checkin", data=form)
    assert late.status_code == 409
    assert "La votación de esta elección no está abierta." in late.text
    assert '<span class="status-pill">cerrada</span>' in (await client.get("/kiosk")).text
    for page in (stray, late):
        assert not ENGLISH.search(page.text)


async def _spanish_ballot_form(client, admin, projects):
    """An open election, one voting code, and the Spanish vote page's form choosing `projects` with it."""
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    token = _csrf((await client.get(f"/vote/{election}?lang=es")).text)
    return election, {"csrf_token": token, "credential": codes[0], "kind": "code", "project": projects}


async def test_a_ballot_confirmed_after_closing_is_refused_in_spanish(client, admin):
    election, form = await _spanish_ballot_form(client, admin, ["a", "c"])
    review = await client.post(f"/vote/{election}/review", data=form)
    # a (40) + c (50): the total as Spanish writes it
    assert f'<td class="num">90{NBSP}€</td>' in review.text
    assert (await client.post(f"/api/v1/elections/{election}/close", headers=admin)).status_code == 200
    late = await client.post(f"/vote/{election}/confirm", data={**form, "submission": "s-1"})
    assert late.status_code == 422
    assert "La votación de esta elección no está abierta." in late.text
    assert not ENGLISH.search(late.text)


async def test_an_over_cap_ballot_names_amounts_in_spanish(client, admin):
    # at most 60 on parks; a (40, parks) + b (30, parks) = 70
    election, form = await _spanish_ballot_form(client, admin, ["a", "b"])
    response = await client.post(f"/vote/{election}/review", data=form)
    assert response.status_code == 422
    assert (
        f"Los proyectos que eligió en parks cuestan 70{NBSP}€, más de los 60{NBSP}€ permitidos para esa línea de "
        "inversión." in response.text
    )


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/results/9999?lang=fr", 404, "Il n’y a rien à cette adresse. Vérifiez le lien que vous avez suivi."),
        ("/vote/not-a-number?lang=ru", 404, None),
        ("/turnout/9999?lang=ar", 404, "لا يوجد شيء على هذا العنوان. تحقق من الرابط الذي اتبعته."),
    ],
)
async def test_error_pages_in_the_reader_language(client, path, status, text):
    response = await client.get(path)
    assert response.status_code == status
    if text is not None:
        assert response.headers["content-type"].startswith("text/html")
        assert text in response.text


async def test_a_query_the_page_cannot_read_is_a_page(client, admin):
    election = await create_election(client, admin)
    await open_election(client, admin, election)
    csrf = await _kiosk_sign_in(client, admin, "es")
    batch_url = await _open_batch(client, csrf, election)
    response = await client.get(f"{batch_url}?seq=abc")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "No se puede leer esta dirección o este formulario. Vuelva atrás e inténtelo de nuevo." in response.text


async def test_an_unreachable_database_is_a_page_asking_to_wait(client, admin, monkeypatch):
    election = await create_election(client, admin)

    async def refused(*_: object) -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    monkeypatch.setattr("api.pages.vote.load_election", refused)
    response = await client.get(f"/vote/{election}?lang=es")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("text/html")
    assert "El sistema de votación no está disponible en este momento." in response.text
    assert "5432" not in response.text
