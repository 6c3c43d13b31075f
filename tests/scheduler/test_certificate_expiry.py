"""Certificate-expiry reminders count from the expiry recorded with the certificate (about 6,
3 and 1 month before it), reach the producer, and the province admin's digest counts the
certificates ending soon and the province's products by step of the OCOP cycle."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from storage.models import Product, ProductStatus, Role
from tests.scheduler.conftest import World, at

D = date


async def _certified(world: World, owner: str, *, granted: date, expires: date) -> int:
    product_id = await world.product(owner, certified_on=granted, name="Trà hoa vàng")
    async with world.session_factory() as session, session.begin():
        await session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(certificate_expires=expires, certificate_number="88/QĐ-UBND", stars=4)
        )
    return product_id


async def test_reminders_count_from_the_recorded_expiry(world: World) -> None:
    minh = await world.person("minh", Role.PRODUCER, "Đồng Đăng")
    thu = await world.person("thu", Role.PROVINCE_ADMIN, None)
    await world.product("minh", name="Miến dong")  # an idea, still submitted
    # Recorded when it was certified: the expiry stands even if the calendar's validity
    # would now give another day (1 July 2024 from 1 July 2021).
    product = await _certified(world, "minh", granted=D(2021, 7, 1), expires=D(2024, 6, 30))
    expiry = D(2024, 6, 30)
    job = world.job()
    reminder_days = {expiry - timedelta(days=n): n for n in (180, 90, 30)}
    assert sorted(reminder_days) == [D(2024, 1, 2), D(2024, 4, 1), D(2024, 5, 31)]
    day = D(2024, 1, 1)
    while day <= D(2024, 7, 2):
        before = await world.keys()
        await job.run(at(day))
        new = await world.keys() - before
        reminders = {k for k in new if k.startswith(f"remind:{minh}:certificate:")}
        if day in reminder_days:
            kind = f"before-{reminder_days[day]}"
            assert reminders == {f"remind:{minh}:certificate:{product}@2024-06-30:{kind}"}, day
            assert f"digest:{thu}:{day.isoformat()}" in new, day
        else:
            assert reminders == set(), day
        day += timedelta(days=1)

    last = f"remind:{minh}:certificate:{product}@2024-06-30:before-30"
    reminder = next(r for r in await world.outbox() if r.dedupe_key == last)
    assert reminder.user_id == minh
    assert reminder.payload["text"].startswith(
        "Giấy chứng nhận OCOP của sản phẩm “Trà hoa vàng” hết hạn ngày 30/06/2024 (còn 30 ngày)."
    )
    digest = next(
        r for r in await world.outbox() if r.dedupe_key == f"digest:{thu}:2024-05-31"
    ).payload["text"]
    assert "1 giấy chứng nhận OCOP sắp hết hạn:" in digest
    assert "“Trà hoa vàng” (Minh, Xã Đồng Đăng): 30/06/2024 (còn 30 ngày)" in digest
    assert "Sản phẩm OCOP của tỉnh theo các bước của chu trình:" in digest
    assert "• Đã gửi, đang chờ xem xét: 1" in digest
    assert "• Đã được công nhận: 1" in digest


async def test_a_re_certified_product_is_reminded_of_its_new_certificate(world: World) -> None:
    minh = await world.person("minh", Role.PRODUCER, "Đồng Đăng")
    product = await _certified(world, "minh", granted=D(2021, 7, 1), expires=D(2024, 6, 30))
    job = world.job()
    await job.run(at(D(2024, 5, 31)))
    async with world.session_factory() as session, session.begin():
        await session.execute(
            update(Product)
            .where(Product.id == product)
            .values(
                status=ProductStatus.CERTIFIED,
                certificate_date=D(2024, 6, 10),
                certificate_expires=D(2027, 6, 10),
            )
        )
    await job.run(at(D(2026, 12, 12)))  # 180 days before 10 June 2027
    keys = {k for k in await world.keys() if k.startswith(f"remind:{minh}:certificate:")}
    assert keys == {
        f"remind:{minh}:certificate:{product}@2024-06-30:before-30",
        f"remind:{minh}:certificate:{product}@2027-06-10:before-180",
    }
