"""Settings an operator gets wrong are refused with one sentence naming the setting; here the
global Telegram pace, which must not exceed what the Bot API server in use allows."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

FREE_LIMIT_ERROR = (
    "Setting OCOP_TELEGRAM_RATE_GLOBAL is wrong: Telegram allows at most 30 messages/s, or up "
    "to 1000 with OCOP_TELEGRAM_PAID_BROADCAST=true (charged in Stars)."
)


def settings(**values: object):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **values)


def test_the_default_pace_is_under_telegrams_free_limit() -> None:
    assert settings().telegram_rate_global == 25
    assert settings().telegram_paid_broadcast is False
    assert settings(telegram_rate_global=30).telegram_rate_global == 30


@pytest.mark.parametrize(
    "base", ["https://api.telegram.org", "https://api.telegram.org/", "HTTPS://API.TELEGRAM.ORG"]
)
def test_above_30_against_the_official_api_is_refused(base: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings(telegram_api_base=base, telegram_rate_global=31)
    assert str(error.value) == FREE_LIMIT_ERROR


def test_an_unreadable_api_base_counts_as_the_official_one() -> None:
    """When in doubt, the safe limit: a base without a host is not proof of another server."""
    with pytest.raises(SettingsError):
        settings(telegram_api_base="api.telegram.org", telegram_rate_global=100)


def test_paid_broadcasts_allow_up_to_1000() -> None:
    assert (
        settings(telegram_paid_broadcast=True, telegram_rate_global=1000).telegram_rate_global
        == 1000
    )
    with pytest.raises(SettingsError) as error:
        settings(telegram_paid_broadcast=True, telegram_rate_global=1001)
    assert str(error.value) == (
        "Setting OCOP_TELEGRAM_RATE_GLOBAL is wrong: Input should be less than or equal to 1000."
    )


@pytest.mark.parametrize("base", ["http://127.0.0.1:8081", "https://botapi.example.gov.vn"])
def test_another_bot_api_server_sets_its_own_limit(base: str) -> None:
    """A local Bot API server or a test one: the operator chose it, up to Telegram's paid 1000."""
    assert settings(telegram_api_base=base, telegram_rate_global=100).telegram_rate_global == 100
    with pytest.raises(SettingsError):
        settings(telegram_api_base=base, telegram_rate_global=5000)


def test_the_rule_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_TELEGRAM_RATE_GLOBAL", "100")
    with pytest.raises(SettingsError) as error:
        settings()
    assert str(error.value) == FREE_LIMIT_ERROR
    monkeypatch.setenv("OCOP_TELEGRAM_PAID_BROADCAST", "true")
    assert settings().telegram_rate_global == 100
    monkeypatch.delenv("OCOP_TELEGRAM_PAID_BROADCAST")
    monkeypatch.setenv("OCOP_TELEGRAM_API_BASE", "http://127.0.0.1:8081")
    assert settings().telegram_rate_global == 100


def test_the_rate_must_be_positive() -> None:
    with pytest.raises(SettingsError, match="OCOP_TELEGRAM_RATE_GLOBAL"):
        settings(telegram_rate_global=0)


def test_several_webhook_workers_need_webhook_mode_postgresql_and_a_secret() -> None:
    with pytest.raises(SettingsError) as error:
        settings(webhook_workers=2)
    assert str(error.value) == (
        "Setting OCOP_WEBHOOK_WORKERS is wrong: several workers need OCOP_TELEGRAM_MODE=webhook."
    )
    with pytest.raises(SettingsError) as error:
        settings(webhook_workers=2, telegram_mode="webhook")
    assert "need PostgreSQL in OCOP_DATABASE_URL" in str(error.value)
    postgres = "postgresql+asyncpg://ocop@127.0.0.1/ocop"
    with pytest.raises(SettingsError) as error:
        settings(webhook_workers=2, telegram_mode="webhook", database_url=postgres)
    assert "need OCOP_WEBHOOK_SECRET to be set" in str(error.value)
    ok = settings(
        webhook_workers=2, telegram_mode="webhook", database_url=postgres, webhook_secret="s"
    )
    assert ok.webhook_workers == 2
    assert settings().webhook_workers == 1
