"""Approving commune officers: the buttons on the admins' notification, and ``/duyet``."""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Button, Outbound
from bot.render import display_name, display_phone
from handlers.access import may_manage, refuse_non_admin
from handlers.arguments import record_id
from handlers.context import Context
from handlers.registry import action, command
from handlers.roles import STATUS_LABELS, capabilities
from storage.models import Role, UserStatus


@command("duyet", "approve", "pending")
async def list_pending(ctx: Context, _argument: str) -> None:
    if refuse_non_admin(ctx, "list_pending"):
        return
    scope = None if ctx.user.role == Role.NATIONAL_ADMIN else ctx.user.province_code
    officers = await ctx.stores.users.pending_officers(scope)
    if not officers:
        ctx.reply(ctx.t("No officer is waiting for approval."))
        return
    for officer in officers[:20]:
        commune = await ctx.stores.places.commune(officer.commune_code or 0)
        ctx.reply(
            ctx.t(
                "{name}, {phone}\n{place}",
                name=display_name(officer.full_name or ""),
                phone=display_phone(officer.phone or ""),
                place=commune.name if commune else "?",
            ),
            buttons=[
                [
                    Button(label=ctx.t("Approve"), payload=f"@approve:{officer.id}"),
                    Button(label=ctx.t("Reject"), payload=f"@reject:{officer.id}"),
                ]
            ],
        )


async def _decide(ctx: Context, argument: str, *, approve: bool) -> None:
    if refuse_non_admin(ctx, "approve" if approve else "reject"):
        return
    officer_id = record_id(argument)
    officer = await ctx.stores.users.get(officer_id) if officer_id else None
    if officer is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if not may_manage(ctx.user, officer):
        # Not a stale button: an old notice from before their rights changed, or a post
        # naming an officer of another province. Their name is not repeated to them.
        ctx.reply(
            ctx.t(
                "This officer is not in your area, so you cannot approve or reject their "
                "registration."
            )
        )
        return
    if officer.status != UserStatus.PENDING:
        ctx.reply(
            ctx.t(
                "{name} was already handled (status: {status}).",
                name=display_name(officer.full_name or ""),
                status=ctx.t(STATUS_LABELS[UserStatus(officer.status)]),
            )
        )
        return
    officer.status = UserStatus.ACTIVE if approve else UserStatus.REJECTED
    officer.approved_by, officer.approved_at = ctx.user.id, ctx.now
    ctx.stores.audit.record(ctx.user.id, "approved" if approve else "rejected", officer=officer.id)
    ctx.reply(
        ctx.t("Approved: {name}.", name=display_name(officer.full_name or ""))
        if approve
        else ctx.t("Rejected: {name}.", name=display_name(officer.full_name or ""))
    )

    def compose(tr: Translator) -> Outbound:
        if approve:
            text = tr.t("An admin approved your registration as a commune officer.")
            return Outbound(text=text + "\n\n" + capabilities(tr, officer))
        return Outbound(text=capabilities(tr, officer))

    ctx.notify(officer, compose)


@action("approve")
async def approve(ctx: Context, argument: str) -> None:
    await _decide(ctx, argument, approve=True)


@action("reject")
async def reject(ctx: Context, argument: str) -> None:
    await _decide(ctx, argument, approve=False)
