"""The command line: ``ocop-bot`` (run), ``ocop-bot db upgrade``, invites and user approval.

Every failure an operator can cause (a wrong setting, an unreachable database, an unknown
commune) ends with one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, StartupError
from bot.channels.zalo_oa.cli import zalo_oa_cli
from bot.cli_common import fail, settings_or_exit, with_app
from bot.cli_data import register as register_data_commands
from bot.cli_forms import forms_cli
from bot.cli_messages import messages_cli
from bot.cli_reminders import reminders_cli
from bot.i18n import Translator
from bot.messages import Outbound
from bot.notifications import queue_notifications
from bot.render import display_name, display_phone
from bot.runtime import run_blocking
from handlers.context import Notification
from handlers.roles import capabilities
from storage import migrate
from storage.audit import AuditLog
from storage.invites import Invites
from storage.models import Commune, Province, Role, User, UserStatus, utcnow
from storage.places import Places
from storage.users import Users

T = TypeVar("T")

cli = typer.Typer(add_completion=False, no_args_is_help=False, help=__doc__)
db_cli = typer.Typer(help="Database schema.")
invite_cli = typer.Typer(help="Invite codes for officers (/start CODE).")
users_cli = typer.Typer(help="Users: list, approve, delete their personal data.")
cli.add_typer(db_cli, name="db")
cli.add_typer(invite_cli, name="invite")
cli.add_typer(users_cli, name="users")
cli.add_typer(reminders_cli, name="reminders")
cli.add_typer(messages_cli, name="messages")
cli.add_typer(forms_cli, name="forms")
cli.add_typer(zalo_oa_cli, name="zalo-oa")
register_data_commands(cli)  # export, import officers|products


@cli.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context) -> None:
    """Start the bot when no command is given."""
    if ctx.invoked_subcommand is None:
        run_command(console=False, user=None)


@cli.command("run")
def run_command(
    console: Annotated[
        bool,
        typer.Option(
            "--console", help="Also chat in this terminal beside the configured messengers."
        ),
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(help="Console chat: who you are (e.g. admin); implies --console."),
    ] = None,
) -> None:
    """Run the bot: every configured messenger, and the console chat when asked or when no
    messenger is configured."""
    settings = settings_or_exit()
    if settings.telegram_token and settings.webhook_workers > 1:
        if console or user is not None:
            fail(
                "The console chat cannot run with OCOP_WEBHOOK_WORKERS above 1: "
                "run it in a process of its own."
            )
        from bot.workers import run_workers

        try:
            code = run_workers(settings)
        except StartupError as exc:
            fail(str(exc))
        raise typer.Exit(code)
    try:
        run_blocking(settings, console=console, console_user=user)
    except StartupError as exc:
        fail(str(exc))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (and load the administrative units)."""
    settings = settings_or_exit()

    async def work() -> None:
        app = App(settings)
        try:
            await migrate.upgrade(app.engine)
            await app.prepare()
        finally:
            await app.close()

    try:
        asyncio.run(work())
    except StartupError as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"Migration failed on OCOP_DATABASE_URL: {exc}")
    typer.echo("Database is up to date.")


async def _find_commune(
    app: App, province: str, commune: str | None
) -> tuple[int, int | None, str]:
    """Codes of the province and commune an operator typed and the place's name (printed so
    the operator sees which unit an old or partial name led to), or BadParameter saying why
    not.

    Names from before the July 2025 merger are read as in the chat ("quang nam" is Đà
    Nẵng now), since operators copy them from older lists for years.
    """
    async with app.session_factory() as session:
        places = Places(session)
        by_province = await places.find_province(province, limit=5)
        found = by_province.found
        if found is None:
            names = ", ".join(o.unit.name for o in by_province.options) or "none"
            raise typer.BadParameter(f"province '{province}' matches: {names}")
        if commune is None:
            return found.code, None, found.name
        by_commune = await places.find_commune(found.code, commune, limit=5)
        # A commune also named like an old district ("cao loc") is asked about in the chat;
        # here it is taken by its own name, which is printed.
        chosen = by_commune.found or by_commune.named
        if chosen is None:
            if not by_commune.options:
                raise typer.BadParameter(f"no commune '{commune}' in {found.name}")
            names = ", ".join(o.unit.name for o in by_commune.options)
            raise typer.BadParameter(f"commune '{commune}' matches: {names}")
        return found.code, chosen.code, f"{chosen.name}, {found.name}"


