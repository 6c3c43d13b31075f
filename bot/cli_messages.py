"""``ocop-bot messages set-aside``: the messages the bot could not handle.

A message whose handling failed again and again while the database answered is set aside
(the user is told) rather than retried for ever; this lists them for the operator, newest
first, so that nothing a user sent is lost without anyone knowing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_common import with_app
from storage.set_aside import SetAside

if TYPE_CHECKING:
    from bot.app import App

messages_cli = typer.Typer(
    help="Messages the bot could not handle.", add_completion=False, no_args_is_help=True
)


@messages_cli.command("set-aside")
def set_aside(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
) -> None:
    """List the messages set aside after repeated failures."""

    async def work(app: App) -> None:
        async with app.session_factory() as session:
            kept = await SetAside(session).latest(limit)
        if not kept:
            typer.echo("No message has been set aside.")
            return
        for row in kept:
            typer.echo(
                f"{row.created_at:%Y-%m-%d %H:%M} {row.channel}:{row.address} "
                f"message {row.message_id} ({row.kind}, {row.attempts} attempts): {row.error}"
            )
            if row.text:
                typer.echo(f"    {row.text[:200]}")

    with_app(work)
