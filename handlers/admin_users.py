"""Admins manage people: invite codes (``/moi``), the list of users (``/nguoidung``),
disabling access (``/khoa``) and granting admin rights (``/capquyen``)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Button
from forms.phone import display_phone
from handlers.access import may_manage, refuse_non_admin, scope, start_admin_flow
from handlers.context import Context
from handlers.places import go_to_place, province_then_commune
from handlers.registry import command, flow
from handlers.roles import ROLE_LABELS, STATUS_LABELS, role_label
from storage.models import Commune, Role, UserStatus

INVITE_FLOW = "invite"
INVITE_DAYS = 30


@command("moi", "invite")
async def invite(ctx: Context, _argument: str) -> None:
    await start_admin_flow(ctx, "invite", INVITE_FLOW, "role")


class InviteFlow:
    name = INVITE_FLOW

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step = ctx.state.step
        if step == "role":
            t = ctx.t
            ctx.reply(
                t("Invite whom?"),
                buttons=[
                    [Button(label=t(ROLE_LABELS[Role.OFFICER]), payload=Role.OFFICER)],
                    [Button(label=t(ROLE_LABELS[Role.PRODUCER]), payload=Role.PRODUCER)],
                ],
            )
        elif step == "province":
            ctx.reply(ctx.t("Which province or city? Type part of its name."))
        elif step == "commune":
            ctx.reply(ctx.t("Which commune or ward? Type part of its name."))

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, data = ctx.state.step, ctx.data
        if step == "role":
            if ctx.inbound.payload not in (Role.OFFICER, Role.PRODUCER):
                await self.prompt(ctx)
                return
            data["role"] = ctx.inbound.payload
            go_to_place(ctx)
            await self.prompt(ctx)
        elif step in ("province", "commune"):
            commune = await province_then_commune(ctx)
            if commune is not None:
                await self._create(ctx, commune)

    async def _create(self, ctx: Context, commune: Commune) -> None:
        created = await ctx.stores.invites.create(
            role=ctx.data["role"],
            province_code=commune.province_code,
            commune_code=commune.code,
            created_by=ctx.user.id,
            expires_at=ctx.now + timedelta(days=INVITE_DAYS),
            max_uses=1,
        )
        ctx.stores.audit.record(
            ctx.user.id,
            "invite_created",
            code=created.code,
            commune=commune.code,
            role=created.role,
        )
        ctx.finish()
        lines = [
            ctx.t(
                "Invite code for {role}, {place}: {code} (valid {days} days, once).",
                role=role_label(ctx.tr, created.role),
                place=commune.name,
                code=created.code,
                days=INVITE_DAYS,
            ),
            ctx.t("They type: /start {code}", code=created.code),
        ]
        if ctx.config.invite_link:
            lines.append(
                ctx.t("Or open: {link}", link=ctx.config.invite_link.format(code=created.code))
            )
        ctx.reply("\n".join(lines))


flow(InviteFlow())


@command("nguoidung", "users")
async def users(ctx: Context, argument: str) -> None:
    if refuse_non_admin(ctx, "list_users"):
        return
    status = UserStatus.PENDING if argument.strip() in ("cho", "chờ", "pending") else None
    people = await ctx.stores.users.in_scope(scope(ctx), status=status, limit=50)
    if not people:
        ctx.reply(ctx.t("Nobody yet."))
        return
    lines = [ctx.t("Users (up to 50; /khoa ID disables, /capquyen ID makes an admin):")]
    for person in people:
        commune = await ctx.stores.places.commune(person.commune_code or 0)
        lines.append(
            " · ".join(
                [
                    str(person.id),
                    person.full_name or "—",
                    role_label(ctx.tr, person.role),
                    commune.name if commune else "—",
                    display_phone(person.phone) if person.phone else "—",
                    ctx.t(STATUS_LABELS[UserStatus(person.status)]),
                ]
            )
        )
    ctx.reply("\n".join(lines))


async def _target(ctx: Context, argument: str, action_name: str):  # type: ignore[no-untyped-def]
    if refuse_non_admin(ctx, action_name):
        return None
    raw = argument.split()[0] if argument.split() else ""
    person = await ctx.stores.users.get_in_scope(int(raw), scope(ctx)) if raw.isdigit() else None
    if person is None or not may_manage(ctx.user, person) or person.id == ctx.user.id:
        ctx.reply(ctx.t("No such user in your area. /nguoidung lists them with their numbers."))
        return None
    if person.role == Role.NATIONAL_ADMIN and ctx.user.role != Role.NATIONAL_ADMIN:
        ctx.reply(ctx.t("Only a national admin can do this."))
        return None
    return person


@command("khoa", "disable")
async def disable(ctx: Context, argument: str) -> None:
    person = await _target(ctx, argument, "disable_user")
    if person is None:
        return
    person.status = UserStatus.DISABLED
    ctx.stores.audit.record(ctx.user.id, "user_disabled", user=person.id)
    ctx.reply(ctx.t("{name} can no longer use the bot.", name=person.full_name or person.id))


@command("capquyen", "grant")
async def grant(ctx: Context, argument: str) -> None:
    person = await _target(ctx, argument, "grant_admin")
    if person is None:
        return
    national = "national" in argument.split()[1:] or "quocgia" in argument.split()[1:]
    if national and ctx.user.role != Role.NATIONAL_ADMIN:
        ctx.reply(ctx.t("Only a national admin can do this."))
        return
    if not national and person.province_code is None:
        ctx.reply(ctx.t("This person has no province; add “national” to make a national admin."))
        return
    person.role = Role.NATIONAL_ADMIN if national else Role.PROVINCE_ADMIN
    person.status = UserStatus.ACTIVE
    ctx.stores.audit.record(ctx.user.id, "admin_granted", user=person.id, role=person.role)
    ctx.reply(
        ctx.t(
            "{name} is now: {role}.",
            name=person.full_name or person.id,
            role=role_label(ctx.tr, person.role),
        )
    )
