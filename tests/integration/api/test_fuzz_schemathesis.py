"""schemathesis against the app's own OpenAPI document: every operation, every role, no 5xx, schemas honoured.

Run alone: `.venv/bin/python -m pytest tests/integration/harden/test_schemathesis.py -q` (EXAMPLES per operation
and role, derandomized; `PBVOTE_FUZZ_EXAMPLES=200` for a deeper run).
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck
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
from tests.integration.conftest import run_async

EXAMPLES = int(os.environ.get("PBVOTE_FUZZ_EXAMPLES", "6"))
# valid requests (positive) from every role; malformed ones (negative) without a token and with the widest role
RUNS = [(role, GenerationMode.POSITIVE) for role in ("anonymous", "admin", "official", "observer")] + [
    (role, GenerationMode.NEGATIVE) for role in ("anonymous", "admin")
]
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
    @hypothesis.given(case=operation.as_strategy(mode))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_every_operation_every_role(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, secret="fuzz-secret", null_pool=True))
    intake = app.state.intake
    roles = {"anonymous": {}}
    for role in ("admin", "official", "observer"):
        token = run_async(create_token(intake.sessions, role, role))
        roles[role] = {"Authorization": f"Bearer {token}"}
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
