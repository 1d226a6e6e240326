"""Shared fixtures: where the real pabulib elections live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PABULIB = REPO.parent / "shared" / "data" / "pabulib"


@pytest.fixture(name="pabulib_dir")
def fx_pabulib_dir() -> Path:
    if not PABULIB.is_dir():
        pytest.fail(f"the real elections are missing: {PABULIB} (../shared must sit beside the clone)")
    return PABULIB