@invite_cli.command("create")
def invite_create(
    province: Annotated[str, typer.Option(help="Province name, e.g. 'lang son'.")],
    commune: Annotated[str | None, typer.Option(help="Commune name, e.g. 'cao loc'.")] = None,
    role: Annotated[str, typer.Option(help="officer or producer.")] = "officer",
    uses: Annotated[int, typer.Option(min=1, help="How many people may use it.")] = 1,
    days: Annotated[int, typer.Option(min=1, help="Valid for this many days.")] = 30,
) -> None:
    """Create an invite code; an officer who starts with it needs no approval."""
    if role not in (Role.OFFICER, Role.PRODUCER):
        fail("--role must be officer or producer.", 2)

    async def work(app: App) -> tuple[str, str]:
        try:
            province_code, commune_code, place = await _find_commune(app, province, commune)
        except typer.BadParameter as exc:
            fail(str(exc), 2)
            raise AssertionError from exc
        async with app.session_factory() as session, session.begin():
            invite = await Invites(session).create(
                role=role,
                province_code=province_code,
                commune_code=commune_code,
                created_by=None,
                expires_at=utcnow() + timedelta(days=days),
                max_uses=uses,
            )
            return invite.code, place

    code, place = with_app(work)
    typer.echo(f"Invite code: {code} ({place})")
    typer.echo(f"In the chat: /start {code}")
    typer.echo(f"Telegram link: https://t.me/<your_bot>?start={code}")


@users_cli.command("list")
def users_list(
    pending: Annotated[bool, typer.Option(help="Only officers waiting for approval.")] = False,
) -> None:
    """List registered users."""

    async def work(app: App) -> list[tuple[User, str | None, str | None]]:
        async with app.session_factory() as session:
            statement = (
                select(User, Commune.name, Province.name)
                .outerjoin(Commune, Commune.code == User.commune_code)
                .outerjoin(Province, Province.code == User.province_code)
                .where(User.status != UserStatus.NEW)
                .order_by(User.id)
            )
            if pending:
                statement = statement.where(User.status == UserStatus.PENDING)
            return [tuple(row) for row in (await session.execute(statement)).all()]  # type: ignore[misc]

    for user, commune, province in with_app(work):
        # Names and phones as the chat and the exports show them (bot/render.py).
        place = ", ".join(p for p in (commune, province) if p) or "-"
        typer.echo(
            f"{user.id:>5}  {user.status:<9} {user.role or '-':<15} "
            f"{display_name(user.full_name or '') or '-'}  "
            f"{display_phone(user.phone) if user.phone else '-'}  {place}"
        )


@users_cli.command("approve")
def users_approve(user_id: int) -> None:
    """Approve a pending officer from the terminal."""

    async def work(app: App) -> str:
        async with app.session_factory() as session, session.begin():
            user = await session.get(User, user_id)
            if user is None or user.status != UserStatus.PENDING:
                fail(f"User {user_id} is not waiting for approval.", 2)
                raise AssertionError
            user.status, user.approved_at = UserStatus.ACTIVE, utcnow()
            await notify_approved(session, user)
            return display_name(user.full_name or "") or str(user_id)

    typer.echo(f"Approved: {with_app(work)}")


@users_cli.command("delete")
def users_delete(
    user_id: int,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a person's personal data at their request (Decree 13/2023/NĐ-CP): name, phone,
    messenger links, conversation and messages to them; their reports are kept."""
    if not yes and not typer.confirm(
        f"Delete the personal data of user {user_id}? This cannot be undone.", default=False
    ):
        fail("Nothing was deleted.", 1)

    async def work(app: App) -> None:
        async with app.session_factory() as session, session.begin():
            user = await session.get(User, user_id)
            if user is None or user.status == UserStatus.ERASED:
                fail(f"There is no user {user_id} with personal data to delete.", 2)
                raise AssertionError
            await Users(session).erase(user)
            AuditLog(session).record(None, "user_erased", user=user_id, by="operator")

    with_app(work)
    typer.echo(f"The personal data of user {user_id} were deleted; their reports are kept.")


async def notify_approved(session: AsyncSession, user: User) -> None:
    """The officer hears of it as if an admin had pressed "Approve" in the chat: through the
    same path (bot/notifications.py), so when no messenger can carry it now it is kept as a
    failed row counted as unreachable, not skipped."""

    def compose(tr: Translator) -> Outbound:
        text = tr.t("An admin approved your registration as a commune officer.")
        return Outbound(text=text + "\n\n" + capabilities(tr, user))

    await queue_notifications(session, [Notification(user, compose)])


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
