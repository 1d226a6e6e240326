"""Every refused request answers its 4xx with the reason and leaves every table exactly as it was."""

from __future__ import annotations

import pytest

from tests.integration.api.helpers import CITY, TEST_RULE, create_election, dump, make_codes, open_election, vote

pytestmark = pytest.mark.anyio


@pytest.fixture(name="scene")
async def fx_scene(client, admin, official):
    """An open election with one online ballot cast, one kiosk, one check-in, and a keyed paper batch."""
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 4)
    kiosk = (await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Hall"}, headers=admin)).json()
    draft = await create_election(client, admin)
    await open_election(client, admin, election_id)
    assert (await vote(client, election_id, codes[0], ["a"])).status_code == 201
    checkin = await client.post(
        f"/api/v1/elections/{election_id}/kiosks/{kiosk['id']}/checkins",
        json={"credential": {"kind": "code", "value": codes[1]}},
        headers=official,
    )
    batch = await client.post(
        f"/api/v1/elections/{election_id}/batches", json={"label": "Box", "envelope_count": 1}, headers=official
    )
    return {
        "e": election_id,
        "draft": draft,
        "codes": codes,
        "kiosk": kiosk["id"],
        "checkin": checkin.json()["checkin"],
        "batch": batch.json()["id"],
    }


def ballot(code, selections, **extra):
    return {"credential": {"kind": "code", "value": code}, "selections": selections, **extra}


# (name, method, url template, body, staff role or None, status, words in the answer)
REFUSALS = [
    (
        "unknown project",
        "post",
        "/{e}/ballots",
        lambda s: ballot(s["codes"][2], ["zz"]),
        None,
        422,
        "not on this ballot",
    ),
    ("duplicate", "post", "/{e}/ballots", lambda s: ballot(s["codes"][2], ["a", "a"]), None, 422, "chosen twice"),
    ("too many", "post", "/{e}/ballots", lambda s: ballot(s["codes"][2], ["a", "c", "d", "b"]), None, 422, "at most 3"),
    ("category cap", "post", "/{e}/ballots", lambda s: ballot(s["codes"][2], ["a", "b"]), None, 422, "the cap is 60"),
    (
        "district",
        "post",
        "/{e}/ballots",
        lambda s: ballot(s["codes"][2], ["a"], district="x"),
        None,
        422,
        "no districts",
    ),
    ("not open", "post", "/{draft}/ballots", lambda s: ballot(s["codes"][2], ["a"]), None, 422, "not open"),
    ("voted already", "post", "/{e}/ballots", lambda s: ballot(s["codes"][0], ["c"]), None, 409, "already voted"),
    ("checked in", "post", "/{e}/ballots", lambda s: ballot(s["codes"][1], ["c"]), None, 409, "checked in"),
    ("unknown code", "post", "/{e}/ballots", lambda _: ballot("0000-0000-0000", ["a"]), None, 403, "not on the roll"),
    (
        "census as code",
        "post",
        "/{e}/ballots",
        lambda s: {**ballot("x", ["a"]), "credential": {"kind": "census", "value": s["codes"][2]}},
        None,
        403,
        "not on the roll",
    ),
    ("no such election", "post", "/99/ballots", lambda s: ballot(s["codes"][2], ["a"]), None, 404, "does not exist"),
    ("malformed", "post", "/{e}/ballots", lambda _: {"selections": [1, 2]}, None, 422, "Validation failed"),
    (
        "extra field",
        "post",
        "/{e}/ballots",
        lambda s: {**ballot(s["codes"][2], ["a"]), "voter": "me"},
        None,
        422,
        "Validation failed",
    ),
    ("roll after open", "post", "/{e}/roll/codes", lambda _: {"count": 1}, "admin", 409, "only while it is a draft"),
    ("open twice", "post", "/{e}/open", lambda _: None, "admin", 409, "not draft"),
    ("tally while open", "post", "/{e}/tally", lambda _: None, "admin", 409, "not closed"),
    ("official closes", "post", "/{e}/close", lambda _: None, "official", 403, "may not"),
    ("anonymous closes", "post", "/{e}/close", lambda _: None, None, 401, "bearer token"),
    (
        "check in voter",
        "post",
        "/{e}/kiosks/{kiosk}/checkins",
        lambda s: {"credential": {"kind": "code", "value": s["codes"][0]}},
        "official",
        409,
        "online ballot stands",
    ),
    (
        "check in twice",
        "post",
        "/{e}/kiosks/{kiosk}/checkins",
        lambda s: {"credential": {"kind": "code", "value": s["codes"][1]}},
        "official",
        409,
        "already checked in",
    ),
    (
        "wrong check-in",
        "post",
        "/{e}/kiosks/{kiosk}/checkins/R-NOPE/ballot",
        lambda _: {"selections": ["a"]},
        "official",
        409,
        "no check-in",
    ),
    (
        "bad kiosk ballot",
        "post",
        "/{e}/kiosks/{kiosk}/checkins/{checkin}/ballot",
        lambda _: {"selections": ["q"]},
        "official",
        422,
        "not on this ballot",
    ),
    (
        "paper out of batch",
        "put",
        "/{e}/batches/{batch}/papers/2",
        lambda _: {"selections": ["a"]},
        "official",
        422,
        "outside batch",
    ),
    ("early reconcile", "post", "/{e}/batches/{batch}/reconcile", lambda _: None, "admin", 409, "not keyed"),
    ("bad rule", "post", "", lambda _: {"name": "x", "definition": CITY, "rule": "nope"}, "admin", 422, "unknown rule"),
    (
        "bad definition",
        "post",
        "",
        lambda _: {"name": "x", "definition": {"budget": 5}, "rule": TEST_RULE},
        "admin",
        422,
        '"field":"definition.projects"',
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "role", "status", "words"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
async def test_refusal_changes_nothing(
    client, intake, scene, admin, official, name, method, url, body, role, status, words
):
    headers = {"admin": admin, "official": official}.get(role, {})
    before = await dump(intake)
    path = "/api/v1/elections" + url.format(**scene)
    payload = body(scene)
    kwargs = {"json": payload} if payload is not None else {}
    response = await client.request(method.upper(), path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert words in response.text, name
    assert await dump(intake) == before
