from __future__ import annotations

import pytest

from tests.integration.api.helpers import create_election, make_codes, open_election, vote

pytestmark = pytest.mark.anyio


async def test_vote_once(client, admin):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 3)
    await open_election(client, admin, election_id)
    first = await vote(client, election_id, codes[0], ["a", "d"])
    assert first.status_code == 201, first.text
    again = await vote(client, election_id, codes[0], ["a"])
    assert again.status_code == 409, again.text
