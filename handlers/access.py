"""Who may do what: admin checks shared by every admin command, and the user's scope."""

from __future__ import annotations

from bot.i18n import N_
from handlers.context import Context
from handlers.registry import FLOWS
from handlers.rights import Guard, saying
from storage.models import Role, User
from storage.scope import Scope, scope_of


def _is_admin(user: User, _data: dict) -> bool:
    return user.is_admin


# Every admin flow declares this: it goes on only while the admin is still an active admin
# with the scope they started with (a province chosen by a national admin demoted meanwhile
# is not theirs any more), so nothing is created, sent or exported on a right since lost.
ADMIN_GUARD = Guard(
    closed=saying(
        N_("You no longer have the rights for this; it was closed and nothing was saved.")
    ),
    needs=_is_admin,
)


def refuse_non_admin(ctx: Context, action_name: str) -> bool:
    """Refuse and audit an admin action by someone who is not an admin; True when refused."""
    if ctx.user.is_admin:
        return False
    ctx.stores.audit.record(ctx.user.id, "refused", attempted=action_name)
    ctx.reply(ctx.t("Only admins can do this."))
    return True


async def start_admin_flow(ctx: Context, action_name: str, flow: str, step: str) -> None:
    """Open an admin's multi-step command (refused and audited for anyone else)."""
    if refuse_non_admin(ctx, action_name):
        return
    ctx.clear_offer()
    ctx.begin(flow, step)
    await FLOWS[flow].prompt(ctx)


def scope(ctx: Context) -> Scope:
    return scope_of(ctx.user)


def may_manage(admin: User, user: User) -> bool:
    """National admins manage anyone; a province admin only people of their province."""
    if not admin.is_admin:
        return False
    return admin.role == Role.NATIONAL_ADMIN or admin.province_code == user.province_code
