"""schemathesis against the app's own OpenAPI document: every operation, every role, no 5xx, schemas honoured.

Run alone: `.venv/bin/python -m pytest tests/integration/harden/test_schemathesis.py -q` (EXAMPLES per operation
and role, derandomized; `PBVOTE_FUZZ_EXAMPLES=200` for a deeper run).
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.settings import Settings
from ballots.staff import create_token
from tests.integration.api.helpers import CITY, create_election, make_codes, open_election
from tests.integration.conftest import run_async

EXAMPLES = int(os.environ.get("PBVOTE_FUZZ_EXAMPLES", "6"))
# valid requests (positive) from every role; malformed ones (negative) without a token and with the widest role
RUNS = [(role, GenerationMode.POSITIVE) for role in ("anonymous", "admin", "official", "observer")] + [
    (role, GenerationMode.NEGATIVE) for role in ("anonymous", "admin")
]
# the rows `seed` makes: an open election 1 with kiosk 1 and paper batch 1
SEEDED = {"election_id": 1, "kiosk_id": 1, "batch_id": 1, "seq": 1}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _fuzz(operation: Any, headers: dict[str, str], mode: GenerationMode) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(mode), real=st.booleans())
    def check(case: schemathesis.Case, real: bool) -> None:
        if real and mode is GenerationMode.POSITIVE:  # half the valid requests reach the seeded rows
            case.path_parameters = {k: SEEDED.get(k, v) for k, v in case.path_parameters.items()}
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


async def seed(app: Litestar, admin: dict[str, str], official: dict[str, str]) -> None:
    """Election 1 (open, with codes), its kiosk 1 and its paper batch 1 of 5 envelopes."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        election_id = await create_election(client, admin, CITY)
        await make_codes(client, admin, election_id, 20)
        await open_election(client, admin, election_id)
        kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "library"}, headers=admin)
        batch = await client.post(
            f"/api/v1/elections/{election_id}/batches", json={"label": "b1", "envelope_count": 5}, headers=official
        )
    seeded = {"election_id": election_id, "kiosk_id": kiosk.json()["id"], "batch_id": batch.json()["id"], "seq": 1}
    assert seeded == SEEDED


def test_every_operation_every_role(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, secret="fuzz-secret", null_pool=True))
    intake = app.state.intake
    roles = {"anonymous": {}}
    for role in ("admin", "official", "observer"):
        token = run_async(create_token(intake.sessions, role, role))
        roles[role] = {"Authorization": f"Bearer {token}"}
    run_async(seed(app, roles["admin"], roles["official"]))
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # PostgreSQL adds what the database refuses (integer ranges): the admin's runs reach it, others stop at 401/403
        runs = RUNS if db_url.startswith("sqlite") else [run for run in RUNS if run[0] == "admin"]
        for role, mode in runs:
            try:
                _fuzz(operation, roles[role], mode)
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong: no input at all
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 -- every failure is collected, then reported
                failures.append(f"{operation.label} as {role} ({mode.value}): {exc!s}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
