"""Configuration: one frozen :class:`Settings`, built once at the entry point and passed in.

The contract (names, defaults, meanings) is in ``docs/product.md`` and ``.env.example``. Values
come from the environment or a ``.env`` file, the environment winning. A missing or malformed value
raises :class:`ConfigError` whose message is one line naming the variable and what it expects. The
token is never part of any message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from dotenv import dotenv_values

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_DATABASE_URL = "sqlite:///data/inovasi.db"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and what it expects."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    api_base_url: str
    database_url: str
    admin_ids: frozenset[int]
    digest_chat_ids: tuple[int, ...]
    digest_schedule: str
    timezone: ZoneInfo
    default_language: str
    region_name: str
    code_prefix: str
    max_submissions_per_day: int
    announce_new: bool
    review_sla_days: int
    log_level: str
    public_channel_id: int | None = None
    opendata_dir: Path | None = None
    unit_sla_days: int = 5
    unit_progress_days: int = 30

    def __repr__(self) -> str:
        return f"Settings(database_url={self.database_url!r}, admins={len(self.admin_ids)})"

    @property
    def digest_targets(self) -> tuple[int, ...]:
        """Chats that get the weekly digest: DIGEST_CHAT_IDS, or the admins' private chats."""
        return self.digest_chat_ids or tuple(sorted(self.admin_ids))

    def cron_trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.digest_schedule, timezone=self.timezone)


def _ids(name: str, raw: str, *, required: bool) -> tuple[int, ...]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if required and not parts:
        raise ConfigError(
            f"{name} is required: comma-separated Telegram user ids, e.g. 12345,67890"
        )
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{name} must be comma-separated whole numbers (Telegram ids), got {raw!r}"
        ) from None


def _int(name: str, raw: str, *, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return value


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _cron(raw: str, timezone: ZoneInfo) -> str:
    if len(raw.split()) != 5:
        raise ConfigError(
            f"DIGEST_SCHEDULE must be a cron expression of five fields "
            f"(minute hour day month weekday), e.g. '0 8 * * mon', got {raw!r}"
        )
    try:
        CronTrigger.from_crontab(raw, timezone=timezone)
    except ValueError as error:
        raise ConfigError(
            f"DIGEST_SCHEDULE is not a valid cron expression ({error}): {raw!r}"
        ) from None
    return raw


def _channel(raw: str) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value >= 0:
        raise ConfigError(
            f"PUBLIC_CHANNEL_ID must be the channel's id, a negative number such as "
            f"-1001234567890, got {raw!r}"
        )
    return value


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    """Build settings from a mapping of variables (the merged environment)."""

    def get(name: str, default: str = "") -> str:
        return (env.get(name) or default).strip()

    token = get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is required: the token @BotFather gave you")
    if not TOKEN_PATTERN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then the secret)"
        )

    api_base_url = get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")
    if not re.match(r"^https?://[^/\s]+", api_base_url):
        raise ConfigError(
            f"TELEGRAM_API_BASE_URL must be an http(s) URL such as https://api.telegram.org, "
            f"got {api_base_url!r}"
        )

    database_url = get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise ConfigError(
            "DATABASE_URL must be an SQLAlchemy URL for SQLite or PostgreSQL, "
            "e.g. sqlite:///data/inovasi.db or postgresql+psycopg://user@host/db"
        )

    zone_name = get("TIMEZONE", "Asia/Makassar")
    try:
        timezone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIMEZONE must be an IANA time zone such as Asia/Makassar, got {zone_name!r}"
        ) from None

    language = get("DEFAULT_LANGUAGE", "id")
    if language not in ("id", "en"):
        raise ConfigError(f"DEFAULT_LANGUAGE must be id or en, got {language!r}")

    code_prefix = get("CODE_PREFIX", "IDE")
    if not re.fullmatch(r"[A-Z]{2,8}", code_prefix):
        raise ConfigError(f"CODE_PREFIX must be 2 to 8 capital letters, got {code_prefix!r}")

    log_level = get("LOG_LEVEL", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    region_name = get("REGION_NAME", "Kabupaten Banjar")
    if not region_name:
        raise ConfigError("REGION_NAME must not be empty")

    return Settings(
        token=token,
        api_base_url=api_base_url,
        database_url=database_url,
        admin_ids=frozenset(_ids("ADMIN_IDS", get("ADMIN_IDS"), required=True)),
        digest_chat_ids=_ids("DIGEST_CHAT_IDS", get("DIGEST_CHAT_IDS"), required=False),
        digest_schedule=_cron(get("DIGEST_SCHEDULE", "0 8 * * mon"), timezone),
        timezone=timezone,
        default_language=language,
        region_name=region_name,
        code_prefix=code_prefix,
        max_submissions_per_day=_int(
            "MAX_SUBMISSIONS_PER_DAY", get("MAX_SUBMISSIONS_PER_DAY", "5"), minimum=1
        ),
        announce_new=_bool("ANNOUNCE_NEW", get("ANNOUNCE_NEW", "true")),
        review_sla_days=_int("REVIEW_SLA_DAYS", get("REVIEW_SLA_DAYS", "3"), minimum=1),
        log_level=log_level,
        public_channel_id=_channel(get("PUBLIC_CHANNEL_ID")),
        opendata_dir=Path(get("OPENDATA_DIR")) if get("OPENDATA_DIR") else None,
        unit_sla_days=_int("UNIT_SLA_DAYS", get("UNIT_SLA_DAYS", "5"), minimum=1),
        unit_progress_days=_int("UNIT_PROGRESS_DAYS", get("UNIT_PROGRESS_DAYS", "30"), minimum=1),
    )


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Merge ``env_file`` (if it exists) under the process environment and build settings."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return settings_from_mapping(merged)
