"""`POST /api/v1/elections/{id}/ballots`: a resident's own ballot."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, post
from litestar.params import HeaderParameter, JSONBody

from api.deps import IntakeDep, RowId
from api.errors import BALLOT_ERRORS
from api.voting.schemas import BallotIn
from ballots.intake.online import submit_online

__all__ = ["VotingController"]

_MAX_KEY = 200


class VotingController(Controller):
    """Online voting."""

    path = "/api/v1/elections/{election_id:int}/ballots"
    tags = ["voting"]  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/", responses=BALLOT_ERRORS)
    async def submit(
        self,
        *,
        election_id: RowId,
        data: JSONBody[BallotIn],
        intake: IntakeDep,
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=_MAX_KEY)] = None,
    ) -> Response[dict[str, Any]]:
        """Cast a ballot; 201 with the receipt once it is stored.

        A retry with the same `Idempotency-Key` gets the first answer again.
        """
        answer = await submit_online(
            intake, election_id, data.credential.to_credential(), data.to_input(), idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
        return Response(dict(answer.body), status_code=answer.status_code, headers=headers)
