"""What handlers need from storage, as interfaces: handlers never import SQLAlchemy.

The classes in ``storage`` satisfy these structurally; tests could swap in fakes, but the
transcripts deliberately use the real ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from forms.readers.places_former import Search
from storage.broadcasts import Audience
from storage.links import Found
from storage.models import (
    Broadcast,
    Commune,
    Identity,
    Invite,
    LinkCode,
    Product,
    ProductEvent,
    Province,
    Submission,
    User,
)
from storage.personal_data import KeptData
from storage.products import Certificate, Evaluation
from storage.progress import Expected
from storage.scope import Scope


class UserStore(Protocol):
    async def get(self, user_id: int) -> User | None: ...
    async def find_by_phone(self, phone: str, *, exclude: int | None = None) -> Sequence[User]: ...
    async def admins_for_province(self, province_code: int | None) -> Sequence[User]: ...
    async def pending_officers(self, province_code: int | None) -> Sequence[User]: ...
    async def delivery_identity(self, user_id: int) -> Identity | None: ...
    async def officers_of_commune(self, commune_code: int) -> Sequence[User]: ...
    async def claim_imported(
        self, user: User, phone: str | None, *, verified: bool, now: datetime | None = None
    ) -> bool: ...
    async def get_in_scope(self, user_id: int, scope: Scope) -> User | None: ...
    async def kept_data(self, user: User) -> KeptData: ...
    async def erase(self, user: User, *, drop_row: bool = True) -> None: ...
    async def forget_answers(
        self, user: User, *, full_name: str | None, phone: str | None
    ) -> None: ...


class PlaceStore(Protocol):
    async def province(self, code: int) -> Province | None: ...
    async def commune(self, code: int) -> Commune | None: ...
    async def communes_of(self, province_code: int) -> Sequence[Commune]: ...
    async def search_provinces(self, query: str) -> list[Province]: ...
    async def search_communes(self, province_code: int, query: str) -> list[Commune]: ...
    async def find_province(self, query: str, *, limit: int) -> Search[Province]: ...
    async def find_commune(
        self, province_code: int, query: str, *, limit: int
    ) -> Search[Commune]: ...


class InviteStore(Protocol):
    async def usable(self, code: str, *, now: datetime | None = None) -> Invite | None: ...
    async def claim(self, code: str, *, now: datetime | None = None) -> bool: ...
    async def create(
        self,
        *,
        role: str,
        province_code: int,
        commune_code: int | None,
        created_by: int | None,
        expires_at: datetime | None = None,
        max_uses: int = 1,
    ) -> Invite: ...


class AuditStore(Protocol):
    def record(self, user_id: int | None, action: str, **detail: Any) -> None: ...


class SubmissionStore(Protocol):
    async def find(
        self, form_id: str, period: str, scope_key: str, *, lock: bool = False
    ) -> Submission | None: ...
    async def create(
        self,
        *,
        form_id: str,
        period: str,
        scope_key: str,
        receipt_prefix: str,
        user: User,
        answers: dict[str, Any],
        now: datetime,
    ) -> Submission: ...
    async def revise(
        self, submission: Submission, *, user: User, answers: dict[str, Any], now: datetime
    ) -> Submission: ...
    async def earlier_answers(
        self, form_id: str, scope_key: str, *, before: str, limit: int = 12
    ) -> list[dict[str, Any]]: ...


class ProductStore(Protocol):
    async def add_idea(
        self,
        submission: Submission,
        *,
        user: User,
        name: str,
        producer_name: str | None,
        group: str | None,
    ) -> Product: ...
    async def of_user(self, user_id: int) -> Sequence[Product]: ...
    async def get(self, product_id: int, scope: Scope, *, lock: bool = False) -> Product | None: ...
    async def by_receipt(self, receipt: str, scope: Scope) -> tuple[Product, Submission] | None: ...
    async def receipts(self, products: Iterable[Product]) -> dict[int, str]: ...
    async def history(self, product_id: int) -> Sequence[ProductEvent]: ...
    async def histories(self, product_ids: Iterable[int]) -> dict[int, list[ProductEvent]]: ...
    async def last_step_to(self, product_id: int, status: str) -> ProductEvent | None: ...
    async def move(
        self,
        product: Product,
        to: str,
        *,
        user_id: int,
        now: datetime,
        reason: str | None = None,
        evaluation: Evaluation | None = None,
        certificate: Certificate | None = None,
    ) -> ProductEvent: ...
    async def answer_info(
        self, product: Product, *, user_id: int, now: datetime, text: str
    ) -> ProductEvent: ...


class ProgressStore(Protocol):
    async def submissions(
        self, form_id: str, period: str, scope: Scope
    ) -> Sequence[Submission]: ...
    async def by_receipt(self, receipt: str, scope: Scope) -> Submission | None: ...
    async def get(self, submission_id: int, scope: Scope) -> Submission | None: ...
    async def expected_communes(
        self, form_id: str, period: str, scope: Scope
    ) -> list[Expected]: ...
    async def expected_producers(
        self, form_id: str, period: str, scope: Scope, *, with_product: bool
    ) -> list[Expected]: ...


class BroadcastStore(Protocol):
    async def recipients(
        self,
        scope: Scope,
        *,
        role: str | None,
        province_code: int | None,
        commune_code: int | None,
        exclude: int | None = None,
    ) -> Sequence[User]: ...
    async def audience(
        self,
        scope: Scope,
        *,
        role: str | None,
        province_code: int | None,
        commune_code: int | None,
        exclude: int | None = None,
    ) -> Audience: ...
    async def create(
        self,
        *,
        author_id: int,
        text: str,
        audience: str,
        province_code: int | None,
        commune_code: int | None,
        recipients: int,
    ) -> Broadcast: ...


class LinkStore(Protocol):
    """One person on several messengers (storage/links.py, handlers/linking.py)."""

    async def issue(self, user_id: int, identity_id: int, *, now: datetime) -> str: ...
    async def find(self, typed: str, *, now: datetime) -> tuple[Found, LinkCode | None]: ...
    async def take(self, code: LinkCode, *, now: datetime) -> bool: ...
    async def wait_after_wrong(self, identity_id: int, *, now: datetime) -> timedelta | None: ...
    async def note_wrong(self, identity_id: int, *, now: datetime) -> None: ...
    async def lock_user(self, user_id: int) -> User | None: ...
    async def identity(self, identity_id: int) -> Identity | None: ...
    async def identities(self, user_id: int) -> Sequence[Identity]: ...
    async def channels_of(self, user_ids: Iterable[int]) -> dict[int, list[str]]: ...
    async def records_of(self, user_id: int) -> int: ...
    async def join(self, survivor: User, absorbed: User) -> None: ...
