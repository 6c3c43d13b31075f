"""``/toi``: a user sees what we keep about them and changes it (Decree 13/2023 asks for both)."""

from __future__ import annotations

from bot.i18n import N_
from bot.messages import Button
from bot.render import display_name, display_phone
from handlers.context import Context
from handlers.linking import messengers_line
from handlers.onboarding import ONBOARDING, announce_pending_officer
from handlers.person_answers import read_name, read_phone_answer
from handlers.places import read_place
from handlers.registry import action, command, flow
from handlers.rights import Guard, saying
from handlers.roles import STATUS_LABELS, role_label
from storage.models import Commune, Province, Role, UserStatus

NAME = "profile"


@command("toi", "me", "profile", "hoso")
async def show_profile(ctx: Context, _argument: str) -> None:
    user, t = ctx.user, ctx.t
    if not user.is_registered:
        if not (ctx.in_conversation and ctx.state and ctx.state.flow == ONBOARDING.name):
            ctx.reply(t("You are not registered yet. Type /start to register."))
        # Half-way through registering, the router has onboarding say where it stands and
        # ask its question again (``Onboarding.interrupted``): nothing else to show here.
        return
    commune = await ctx.stores.places.commune(user.commune_code or 0)
    province = await ctx.stores.places.province(user.province_code or 0)
    place = ", ".join(p.name for p in (commune, province) if p is not None) or "—"
    text = t(
        "Your profile:\nName: {name}\nPhone: {phone}\nRole: {role}\nPlace: {place}\n"
        "Status: {status}\nLanguage: {language}",
        name=display_name(user.full_name) if user.full_name else "—",
        phone=display_phone(user.phone) if user.phone else "—",
        role=role_label(ctx.tr, user.role),
        place=place,
        status=t(STATUS_LABELS[UserStatus(user.status)]),
        language="Tiếng Việt" if user.language == "vi" else "English",
    )
    text += "\n\n" + t("Everything we keep about you, and how to delete it: /dulieu")
    text += "\n" + await messengers_line(ctx)
    if ctx.in_conversation:
        # Something is open (a report, a product idea): its question is asked again right
        # after this (``interrupted``), and on a messenger without buttons a number typed
        # next would be read against two numbered lists at once. No choices here then.
        text += "\n\n" + t(
            "You are in the middle of something, so your profile cannot be changed now. "
            "Please finish it or cancel it (/huy) first, then type /toi to change it; "
            "to change the language: /ngonngu."
        )
        ctx.reply(text)
        return
    buttons = [
        [
            Button(label=t("Change name"), payload="@profile:name"),
            Button(label=t("Change phone"), payload="@profile:phone"),
        ],
        [Button(label=t("Change language"), payload="@profile:language")],
    ]
    if user.role in (Role.PRODUCER, Role.OFFICER):
        buttons[1].insert(0, Button(label=t("Change commune"), payload="@profile:province"))
    ctx.reply(text, buttons=buttons)


@action("profile")
async def edit_profile(ctx: Context, field: str) -> None:
    if not ctx.user.is_registered or field not in ("name", "phone", "province", "language"):
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if field == "language":
        from handlers.general import language

        await language(ctx, "")
        return
    if field == "province" and ctx.user.role not in (Role.PRODUCER, Role.OFFICER):
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    ctx.clear_offer()
    ctx.begin(NAME, field)
    await PROFILE.prompt(ctx)


class ProfileEdit:
    name = NAME
    # Who may change commune was decided when the edit started; a role given or taken
    # meanwhile (an officer made a province admin must not pick their own province) ends it.
    guard = Guard(
        closed=saying(
            N_(
                "Your role or access changed meanwhile, so nothing was changed. Type /toi "
                "to see your profile."
            )
        )
    )

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, t = ctx.state.step, ctx.t
        if step == "name":
            ctx.reply(t("Type your new full name (or /huy to keep it)."))
        elif step == "phone":
            ctx.reply(
                t("Type your new phone number, for example 0912 345 678 (or /huy to keep it)."),
                request_contact=t("Share my phone number"),
            )
        elif step == "province":
            ctx.reply(t("Which province or city are you in now? Type part of its name."))
        elif step == "commune":
            ctx.reply(t("Which commune or ward? Type part of its name."))

    async def interrupted(self, ctx: Context) -> None:
        """After /toi (or /dulieu) shown in the middle of a change: the question again, so
        the next answer goes to a question the user has just seen."""
        await self.prompt(ctx)

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, user = ctx.state.step, ctx.user
        if step == "name":
            name = read_name(ctx)
            if name is None:
                return
            user.full_name = name
        elif step == "phone":
            phone = read_phone_answer(ctx)
            if phone is None:
                return
            user.phone = phone
        elif step == "province":
            place = await read_place(ctx, prefix="p", province_code=None)
            if not isinstance(place, Province):
                return
            ctx.data["province_code"] = place.code
            ctx.goto("commune")
            await self.prompt(ctx)
            return
        elif step == "commune":
            place = await read_place(ctx, prefix="c", province_code=ctx.data["province_code"])
            if not isinstance(place, Commune):
                return
            await self._move(ctx, place)
        ctx.stores.audit.record(user.id, "profile_changed", field=step)
        ctx.finish()
        ctx.reply(ctx.t("Saved."), remove_keyboard=True)

    async def _move(self, ctx: Context, commune: Commune) -> None:
        """An officer who moves commune must be approved again for the new one."""
        user = ctx.user
        user.province_code, user.commune_code = commune.province_code, commune.code
        if user.role == Role.OFFICER and user.status == UserStatus.ACTIVE:
            user.status = UserStatus.PENDING
            ctx.reply(
                ctx.t(
                    "You moved to another commune: an admin must approve you again "
                    "before you can report for it."
                )
            )
            await announce_pending_officer(ctx, user)


PROFILE = ProfileEdit()
flow(PROFILE)
