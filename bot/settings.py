"""Runtime configuration, read from environment variables (prefix ``OCOP_``) or a ``.env`` file.

Configuration errors are turned into one sentence naming the setting (see
:func:`load_settings`), because the people who start this bot are often not Python users.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["vi", "en"]
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("vi", "en")
KNOWN_CHANNELS = ("console", "telegram", "zalo", "zalo_oa")
# Telegram's broadcast limits (core.telegram.org/bots/faq): about 30 messages/s for free, up to
# 1000/s for messages sent as paid broadcasts (``allow_paid_broadcast``, charged in Stars).
TELEGRAM_FREE_RATE = 30
TELEGRAM_PAID_RATE = 1000
# Zalo's bot token goes into the request path; its webhook secret into a header.
ZALO_TOKEN = re.compile(r"[A-Za-z0-9:_.~-]{8,512}")
ZALO_SECRET = re.compile(r"[\x21-\x7e]{8,256}")


class SettingsError(Exception):
    """A setting has a value the bot cannot run with; the message names the setting."""


class Settings(BaseSettings):
    """Everything an operator may set. Defaults give a working console bot on SQLite."""

    model_config = SettingsConfigDict(
        env_prefix="OCOP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///ocop.db"
    # Messages of different users waiting at the same moment share a transaction, up to this
    # many (bot/batching.py); 1 handles each message alone.
    batch_size: int = Field(default=50, ge=1, le=500)
    default_language: Language = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    # Identities ("channel:external_id") that are national admins from the first message.
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # One person's messages are handled at this pace at most (a burst, then per minute);
    # beyond it they get one notice and the excess is not read (bot/flood.py).
    inbound_per_minute: float = Field(default=30.0, gt=0, le=100_000)
    inbound_burst: int = Field(default=20, ge=1, le=100_000)
    # Delivered outbox rows (copies of what was sent: personal data) are purged after this.
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)

    telegram_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "127.0.0.1"
    # The bot's one HTTP server (webhooks, download links, the browser chat): 0 takes any
    # free port (tests); the start-up lines say which.
    webhook_port: int = Field(default=8080, ge=0, le=65535)
    # Processes serving the webhook on the same port (bot/workers.py): one per CPU core puts
    # a small server to full use. Webhook mode on PostgreSQL only.
    webhook_workers: int = Field(default=1, ge=1, le=32)
    # Seconds one Bot API request may take before it counts as a time-out (and is retried).
    telegram_timeout: float = Field(default=30.0, gt=0, le=300)
    # Seconds a long poll (getUpdates) waits for news; Telegram allows up to 50.
    telegram_poll_timeout: int = Field(default=25, ge=0, le=50)
    # Send every message as a paid broadcast (Telegram then allows up to 1000/s, for Stars).
    telegram_paid_broadcast: bool = False
    # Outgoing pace: at most this many messages in any second to all chats together, and
    # about 1/s per chat. Against the official API at most 30 (Telegram's free limit) unless
    # paid broadcasts are on; another Bot API server (local, or a test one) may allow more.
    telegram_rate_global: float = Field(default=25.0, gt=0, le=TELEGRAM_PAID_RATE)
    telegram_rate_per_chat: float = Field(default=1.0, gt=0, le=30)

    # -- Zalo Bot Platform (bot/channels/zalo/, docs/zalo.md) --------------------------------
    # The token Zalo Bot Creator sends; when set, the bot runs on Zalo too.
    zalo_bot_token: str | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_mode: Literal["polling", "webhook"] = "polling"
    # Webhook mode: Zalo sends it back in X-Bot-Api-Secret-Token (8 to 256 characters).
    zalo_webhook_secret: str | None = Field(default=None, validate_default=True)
    # The bot's public HTTPS base URL (behind the reverse proxy); Zalo's webhook is under it.
    public_url: str | None = Field(default=None, validate_default=True)
    # Seconds one Bot API request may take; a long poll waits zalo_poll_timeout on top.
    zalo_timeout: float = Field(default=30.0, gt=0, le=300)
    zalo_poll_timeout: int = Field(default=25, ge=1, le=60)
    # Zalo publishes no limits: a conservative pace, messages per second overall and per chat.
    zalo_rate_global: float = Field(default=5.0, gt=0, le=100)
    zalo_rate_per_chat: float = Field(default=1.0, gt=0, le=30)

    # -- Zalo Official Account (bot/channels/zalo_oa/, docs/zalo_oa.md) ----------------------
    # The OA's app (developers.zalo.me): its id and secret key (webhook signatures, token
    # refresh), and the first refresh token; later ones are rotated in the database.
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: str | None = None
    zalo_oa_refresh_token: str | None = None
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_zns_base: str = "https://business.openapi.zalo.me"
    zalo_oa_timeout: float = Field(default=20.0, gt=0, le=300)
    # Hours after a user's last message during which the OA may write to them freely.
    zalo_oa_window_hours: float = Field(default=48.0, gt=0, le=24 * 7)
    # Reminder kind (before-7, due, after-3, or * for any) -> ZNS template, as JSON:
    # {"after-3": {"template_id": "123", "data": {"report": "subject", "period": "period"}}}
    zalo_zns_templates: str | None = None
    # ZNS messages the bot may send in one day (each is paid); 0: none.
    zalo_zns_daily_cap: int = Field(default=200, ge=0, le=1_000_000)
    # Price of one ZNS message in đồng, for the spend shown (Zalo bills by template type).
    zalo_zns_unit_cost: int = Field(default=300, ge=0, le=100_000)

    @field_validator("zalo_zns_templates")
    @classmethod
    def _check_zalo_zns_templates(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None:
            from scheduler.routing import parse_templates

            parse_templates(value)  # ValueError names what is wrong
        return value

    @field_validator("zalo_oa_secret_key")
    @classmethod
    def _check_zalo_oa(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if bool(value) != bool(info.data.get("zalo_oa_app_id")):
            raise ValueError("the Zalo OA needs both OCOP_ZALO_OA_APP_ID and this secret key")
        return value

    # -- download links and kept photos (bot/files/, docs/zalo.md, docs/exports.md) ---------
    # Signs the links to files (exports on Zalo): OCOP_PUBLIC_URL/files/<token>. Unset: a
    # random one is made once and kept in the database, so that every worker agrees.
    link_secret: str | None = None
    # How long a download link works (and the file behind it is kept).
    link_ttl_hours: int = Field(default=24, ge=1, le=720)
    # Photos are downloaded from public addresses only; true lets the bot fetch from this
    # machine or a private network (tests, a local fake API). Never in production.
    allow_private_downloads: bool = False
    # How often a running bot looks for forms imported or attached since it started
    # (``ocop-bot forms import|attach`` from another shell, another worker's /lich).
    forms_reload_seconds: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("link_secret")
    @classmethod
    def _check_link_secret(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and len(value) < 16:
            raise ValueError("use at least 16 random characters (or leave it unset)")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _check_zalo_bot_token(cls, value: str | None) -> str | None:
        # The token is part of every request's path: nothing that would break the URL.
        value = (value or "").strip() or None
        if value is not None and not ZALO_TOKEN.fullmatch(value):
            raise ValueError(
                "a token looks like 1234567890:AbC-dEf..., as Zalo Bot Creator sends it"
            )
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _check_zalo_webhook_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value or None
        if value is not None and not ZALO_SECRET.fullmatch(value):
            raise ValueError("use 8 to 256 visible characters without spaces (Zalo's rule)")
        if value is None and _zalo_webhook(info):
            raise ValueError(
                "Zalo webhook mode (OCOP_ZALO_MODE=webhook) needs a secret of 8 to 256 characters"
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip().rstrip("/") or None
        if value is None:
            if _zalo_webhook(info):
                raise ValueError(
                    "Zalo webhook mode needs the bot's public HTTPS address, e.g. https://ocop.example.gov.vn"
                )
            return None
        parts = urlsplit(value)
        # Plain HTTP only on this machine (tests, a local tunnel): Zalo calls HTTPS URLs.
        local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not parts.hostname or (parts.scheme != "https" and not local) or parts.query:
            raise ValueError(f"'{value}' is not an HTTPS address like https://ocop.example.gov.vn")
        return value

    console_user: str = "local"
    # The browser chat (/chat on the HTTP server, bot/channels/web/): "auto" runs it when no
    # messenger is configured (beside the console; skipped if the port is taken), "on"
    # always, "off" never.
    web_chat: Literal["auto", "on", "off"] = "auto"
    # The admin dashboard (/admin on the HTTP server, bot/web/, docs/web.md): "auto" serves
    # it always, and leaves it out with a word if the port is taken; "on" stops the bot
    # then; "off" never serves it.
    dashboard: Literal["auto", "on", "off"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admins")
    @classmethod
    def _check_admins(cls, value: list[str]) -> list[str]:
        for item in value:
            channel, sep, external = item.partition(":")
            if not sep or channel not in KNOWN_CHANNELS or not external:
                raise ValueError(
                    f"'{item}' is not of the form channel:id with channel one of "
                    + ", ".join(KNOWN_CHANNELS)
                )
        return value

    @field_validator("webhook_workers")
    @classmethod
    def _check_webhook_workers(cls, value: int, info: ValidationInfo) -> int:
        # Polling allows one reader of the updates; SQLite one writer, and its start-up
        # releases every lease as if no other process were sending.
        if value == 1:
            return value
        if info.data.get("telegram_mode") != "webhook":
            raise ValueError("several workers need OCOP_TELEGRAM_MODE=webhook")
        if not str(info.data.get("database_url", "")).startswith("postgresql"):
            raise ValueError("several workers need PostgreSQL in OCOP_DATABASE_URL")
        if not info.data.get("webhook_secret"):
            # Workers share the port (SO_REUSEPORT), so a process left over from an earlier
            # start could take a share of the updates: it must check the same secret.
            raise ValueError("several workers need OCOP_WEBHOOK_SECRET to be set")
        return value

    @field_validator("telegram_rate_global")
    @classmethod
    def _check_telegram_rate_global(cls, value: float, info: ValidationInfo) -> float:
        # Above the free limit Telegram answers 429 and may hold the whole bot back for long
        # stretches; allow it only where someone chose to: paid broadcasts, or another server.
        if value <= TELEGRAM_FREE_RATE or info.data.get("telegram_paid_broadcast"):
            return value
        if _is_official_telegram(info.data.get("telegram_api_base")):
            raise ValueError(
                f"Telegram allows at most {TELEGRAM_FREE_RATE} messages/s, or up to "
                f"{TELEGRAM_PAID_RATE} with OCOP_TELEGRAM_PAID_BROADCAST=true (charged in Stars)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            if value.startswith(("postgresql://", "postgres://")):
                return "postgresql+asyncpg://" + value.split("://", 1)[1]
            if value.startswith("sqlite://"):
                return "sqlite+aiosqlite://" + value.split("://", 1)[1]
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def admin_identities(self) -> set[tuple[str, str]]:
        return {tuple(item.split(":", 1)) for item in self.admins}  # type: ignore[misc]

    # A folder of form YAML files of your own; the shipped forms/definitions when unset.
    forms_dir: str | None = None

    @field_validator("forms_dir")
    @classmethod
    def _check_forms_dir(cls, value: str | None) -> str | None:
        if value and not Path(value).is_dir():
            raise ValueError(f"there is no folder {value}")
        return value or None

    # -- reporting calendar and reminders (scheduler/, docs/reminders.md) --------------------
    # A calendar YAML of your own; the shipped scheduler/calendar.yaml when unset.
    calendar_file: str | None = None
    # Local time (OCOP_TIMEZONE) of the daily reminder run.
    reminder_time: str = "08:00"
    # Nothing is written to anyone between these local times.
    quiet_hours: str = "21:00-07:00"
    # Run the reminder scheduler in this process (one is elected among workers).
    scheduler: bool = True
    # Seconds between a worker's tries to become the scheduler (and calendar refreshes).
    scheduler_retry: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("calendar_file")
    @classmethod
    def _check_calendar_file(cls, value: str | None) -> str | None:
        if value and not Path(value).is_file():
            raise ValueError(f"there is no file {value}")
        return value or None

    @field_validator("reminder_time")
    @classmethod
    def _check_reminder_time(cls, value: str) -> str:
        _clock_minutes(value)
        return value.strip()

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, value: str, info: ValidationInfo) -> str:
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"'{value}' is not a range like 21:00-07:00")
        first, last = _clock_minutes(start), _clock_minutes(end)
        reminder = info.data.get("reminder_time")
        if reminder is not None:
            at = _clock_minutes(reminder)
            quiet = (at >= first or at < last) if first > last else first <= at < last
            if quiet:
                raise ValueError(f"the reminder time {reminder} falls in these quiet hours")
        return value.strip()


def load_settings(**overrides: object) -> Settings:
    """Build settings or raise :class:`SettingsError` with one sentence naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        reason = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Setting OCOP_{field.upper()} is wrong: {reason}.") from None


def _is_official_telegram(base: str | None) -> bool:
    """Whether the Bot API base is Telegram's own; when in doubt (no readable host), yes."""
    host = urlsplit(base or "").hostname
    return host is None or host == "telegram.org" or host.endswith(".telegram.org")


def _zalo_webhook(info: ValidationInfo) -> bool:
    """Whether the settings read so far ask for Zalo by webhook."""
    return bool(info.data.get("zalo_bot_token")) and info.data.get("zalo_mode") == "webhook"


def _clock_minutes(text: str) -> int:
    """ "08:00" as minutes after midnight; ValueError for anything that is not a time."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"'{text.strip()}' is not a time like 08:00")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ValueError(f"'{text.strip()}' is not a time of day")
    return int(hours) * 60 + int(minutes)
