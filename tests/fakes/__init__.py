"""Test doubles for external services (kept out of the production packages on purpose)."""

from tests.fakes.telegram_api import (
    ACTION_METHODS,
    ALL_METHODS,
    RATE_LIMITED_METHODS,
    USE_WEBHOOK_SECRET,
    FakeTelegramServer,
    RecordedCall,
    RecordedRequest,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)

__all__ = [
    "ACTION_METHODS",
    "ALL_METHODS",
    "RATE_LIMITED_METHODS",
    "USE_WEBHOOK_SECRET",
    "FakeTelegramServer",
    "RecordedCall",
    "RecordedRequest",
    "UploadedFile",
    "WebhookConfig",
    "WebhookDelivery",
]
