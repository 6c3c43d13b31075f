"""``/web``: an admin asks for a link that signs them in to the web dashboard (bot/web/).

The link holds a one-time token (ten minutes, single use, only its hash stored); it comes
in the admin's own chat, so the messenger account is the second factor nobody has to
remember. Refused to anyone who is not an active admin, and to an admin already holding
several unused links.
"""

from __future__ import annotations

from handlers.access import refuse_non_admin
from handlers.context import Context
from handlers.registry import command
from storage.web import LOGIN_TTL, WebLogins

LOGIN_PATH = "/admin/login?token="


def logins_of(ctx: Context) -> WebLogins:
    """The sign-in links in this message's transaction (the audit log's session, as the
    calendar's rows do, until the pipeline hands handlers a store of their own)."""
    store = getattr(ctx.stores, "web", None)
    if store is not None:
        return store  # type: ignore[no-any-return]
    return WebLogins(ctx.stores.audit.session)  # type: ignore[attr-defined]


@command("web", "quantri", "dashboard")
async def web_link(ctx: Context, _argument: str) -> None:
    if refuse_non_admin(ctx, "web"):
        return
    if not ctx.config.web_url and ctx.config.web_port_taken is not None:
        ctx.reply(
            ctx.t(
                "The web dashboard is not served by this copy of the bot: port {port} was "
                "taken when it started (is another ocop-bot running?). Please send /web to "
                "the bot that serves it, or restart this one with another "
                "OCOP_WEBHOOK_PORT.",
                port=str(ctx.config.web_port_taken),
            )
        )
        return
    if not ctx.config.web_url:
        ctx.reply(
            ctx.t(
                "The web dashboard is not switched on for this bot. Please ask the person "
                "who runs it (see docs/web.md)."
            )
        )
        return
    token = await logins_of(ctx).issue_link(ctx.user.id, now=ctx.now)
    if token is None:
        ctx.reply(
            ctx.t(
                "You have several unused sign-in links already. Please use the latest one, "
                "or wait {minutes} minutes and ask again.",
                minutes=int(LOGIN_TTL.total_seconds() // 60),
            )
        )
        return
    ctx.stores.audit.record(ctx.user.id, "web_link")
    ctx.reply(
        ctx.t(
            "Your link to the OCOP dashboard (it works once, for {minutes} minutes; please "
            "do not share it):\n{link}",
            minutes=int(LOGIN_TTL.total_seconds() // 60),
            link=ctx.config.web_url.rstrip("/") + LOGIN_PATH + token,
        )
    )
