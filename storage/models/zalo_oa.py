"""The Zalo Official Account's own state (bot/channels/zalo_oa/, issue 17): its rotating
OAuth tokens and what ZNS has cost each day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class ZaloOaToken(Base):
    """The OA's access token and the refresh token that replaces it. Zalo's refresh token
    is single-use: whoever refreshes must store the new one or the OA is locked out until
    someone authorises the app again. So it lives here, shared by every worker, and a
    refresh is claimed first (``refreshing_until``, one conditional UPDATE: storage/
    zalo_oa.py) so that exactly one worker spends it."""

    __tablename__ = "zalo_oa_tokens"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A digest of the OCOP_ZALO_OA_REFRESH_TOKEN this row was seeded from: a new one in the
    # settings (the app authorised again) replaces what is stored.
    seed_digest: Mapped[str] = mapped_column(String(64))
    # Bumped at every change: the compare-and-swap key of the claim.
    version: Mapped[int] = mapped_column(Integer, default=0)
    refreshing_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ZnsSpend(Base):
    """ZNS messages sent on one day (local date) and their cost in đồng: the daily cap is
    checked against ``sent`` with one conditional UPDATE, so workers never exceed it."""

    __tablename__ = "zalo_zns_spend"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[int] = mapped_column(Integer, default=0)
