"""Settings: defaults, validation with one clear line per fault, and the token kept secret."""

from __future__ import annotations

import pytest

from bot.core.config import ConfigError, load_settings, settings_from_mapping
from tests.conftest import TOKEN

BASE = {"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "11,22"}


def test_defaults_follow_the_product_contract():
    settings = settings_from_mapping(BASE)
    assert settings.api_base_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite:///data/inovasi.db"
    assert settings.admin_ids == {11, 22}
    assert settings.digest_chat_ids == ()
    assert settings.digest_targets == (11, 22)
    assert settings.digest_schedule == "0 8 * * mon"
    assert settings.timezone.key == "Asia/Makassar"
    assert (settings.default_language, settings.region_name, settings.code_prefix) == (
        "id",
        "Kabupaten Banjar",
        "IDE",
    )
    assert (settings.max_submissions_per_day, settings.announce_new, settings.review_sla_days) == (
        5,
        True,
        3,
    )
    assert settings.log_level == "INFO"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "", "TELEGRAM_BOT_TOKEN is required"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN does not look like"),
        ("ADMIN_IDS", "", "ADMIN_IDS is required"),
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS must be comma-separated whole numbers"),
        ("DIGEST_CHAT_IDS", "-100x", "DIGEST_CHAT_IDS must be comma-separated"),
        ("DIGEST_SCHEDULE", "0 8 * *", "DIGEST_SCHEDULE must be a cron expression of five fields"),
        ("DIGEST_SCHEDULE", "0 25 * * mon", "DIGEST_SCHEDULE is not a valid cron"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE must be an IANA time zone"),
        ("DEFAULT_LANGUAGE", "jv", "DEFAULT_LANGUAGE must be id or en"),
        ("CODE_PREFIX", "ide-", "CODE_PREFIX must be 2 to 8 capital letters"),
        (
            "MAX_SUBMISSIONS_PER_DAY",
            "0",
            "MAX_SUBMISSIONS_PER_DAY must be a whole number of at least 1",
        ),
        ("ANNOUNCE_NEW", "maybe", "ANNOUNCE_NEW must be true or false"),
        ("REVIEW_SLA_DAYS", "three", "REVIEW_SLA_DAYS must be a whole number"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be an SQLAlchemy URL"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL must be an http(s) URL"),
    ],
)
def test_a_bad_value_is_named_in_one_line(name, value, expected):
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping({**BASE, name: value})
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert TOKEN not in message


def test_env_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=5\nREGION_NAME=Kota Banjarbaru\n")
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "REGION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADMIN_IDS", "7")
    settings = load_settings(env_file)
    assert settings.admin_ids == {7}
    assert settings.region_name == "Kota Banjarbaru"


def test_the_token_never_shows_in_the_settings_repr():
    assert TOKEN not in repr(settings_from_mapping(BASE))
