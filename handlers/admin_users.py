"""Admins manage people: invite codes (``/moi``), the list of users (``/nguoidung``),
disabling access (``/khoa``) and restoring it (``/mokhoa``), granting admin rights to an
active person (``/capquyen``) and deleting a person's data at their request
(``/xoanguoidung``)."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import Translator
from bot.messages import Button, InboundKind, Outbound
from bot.render import display_name, display_phone
from handlers.access import ADMIN_GUARD, may_manage, refuse_non_admin, scope, start_admin_flow
from handlers.arguments import record_id
from handlers.context import Context
from handlers.linking import channel_names
from handlers.places import go_to_place, province_then_commune
from handlers.registry import FLOWS, command, flow
from handlers.roles import ROLE_LABELS, STATUS_LABELS, capabilities, role_label
from storage.models import Commune, Role, User, UserStatus

INVITE_FLOW = "invite"
INVITE_DAYS = 30


@command("moi", "invite")
async def invite(ctx: Context, _argument: str) -> None:
    await start_admin_flow(ctx, "invite", INVITE_FLOW, "role")


class InviteFlow:
    name = INVITE_FLOW
    guard = ADMIN_GUARD

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
    lines = [
        ctx.t(
            "Users (up to 50; /khoa ID disables, /mokhoa ID unlocks, /capquyen ID makes an "
            "admin, /xoanguoidung ID deletes their personal data):"
        )
    ]
    # Which messengers each uses: a person who linked two (/lienket) shows both.
    messengers = await ctx.stores.links.channels_of(p.id for p in people)
    for person in people:
        commune = await ctx.stores.places.commune(person.commune_code or 0)
        lines.append(
            " · ".join(
                [
                    str(person.id),
                    display_name(person.full_name) if person.full_name else "—",
                    role_label(ctx.tr, person.role),
                    commune.name if commune else "—",
                    display_phone(person.phone) if person.phone else "—",
                    ctx.t(STATUS_LABELS[UserStatus(person.status)]),
                    channel_names(messengers.get(person.id, [])) or "—",
                ]
            )
        )
    ctx.reply("\n".join(lines))


async def target_person(ctx: Context, argument: str, action_name: str) -> User | None:
    """The person an admin names by number, if this admin may manage them (read from
    storage now: rights withdrawn a minute ago count)."""
    if refuse_non_admin(ctx, action_name):
        return None
    raw = argument.split()[0] if argument.split() else ""
    person_id = record_id(raw)
    person = await ctx.stores.users.get_in_scope(person_id, scope(ctx)) if person_id else None
    if person is None or not may_manage(ctx.user, person) or person.id == ctx.user.id:
        ctx.reply(ctx.t("No such user in your area. /nguoidung lists them with their numbers."))
        return None
    if person.role == Role.NATIONAL_ADMIN and ctx.user.role != Role.NATIONAL_ADMIN:
        ctx.reply(ctx.t("Only a national admin can do this."))
        return None
    return person


def _name(person: User) -> str | int:
    return display_name(person.full_name) if person.full_name else person.id


@command("khoa", "disable")
async def disable(ctx: Context, argument: str) -> None:
    person = await target_person(ctx, argument, "disable_user")
    if person is None:
        return
    # What they were before (active, waiting, rejected): /mokhoa gives back exactly that.
    was = person.status
    person.status = UserStatus.DISABLED
    ctx.stores.audit.record(ctx.user.id, "user_disabled", user=person.id, was=was)
    ctx.reply(ctx.t("{name} can no longer use the bot.", name=_name(person)))


# The statuses /mokhoa gives back; an account locked before its status was recorded opens.
_UNLOCKED_TO = (UserStatus.ACTIVE, UserStatus.PENDING, UserStatus.REJECTED)


@command("mokhoa", "enable")
async def enable(ctx: Context, argument: str) -> None:
    """Undo a /khoa: only a locked account is opened (anything else says why and changes
    nothing), and its owner is told in their own language."""
    person = await target_person(ctx, argument, "enable_user")
    if person is None:
        return
    if person.status != UserStatus.DISABLED:
        ctx.reply(
            ctx.t(
                "{name} is not disabled (status: {status}). Nothing was changed.",
                name=_name(person),
                status=ctx.t(STATUS_LABELS[UserStatus(person.status)]),
            )
        )
        return
    # Back to what it was when locked: an officer locked while waiting for approval waits
    # again (and is listed in /duyet), a rejected one stays rejected.
    was = await ctx.stores.audit.status_before_lock(person.id)
    person.status = was if was in _UNLOCKED_TO else UserStatus.ACTIVE
    ctx.stores.audit.record(ctx.user.id, "user_enabled", user=person.id, now=person.status)
    if person.status != UserStatus.ACTIVE:
        ctx.reply(
            ctx.t(
                "{name} is unlocked, and is again: {status}.",
                name=_name(person),
                status=ctx.t(STATUS_LABELS[UserStatus(person.status)]),
            )
        )
        return
    ctx.reply(ctx.t("{name} can use the bot again.", name=_name(person)))

    def compose(tr: Translator) -> Outbound:
        text = tr.t("An admin has unlocked your account: you can use the bot again.")
        return Outbound(text=text + "\n\n" + capabilities(tr, person))

    ctx.notify(person, compose)


def _refuse_status(ctx: Context, person: User) -> bool:
    """Admin rights go only to an active account: granting them must not skip an officer's
    approval, undo a rejection or open a locked account. True when refused."""
    if person.status == UserStatus.ACTIVE:
        return False
    if person.status == UserStatus.PENDING:
        ctx.reply(
            ctx.t(
                "{name} is still waiting for approval. Please approve their registration "
                "first (/duyet), then grant admin rights. Nothing was changed.",
                name=_name(person),
            )
        )
        return True
    lines = [
        ctx.t(
            "Admin rights can only be given to an active account. {name}'s account is: "
            "{status}. Nothing was changed.",
            name=_name(person),
            status=ctx.t(STATUS_LABELS[UserStatus(person.status)]),
        )
    ]
    if person.status == UserStatus.DISABLED:
        lines.append(ctx.t("You can unlock it first with /mokhoa {id}.", id=person.id))
    ctx.reply("\n".join(lines))
    return True


@command("capquyen", "grant")
async def grant(ctx: Context, argument: str) -> None:
    person = await target_person(ctx, argument, "grant_admin")
    if person is None:
        return
    national = "national" in argument.split()[1:] or "quocgia" in argument.split()[1:]
    if national and ctx.user.role != Role.NATIONAL_ADMIN:
        ctx.reply(ctx.t("Only a national admin can do this."))
        return
    if _refuse_status(ctx, person):
        return
    if not national and person.province_code is None:
        ctx.reply(ctx.t("This person has no province; add “national” to make a national admin."))
        return
    role = Role.NATIONAL_ADMIN if national else Role.PROVINCE_ADMIN
    if person.role == role:
        ctx.reply(
            ctx.t(
                "{name} is already: {role}. Nothing was changed.",
                name=_name(person),
                role=role_label(ctx.tr, role),
            )
        )
        return
    was_national = person.role == Role.NATIONAL_ADMIN
    person.role = role
    ctx.stores.audit.record(ctx.user.id, "admin_granted", user=person.id, role=person.role)
    ctx.reply(ctx.t("{name} is now: {role}.", name=_name(person), role=role_label(ctx.tr, role)))

    def compose(tr: Translator) -> Outbound:
        if role == Role.NATIONAL_ADMIN:
            text = tr.t(
                "You have been made a national admin. Type /help to see the admin commands."
            )
        elif was_national:
            text = tr.t(
                "Your admin rights were changed to those of a province admin. Type /help to "
                "see the admin commands."
            )
        else:
            text = tr.t(
                "You have been made a province admin. Type /help to see the admin commands."
            )
        return Outbound(text=text)

    ctx.notify(person, compose)


ERASE_FLOW = "erase_user"


@command("xoanguoidung", "deleteuser")
async def erase_user(ctx: Context, argument: str) -> None:
    """A person asked their commune or province office to delete their data."""
    person = await target_person(ctx, argument, "erase_user")
    if person is None:
        return
    ctx.clear_offer()
    ctx.begin(ERASE_FLOW, "confirm", {"user": person.id})
    await ERASE_USER.prompt(ctx)


class EraseUserFlow:
    """Confirm, then erase: the admin's rights and the person's scope are checked again
    when the admin confirms, not only when they asked."""

    name = ERASE_FLOW

    async def prompt(self, ctx: Context) -> None:
        t = ctx.t
        ctx.reply(
            t(
                "Delete the personal data of user {id}? Their name, phone number and "
                "messenger links are deleted at once and cannot be recovered. Reports filed "
                "for their commune are public records: they are kept, no longer linked to "
                "the person.",
                id=ctx.data["user"],
            ),
            buttons=[
                [
                    Button(label=t("Delete the data"), payload="yes"),
                    Button(label=t("Keep"), payload="no"),
                ]
            ],
        )

    async def handle(self, ctx: Context) -> None:
        answer = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if answer not in ("yes", "no"):
            ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
            await self.prompt(ctx)
            return
        person_id = int(ctx.data["user"])
        resumed = ctx.finish()
        if answer == "yes":
            person = await target_person(ctx, str(person_id), "erase_user")
            if person is not None:
                await ctx.stores.users.erase(person)
                ctx.stores.audit.record(ctx.user.id, "user_erased", user=person_id)
                ctx.reply(ctx.t("The personal data of user {id} were deleted.", id=person_id))
        else:
            ctx.reply(ctx.t("Nothing was deleted."))
        if resumed is not None:
            await FLOWS[resumed.flow].prompt(ctx)


ERASE_USER = EraseUserFlow()
flow(ERASE_USER)
