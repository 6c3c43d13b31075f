"""Products along the OCOP cycle in storage: every step checked against the cycle, kept in
the history, read only inside a scope; the reminder queries and the digest counts see them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.calendar import ReminderQueries
from storage.db import create_engine, create_session_factory
from storage.models import Product, ProductStatus, Role, User, UserStatus
from storage.products import Certificate, CycleError, Evaluation, Products, count_by_state
from storage.products_cycle import stars_for
from storage.scope import Reach, Scope, scope_of
from storage.submissions import Submissions

LANG_SON, CAO_LOC, LOC_BINH = 20, 6193, 6529
S = ProductStatus


def at(day: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def person(session: AsyncSession, role: str, commune: int | None = CAO_LOC) -> User:
    user = User(
        role=role,
        status=UserStatus.ACTIVE,
        full_name=role,
        language="vi",
        province_code=LANG_SON,
        commune_code=commune,
    )
    session.add(user)
    await session.flush()
    return user


async def idea(session: AsyncSession, producer: User, name: str = "Mật ong bạc hà") -> Product:
    submission = await Submissions(session).create(
        form_id="product_idea",
        period="",
        scope_key=f"own:{producer.id}:{name}",
        receipt_prefix="YT",
        user=producer,
        answers={"product_name": name},
        now=at(10),
    )
    return await Products(session).add_idea(
        submission, user=producer, name=name, producer_name="HTX Cao Lộc", group="food"
    )


def test_the_stars_follow_the_national_bands() -> None:
    assert [stars_for(s) for s in (0, 49, 50, 69, 70, 89, 90, 100)] == [
        None,
        None,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


async def test_an_idea_goes_from_submitted_to_certified_with_its_history(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        producer = await person(session, Role.PRODUCER)
        officer = await person(session, Role.OFFICER)
        product = await idea(session, producer)
        products = Products(session)
        await products.move(product, S.UNDER_REVIEW, user_id=officer.id, now=at(11))
        await products.move(
            product, S.NEEDS_INFO, user_id=officer.id, now=at(12), reason="Thiếu giấy ATTP"
        )
        assert product.status_reason == "Thiếu giấy ATTP"
        await products.answer_info(product, user_id=producer.id, now=at(13), text="Đã có giấy")
        assert (product.status, product.status_reason) == (S.UNDER_REVIEW, None)
        await products.move(product, S.SELECTED, user_id=officer.id, now=at(14))
        await products.move(
            product,
            S.EVALUATED,
            user_id=officer.id,
            now=at(14, 5),
            evaluation=Evaluation(score=72, round=1, year=2024),
        )
        await products.move(
            product,
            S.CERTIFIED,
            user_id=officer.id,
            now=at(20, 5),
            certificate=Certificate("1234/QĐ-UBND", date(2024, 5, 10), date(2027, 5, 10)),
        )
        product_id = product.id
    async with sessions() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        assert (product.status, product.score, product.stars) == (S.CERTIFIED, 72, 4)
        assert (product.evaluation_round, product.evaluation_year) == (1, 2024)
        assert product.certificate_number == "1234/QĐ-UBND"
        assert (product.certificate_date, product.certificate_expires) == (
            date(2024, 5, 10),
            date(2027, 5, 10),
        )
        history = await Products(session).history(product_id)
        assert [(e.from_status, e.to_status) for e in history] == [
            (None, S.SUBMITTED),
            (S.SUBMITTED, S.UNDER_REVIEW),
            (S.UNDER_REVIEW, S.NEEDS_INFO),
            (S.NEEDS_INFO, S.UNDER_REVIEW),
            (S.UNDER_REVIEW, S.SELECTED),
            (S.SELECTED, S.EVALUATED),
            (S.EVALUATED, S.CERTIFIED),
        ]
        assert history[2].reason == "Thiếu giấy ATTP" and history[3].reason == "Đã có giấy"
        assert history[5].details == {"score": 72, "stars": 4, "round": 1, "year": 2024}
        assert history[6].details["expires"] == "2027-05-10"
        assert history[0].created_at == at(10)  # the idea's own filing time
        # The reminders read the recorded expiry.
        certified = await ReminderQueries(session).certified_products()
        assert [(c.id, c.certificate_expires) for c in certified] == [
            (product_id, date(2027, 5, 10))
        ]


async def test_steps_the_cycle_does_not_allow_are_refused_and_change_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        producer = await person(session, Role.PRODUCER)
        officer = await person(session, Role.OFFICER)
        product = await idea(session, producer)
        products = Products(session)
        certificate = Certificate("1", date(2024, 5, 10), date(2027, 5, 10))
        with pytest.raises(CycleError):  # not selected, not evaluated
            await products.move(
                product, S.CERTIFIED, user_id=officer.id, now=at(11), certificate=certificate
            )
        with pytest.raises(CycleError):  # a refusal needs its reason
            await products.move(product, S.NOT_SELECTED, user_id=officer.id, now=at(11), reason=" ")
        with pytest.raises(CycleError):  # nobody asked the producer anything
            await products.answer_info(product, user_id=producer.id, now=at(11), text="x")
        await products.move(product, S.SELECTED, user_id=officer.id, now=at(11))
        low = Evaluation(score=45, round=2, year=2024)
        await products.move(product, S.EVALUATED, user_id=officer.id, now=at(12), evaluation=low)
        assert product.stars is None
        with pytest.raises(CycleError):  # under 50 points: no ranking, no certificate
            await products.move(
                product, S.CERTIFIED, user_id=officer.id, now=at(13), certificate=certificate
            )
        assert (product.status, product.certificate_number) == (S.EVALUATED, None)
        assert len(await products.history(product.id)) == 3


async def test_ideas_are_read_only_inside_a_scope(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        producer = await person(session, Role.PRODUCER)
        officer = await person(session, Role.OFFICER)
        other = await person(session, Role.OFFICER, LOC_BINH)
        admin = await person(session, Role.PROVINCE_ADMIN, None)
        stranger = await person(session, Role.PRODUCER)
        product = await idea(session, producer)
        receipt = (await Products(session).receipts([product]))[product.id]
    async with sessions() as session:
        products = Products(session)
        for user, sees in [
            (officer, True),
            (admin, True),
            (producer, True),
            (other, False),
            (stranger, False),
        ]:
            found = await products.by_receipt(receipt.lower(), scope_of(user))
            assert (found is not None) is sees, user.role
            assert (await products.get(product.id, scope_of(user)) is not None) is sees
        assert await products.get(product.id, Scope(Reach.PROVINCE, province_code=1)) is None


async def test_the_digest_counts_products_by_state_and_province(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        producer = await person(session, Role.PRODUCER)
        officer = await person(session, Role.OFFICER)
        first = await idea(session, producer, "Mật ong")
        await idea(session, producer, "Chè")
        await idea(session, producer, "Miến")
        products = Products(session)
        await products.move(first, S.NOT_SELECTED, user_id=officer.id, now=at(11), reason="Trùng")
    async with sessions() as session:
        counts = await count_by_state(session)
        assert counts == {LANG_SON: {S.SUBMITTED: 2, S.NOT_SELECTED: 1}}
