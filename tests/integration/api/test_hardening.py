"""Oversized bodies refused with 413, security headers on every answer, no secret in the logs, ballot JSON fuzzed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.settings import Settings
from tests.integration.api.helpers import CITY, Client, create_election, make_codes, open_election, project, vote
from tests.integration.conftest import run_async

pytestmark = pytest.mark.anyio


async def test_oversized_ballot_and_upload_refused_with_413(db_url: str, client: Client, admin: dict[str, str]) -> None:
    # `client` closes the fixture app's engine (which made the admin token); this test runs its own app
    import httpx  # noqa: PLC0415

    app = create_app(Settings(database_url=db_url, secret="s", max_ballot_bytes=2048, max_upload_bytes=4096))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as own:
        # a ballot 1 byte over the limit (2048): refused before it is parsed; 2000 bytes: read (and refused as 422)
        padded = {"credential": {"kind": "code", "value": "x" * 100}, "selections": ["a" * (2048 - 90)]}
        big = await own.post("/api/v1/elections/1/ballots", json=padded)
        assert big.status_code == 413, big.text
        small = await own.post("/api/v1/elections/1/ballots", json={"selections": ["a" * 1900]})
        assert small.status_code == 422, small.text
        # a .pb upload over 4096 bytes, from an admin: 413
        files = {"file": ("big.pb", b"META\n" + b"x" * 5000, "text/plain")}
        upload = await own.post("/api/v1/elections/pabulib?name=n&rule=r", files=files, headers=admin)
        assert upload.status_code == 413, upload.text
    await app.state.engine.dispose()


async def test_every_answer_carries_the_security_headers(client: Client, admin: dict[str, str]) -> None:
    election_id = await create_election(client, admin)
    for method, path in [
        ("GET", f"/api/v1/elections/{election_id}"),  # 200
        ("GET", "/api/v1/elections/999"),  # 404 from the handler
        ("GET", "/no/such/path"),  # 404 from the router
        ("POST", "/api/v1/audit"),  # 405
        ("POST", "/api/v1/elections"),  # 401 from the guard
        ("GET", "/schema/openapi.json"),
    ]:
        response = await client.request(method, path)
        where = f"{method} {path} ({response.status_code})"
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, where
        assert "default-src" in policy, where
        assert response.headers.get("x-content-type-options") == "nosniff", where
        assert response.headers.get("referrer-policy") == "no-referrer", where


async def test_no_token_code_or_secret_in_the_logs(
    client: Client, admin: dict[str, str], official: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 3)
    await open_election(client, admin, election_id)
    assert (await vote(client, election_id, codes[0], ["a"])).status_code == 201
    assert (await vote(client, election_id, codes[0], ["b"])).status_code in {403, 409}
    assert (await vote(client, election_id, "not-a-code", ["b"])).status_code == 403
    await client.post("/api/v1/elections", json={}, headers={"Authorization": "Bearer wrong-token-value"})
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "the flow logged nothing: the capture is not working"
    secrets = [*codes, "not-a-code", "wrong-token-value", "test-secret"]
    secrets += [h["Authorization"].removeprefix("Bearer ") for h in (admin, official)]
    for secret in secrets:
        assert secret not in logged, f"{secret[:4]}... appears in the logs"


REAL = "real-code"  # replaced by one of the election's voting codes
credentials = st.one_of(
    st.just(REAL),
    st.just(REAL),
    st.none(),
    st.integers(),
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["code", "census", "other"]), "value": st.text(max_size=30)},
        optional={"birth_year": st.one_of(st.integers(), st.text(max_size=5), st.none())},
    ),
)
ballots = st.fixed_dictionaries(
    {
        "credential": credentials,
        "selections": st.one_of(
            st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4),
            st.lists(st.sampled_from(["a", "c", "d", "zz", "", "a" * 300]), max_size=5),
            st.lists(st.integers(), max_size=3),
            st.text(max_size=5),
        ),
    },
    optional={
        "points": st.one_of(st.lists(st.integers(), max_size=4), st.lists(st.floats(allow_nan=True), max_size=2)),
        "district": st.one_of(st.none(), st.text(max_size=5), st.integers()),
        "extra": st.text(max_size=3),
    },
)


async def test_fuzzed_ballot_json_gets_only_documented_answers(
    db_url: str, client: Client, admin: dict[str, str]
) -> None:
    """Any JSON at the ballot endpoint: 201 or a documented 4xx with a JSON error body, never a 5xx."""
    import httpx  # noqa: PLC0415

    election_id = await create_election(client, admin, CITY)
    codes = await make_codes(client, admin, election_id, 50)
    await open_election(client, admin, election_id)
    # each example runs on its own loop (hypothesis drives a plain function): no pooled connection crosses loops
    app = create_app(Settings(database_url=db_url, secret="test-secret", max_failures=5, null_pool=True))
    documented = {201, 400, 403, 404, 409, 413, 422, 429}
    seen: set[int] = set()

    @settings(max_examples=60, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(body=ballots, index=st.integers(0, 49))
    def post(body: dict[str, object], index: int) -> None:
        if body["credential"] == REAL:
            body["credential"] = {"kind": "code", "value": codes[index]}

        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as own:
                return await own.post(f"/api/v1/elections/{election_id}/ballots", json=body)

        response = run_async(send())
        seen.add(response.status_code)
        assert response.status_code in documented, (body, response.status_code, response.text)
        if response.status_code != 201:
            error = response.json()
            assert error["status_code"] == response.status_code
            assert isinstance(error["detail"], str)
            assert "Traceback" not in response.text

    post()
    # stored, malformed, and refused (a used or unknown credential): the fuzz reached each
    assert {201, 422} <= seen, seen
    assert seen & {403, 409}, seen


async def test_amounts_the_rules_cannot_add_are_refused_the_largest_are_tallied_exactly(
    client: Client, admin: dict[str, str]
) -> None:
    big = 10**15  # MAX_AMOUNT
    definition = {
        **CITY,
        "budget": 2 * big,
        "ballot_rules": {"vote_type": "approval"},
        "projects": [project("a", big, []), project("b", big, []), project("c", big - 1, [])],
    }
    over = {**definition, "projects": [project("a", big + 1, []), project("b", 1, [])]}
    refused = await client.post(
        "/api/v1/elections", json={"name": "n", "definition": over, "rule": "greedy"}, headers=admin
    )
    assert refused.status_code == 422, refused.text
    assert "project 'a'" in refused.json()["detail"]
    # before the bound, greedy's 64-bit costs overflowed and the tally answered 500
    election_id = await create_election(client, admin, definition, rule="greedy")
    codes = await make_codes(client, admin, election_id, 3)
    await open_election(client, admin, election_id)
    for code, selections in zip(codes, [["a", "b"], ["a"], ["b", "c"]], strict=True):
        assert (await vote(client, election_id, code, selections)).status_code == 201
    assert (await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)).status_code == 200
    tallied = await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)
    assert tallied.status_code == 200, tallied.text
    # by hand: approvals a 2, b 2, c 1; a and b cost the whole budget (2 * 10**15), c no longer fits
    allocation = tallied.json()["allocation"]
    assert (sorted(allocation["selected"]), allocation["total_cost"]) == (["a", "b"], 2 * big), tallied.text


async def test_fuzzed_pb_uploads_give_a_draft_or_a_422(
    db_url: str, client: Client, admin: dict[str, str], pabulib_dir: Path
) -> None:
    """A real .pb file with lines dropped, repeated, cut or garbled: 201 or 422 naming what is wrong, never a 5xx."""
    import httpx  # noqa: PLC0415

    lines = (pabulib_dir / "Netherlands_Assen_2024.pb").read_bytes().split(b"\n")
    app = create_app(Settings(database_url=db_url, secret="test-secret", null_pool=True))

    async def send(content: list[bytes]) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as own:
            files = {"file": ("assen.pb", b"\n".join(content), "text/plain")}
            return await own.post("/api/v1/elections/pabulib?name=Assen&rule=greedy", files=files, headers=admin)

    intact = run_async(send(lines))
    assert intact.status_code == 201, intact.text  # the file as published makes a draft: the route itself works
    edits = st.lists(
        st.tuples(
            st.sampled_from(["drop", "repeat", "cut", "garble", "bytes"]),
            st.integers(0, len(lines) - 1),
            st.binary(max_size=8),
        ),
        min_size=1,
        max_size=4,
    )

    @settings(max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(edits=edits)
    def upload(edits: list[tuple[str, int, bytes]]) -> None:
        content = list(lines)
        for kind, position, junk in edits:
            at = position % len(content)
            if kind == "drop":
                del content[at]
            elif kind == "repeat":
                content.insert(at, content[at])
            elif kind == "cut":
                content[at] = content[at][: len(content[at]) // 2]
            elif kind == "garble":
                content[at] = content[at].replace(b";", junk, 1)
            else:
                content[at] = junk
            if not content:
                content = [b""]

        response = run_async(send(content))
        assert response.status_code in {201, 422}, (edits, response.status_code, response.text)
        if response.status_code == 422:
            assert response.json()["detail"], response.text

    upload()
