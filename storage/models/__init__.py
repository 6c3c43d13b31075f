"""SQLAlchemy models. Channel-neutral: no Telegram-shaped keys; identities map channels to users.

Every table here is created by an Alembic migration in ``storage/migrations/versions``. The
models are split by subject; import them from here.
"""

from __future__ import annotations

from storage.models.base import (
    NAMING,
    Base,
    JSONType,
    UTCDateTime,
    utcnow,
)
from storage.models.delivery import (
    AppSecret,
    BackgroundJob,
    FileChunk,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    SeenMessage,
    SenderHeartbeat,
    SetAsideMessage,
    StoredFile,
)
from storage.models.forms import InstalledForm
from storage.models.people import (
    AuditEntry,
    Commune,
    Conversation,
    Identity,
    Invite,
    LinkAttempt,
    LinkCode,
    Offer,
    Province,
    Role,
    User,
    UserStatus,
)
from storage.models.reports import (
    Broadcast,
    Campaign,
    Product,
    ProductEvent,
    ProductStatus,
    ProvinceDeadline,
    ReportSchedule,
    ReviewStatus,
    Submission,
    SubmissionRevision,
)
from storage.models.web import WebLoginToken, WebSession
from storage.models.zalo_oa import ZaloOaToken, ZnsSpend

__all__ = [
    "NAMING",
    "AppSecret",
    "AuditEntry",
    "BackgroundJob",
    "Base",
    "Broadcast",
    "Campaign",
    "Commune",
    "Conversation",
    "FileChunk",
    "Identity",
    "InstalledForm",
    "Invite",
    "JSONType",
    "JobStatus",
    "LinkAttempt",
    "LinkCode",
    "Offer",
    "OutboxMessage",
    "OutboxStatus",
    "Product",
    "ProductEvent",
    "ProductStatus",
    "Province",
    "ProvinceDeadline",
    "ReportSchedule",
    "ReviewStatus",
    "Role",
    "SeenMessage",
    "SenderHeartbeat",
    "SetAsideMessage",
    "StoredFile",
    "Submission",
    "SubmissionRevision",
    "UTCDateTime",
    "User",
    "UserStatus",
    "WebLoginToken",
    "WebSession",
    "ZaloOaToken",
    "ZnsSpend",
    "utcnow",
]
