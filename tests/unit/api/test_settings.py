from __future__ import annotations

import pytest

from api.app import create_app
from api.settings import Settings


def test_settings_read_the_environment_when_made(monkeypatch):
    monkeypatch.setenv("PBVOTE_DATABASE_URL", "sqlite+aiosqlite:///elsewhere.db")
    monkeypatch.setenv("PBVOTE_MAX_FAILURES", "9")
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///elsewhere.db"
    assert settings.max_failures == 9


def test_the_app_needs_a_secret(monkeypatch):
    monkeypatch.delenv("PBVOTE_SECRET", raising=False)
    with pytest.raises(ValueError, match="PBVOTE_SECRET"):
        create_app(Settings(database_url="sqlite+aiosqlite:///never-opened.db"))
