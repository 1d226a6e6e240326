"""The server's settings, read from `PBVOTE_*` environment variables when the app is created (never at import)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ballots.store.engine import DEFAULT_URL

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the server reads from its environment.

    Attributes:
        database_url: `sqlite+aiosqlite:///file.db` or `postgresql+asyncpg://user@host/db`.
        secret: the key of every keyed hash (roll entries, voter links); keep it, or the roll cannot be read.
        max_failures: failed credential attempts allowed per credential and per kiosk within `failure_window`.
        failure_window: seconds over which failed attempts are counted.
        null_pool: open a fresh database connection for every use (tests, one-off commands).
        max_ballot_bytes: the largest body of a resident's ballot (413 above it).
        max_upload_bytes: the largest body of an election definition, a `.pb` file or a census file.
        max_body_bytes: the largest body of any other request (kiosk queues, paper keyings).
    """

    model_config = SettingsConfigDict(env_prefix="PBVOTE_", extra="ignore")

    database_url: str = DEFAULT_URL
    secret: SecretStr = Field(default=SecretStr(""))
    max_failures: int = Field(default=5, ge=1)
    failure_window: float = Field(default=300.0, gt=0)
    null_pool: bool = False
    max_ballot_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
