"""Onboarding (``/start``): language → role → province → commune → name → phone → consent.

Each answer is kept in the conversation state the moment it is given, so a user who stops
half-way (or a bot restart) resumes at the same question. The user record is completed only
after consent, because personal data may only be kept with it (Decree 13/2023/NĐ-CP).
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.messages import Button, InboundKind, Outbound
from bot.render import display_name, display_phone
from bot.text import fold
from forms.readers import Ok
from forms.readers.yes_no import read_yes_no
from handlers.context import Context
from handlers.person_answers import read_name, read_phone_answer
from handlers.places import read_place
from handlers.registry import flow
from handlers.rights import Guard, saying
from handlers.roles import ROLE_LABELS, capabilities, role_label
from storage.models import Commune, Province, Role, User, UserStatus

NAME = "onboarding"
STEPS = ("language", "role", "province", "commune", "name", "phone", "consent")
# What each step asks, for "you are registering, step 4 of 7: commune or ward" (/toi, /help).
STEP_LABELS = {
    "language": N_("language"),
    "role": N_("role"),
    "province": N_("province or city"),
    "commune": N_("commune or ward"),
    "name": N_("full name"),
    "phone": N_("phone number"),
    "consent": N_("consent to keep your data"),
}
LANGUAGE_BUTTONS = [
    [Button(label="Tiếng Việt", payload="vi"), Button(label="English", payload="en")]
]
ASKED_KEY = "_asked"  # the message in answer to which the current question was last shown


class Onboarding:
    name = NAME
    # Someone an admin disables while they register is not made active by finishing.
    guard = Guard(
        closed=saying(
            N_(
                "Your registration was stopped because an admin changed your access. Please "
                "contact your province's OCOP office."
            )
        )
    )

    async def start(self, ctx: Context, *, invite_code: str | None = None) -> None:
        data: dict = {}
        if invite_code:
            invite = await ctx.stores.invites.usable(invite_code, now=ctx.now)
            if invite is None:
                ctx.reply(
                    ctx.t(
                        "This invite code is not valid any more. You can still "
                        "register; an admin will approve you."
                    )
                )
            else:
                data.update(
                    invite_code=invite.code,
                    role=invite.role,
                    province_code=invite.province_code,
                    commune_code=invite.commune_code,
                )
        if (ctx.identity.channel, ctx.identity.external_id) in ctx.config.admin_identities:
            data.update(role=Role.NATIONAL_ADMIN)
        ctx.begin(NAME, "language", data)
        ctx.reply(ctx.t("Welcome to the OCOP reporting assistant (One Commune One Product)."))
        await self.prompt(ctx)

    # -- questions ---------------------------------------------------------------------------

    async def prompt(self, ctx: Context) -> None:
        step = ctx.state.step if ctx.state else "language"
        t = ctx.t
        if ctx.state is not None:
            ctx.data[ASKED_KEY] = ctx.inbound.message_id
        if step == "language":
            ctx.reply(t("Please choose your language."), buttons=LANGUAGE_BUTTONS)
        elif step == "role":
            ctx.reply(
                t("In which role are you joining?"),
                buttons=[
                    [Button(label=t(ROLE_LABELS[Role.PRODUCER]), payload=Role.PRODUCER)],
                    [Button(label=t(ROLE_LABELS[Role.OFFICER]), payload=Role.OFFICER)],
                ],
            )
        elif step == "province":
            ctx.reply(
                t("Which province or city are you in? Type part of its name, for example: lang son")
            )
        elif step == "commune":
            code = ctx.data["province_code"]
            province = await ctx.stores.places.province(code)
            communes = await ctx.stores.places.communes_of(code)
            ctx.reply(
                t(
                    "Which commune or ward of {province}? Type part of its name, for "
                    "example: {example}",
                    province=province.name if province else "",
                    # One of this province's own communes, typed as people may: no accents.
                    # With its type word, which takes the commune even when an old district
                    # had its name ("phuong ba dinh", not Quận Ba Đình's wards).
                    example=fold(communes[0].name) if communes else "xa cao loc",
                )
            )
        elif step == "name":
            ctx.reply(t("What is your full name?"), remove_keyboard=True)
        elif step == "phone" and ctx.display.request_contact:
            ctx.reply(
                t(
                    "What is your phone number? Press the button to share it, or type "
                    "it, for example 0912 345 678."
                ),
                request_contact=t("Share my phone number"),
            )
        elif step == "phone":  # no such button on this messenger (Zalo, the console)
            ctx.reply(t("What is your phone number? Please type it, for example 0912 345 678."))
        elif step == "consent":
            ctx.reply(
                await self._consent_text(ctx),
                remove_keyboard=True,
                buttons=_consent_buttons(ctx),
            )

    async def _consent_text(self, ctx: Context) -> str:
        t, data = ctx.t, ctx.data
        place = ""
        if data.get("commune_code"):
            commune = await ctx.stores.places.commune(data["commune_code"])
            province = await ctx.stores.places.province(data["province_code"])
            place = f"{commune.name if commune else ''}, {province.name if province else ''}"
        summary = t(
            "Name: {name}\nPhone: {phone}\nRole: {role}\nPlace: {place}",
            name=display_name(data.get("full_name", "")),
            phone=display_phone(data.get("phone", "")),
            role=role_label(ctx.tr, data.get("role")),
            place=place or "—",
        )
        return "\n\n".join(
            [
                summary,
                t(
                    "Personal data (Decree 13/2023/NĐ-CP): to run OCOP reporting we keep your name, "
                    "phone number, role, commune and the reports you send. They are used only by "
                    "the agriculture offices that run OCOP, to contact you about your reports and "
                    "products. You can see them with /dulieu, change them with /toi, and withdraw "
                    "your consent and have them deleted at any time with /xoadulieu. Reports "
                    "filed for your commune are public records: they are kept after a deletion, "
                    "no longer linked to you."
                ),
                t("Do you agree that we keep these data?"),
            ]
        )

    async def interrupted(self, ctx: Context) -> None:
        """After a command that showed something else (``/toi``, ``/dulieu``) and left the
        registration where it was (the router calls this): say where it stands and ask the
        question again, so that the next answer goes to a question the user has just seen.
        Not when the command asked it itself (``/help``, ``/start``)."""
        if ctx.state is None or ctx.data.get(ASKED_KEY) == ctx.inbound.message_id:
            return
        ctx.reply(self.where(ctx))
        await self.prompt(ctx)

    def where(self, ctx: Context) -> str:
        """Where someone stands in their registration, for a command that interrupts it
        (``/toi``): "you are not registered" would read as if their answers were lost.

        Steps an invite or the admin list answered were never asked, so they are not counted."""
        step = ctx.state.step if ctx.state else "language"
        data = ctx.data
        skipped: set[str] = set()
        if "invite_code" in data or data.get("role") == Role.NATIONAL_ADMIN:
            skipped = {"role", "province", "commune"}
        steps = [s for s in STEPS if s not in skipped or s == step]
        return ctx.t(
            "You are registering: step {n} of {total}, {step}.",
            n=steps.index(step) + 1,
            total=len(steps),
            step=ctx.t(STEP_LABELS[step]),
        )

    # -- answers -----------------------------------------------------------------------------

    async def handle(self, ctx: Context) -> None:
        step = ctx.state.step if ctx.state else "language"
        await getattr(self, f"_on_{step}")(ctx)

    async def advance(self, ctx: Context) -> None:
        """Go to the next question that is not answered yet (invites pre-answer some)."""
        data = ctx.data
        answered = {
            "language": "language" in data,
            "role": "role" in data,
            "province": "province_code" in data or data.get("role") == Role.NATIONAL_ADMIN,
            "commune": bool(data.get("commune_code"))
            or (data.get("role") != Role.OFFICER and data.get("role") != Role.PRODUCER),
            "name": "full_name" in data,
            "phone": "phone" in data,
        }
        for step in STEPS:
            if not answered.get(step, False):
                ctx.goto(step)
                await self.prompt(ctx)
                return

    async def _on_language(self, ctx: Context) -> None:
        payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if payload not in ("vi", "en"):
            ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
            await self.prompt(ctx)
            return
        ctx.user.language = payload
        ctx.data["language"] = payload
        await self.advance(ctx)

    async def _on_role(self, ctx: Context) -> None:
        payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if payload not in (Role.PRODUCER, Role.OFFICER):
            ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
            await self.prompt(ctx)
            return
        ctx.data["role"] = payload
        await self.advance(ctx)

    async def _on_province(self, ctx: Context) -> None:
        place = await read_place(ctx, prefix="p", province_code=None)
        if isinstance(place, Province):
            ctx.data["province_code"] = place.code
            ctx.data.pop("commune_code", None)
            ctx.reply(ctx.t("Province: {name}", name=place.name))
            await self.advance(ctx)

    async def _on_commune(self, ctx: Context) -> None:
        place = await read_place(ctx, prefix="c", province_code=ctx.data["province_code"])
        if isinstance(place, Commune) and place.province_code == ctx.data["province_code"]:
            ctx.data["commune_code"] = place.code
            ctx.reply(ctx.t("Commune: {name}", name=place.name))
            await self.advance(ctx)

    async def _on_name(self, ctx: Context) -> None:
        name = read_name(ctx)
        if name is not None:
            ctx.data["full_name"] = name
            await self.advance(ctx)

    async def _on_phone(self, ctx: Context) -> None:
        phone = read_phone_answer(ctx)
        if phone is not None:
            ctx.data["phone"] = phone
            # Shared with the messenger's contact button: the platform vouches it is theirs.
            ctx.data["phone_shared"] = ctx.inbound.kind is InboundKind.CONTACT
            await self.advance(ctx)

    async def _on_consent(self, ctx: Context) -> None:
        payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if ctx.inbound.kind is InboundKind.TEXT:
            payload = _consent_typed(ctx.inbound.text or "")
        if payload == "no":
            # Nothing typed may stay: not in the state (dropped here), not in the user row
            # (never written before consent), not in the messages already sent to them (the
            # summary shown above the question names them: masked now).
            await ctx.stores.users.forget_answers(
                ctx.user, full_name=ctx.data.get("full_name"), phone=ctx.data.get("phone")
            )
            ctx.finish()
            ctx.reply(
                ctx.t(
                    "Understood. Without your agreement we cannot keep your data, so "
                    "nothing was saved. Type /start whenever you want to register."
                ),
                remove_keyboard=True,
            )
            return
        if payload != "yes":
            # One short line with the buttons: the privacy text is just above.
            ctx.reply(
                ctx.t("Please press “I agree” or “I do not agree”."), buttons=_consent_buttons(ctx)
            )
            return
        await self._complete(ctx)

    async def _complete(self, ctx: Context) -> None:
        data, user = ctx.data, ctx.user
        user.full_name = data["full_name"]
        user.phone = data["phone"]
        user.role = data["role"]
        user.province_code = data.get("province_code")
        user.commune_code = data.get("commune_code")
        user.consent_at = ctx.now
        invite_code = data.get("invite_code")
        if invite_code and not await ctx.stores.invites.claim(invite_code, now=ctx.now):
            # Revoked, expired or used by someone else since /start: checked and taken now,
            # in the transaction that registers them, so it approves nobody it should not.
            ctx.reply(
                ctx.t(
                    "The invite code is no longer valid (revoked, expired or already used), "
                    "so it cannot approve you."
                )
            )
            ctx.stores.audit.record(user.id, "invite_lapsed", code=invite_code)
            invite_code = None
        if user.role == Role.OFFICER and not invite_code:
            # On the office's imported list with this (verified) phone: approved at once.
            listed = await ctx.stores.users.claim_imported(
                user, user.phone, verified=bool(data.get("phone_shared")), now=ctx.now
            )
            if not listed:
                user.status = UserStatus.PENDING
                await announce_pending_officer(ctx, user)
        else:
            user.status = UserStatus.ACTIVE
            if invite_code:
                ctx.stores.audit.record(user.id, "invite_used", code=invite_code)
        ctx.stores.audit.record(user.id, "registered", role=user.role, status=user.status)
        ctx.finish()
        ctx.reply(
            ctx.t("Thank you, {name}! You are registered.", name=display_name(user.full_name))
            + "\n\n"
            + capabilities(ctx.tr, user),
            remove_keyboard=True,
        )
        if user.is_admin:
            scope = None if user.role == Role.NATIONAL_ADMIN else user.province_code
            waiting = await ctx.stores.users.pending_officers(scope)
            if waiting:
                ctx.reply(
                    ctx.t(
                        "{count} officers are waiting for your approval: /duyet", count=len(waiting)
                    )
                )


async def announce_pending_officer(ctx: Context, officer: User) -> None:
    """Tell the admins who can approve this officer, with approve and reject buttons."""
    commune = await ctx.stores.places.commune(officer.commune_code or 0)
    province = await ctx.stores.places.province(officer.province_code or 0)
    place = f"{commune.name if commune else '?'}, {province.name if province else '?'}"
    admins = await ctx.stores.users.admins_for_province(officer.province_code)

    def compose(tr: Translator) -> Outbound:
        return Outbound(
            text=tr.t(
                "New commune officer waiting for approval:\n{name}, {phone}\n{place}",
                name=display_name(officer.full_name or ""),
                phone=display_phone(officer.phone or ""),
                place=place,
            ),
            buttons=[
                [
                    Button(label=tr.t("Approve"), payload=f"@approve:{officer.id}"),
                    Button(label=tr.t("Reject"), payload=f"@reject:{officer.id}"),
                ]
            ],
        )

    for admin in admins:
        ctx.notify(admin, compose)
    if not admins:
        ctx.stores.audit.record(officer.id, "no_admin_to_approve", province=officer.province_code)


ONBOARDING = Onboarding()
flow(ONBOARDING)


def _consent_buttons(ctx: Context) -> list[list[Button]]:
    return [
        [
            Button(label=ctx.t("I agree"), payload="yes"),
            Button(label=ctx.t("I do not agree"), payload="no"),
        ]
    ]


def _consent_typed(text: str) -> str | None:
    """A typed answer to the consent question, read as any yes/no ("đồng ý", "dong y", "ok",
    "có", "vâng"; "không", "không đồng ý"): "yes", "no", or None when it is not clear
    ("có lẽ"), so that consent is never assumed."""
    reading = read_yes_no(text)
    if isinstance(reading, Ok):
        return "yes" if reading.value else "no"
    return None
