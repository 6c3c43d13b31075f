"""Forms installed from XLSForm workbooks (issue 16): every version kept, so a report begun
with one version is finished and read with that same version after a newer one is imported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONType, UTCDateTime, utcnow


class InstalledForm(Base):
    """One version of an imported form.

        ``definition`` is the bot's form (what forms.schema.Form reads); ``source`` the workbook's
        sheets as rows (survey, choices, settings), so ``forms export`` gives back what was
        imported. ``chat`` holds what the chat needs besides (who files it, its period, its
    command). ``active`` marks the version new reports start with (one per ``form_id``).
    """

    __tablename__ = "installed_forms"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source: Mapped[dict[str, Any]] = mapped_column(JSONType)
    sha256: Mapped[str] = mapped_column(String(64))
    # What the workbook does not say (forms/xlsform/to_form.py ChatSettings): audience,
    # period, shared_by, command; set at import, changed when attached to the calendar.
    chat: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    installed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
