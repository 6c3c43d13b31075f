"""``ocop-bot zalo-oa spend``: what ZNS cost, day by day (each message is paid).

Registered in ``bot/cli.py`` as ``cli.add_typer(zalo_oa_cli, name="zalo-oa")``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_common import with_app
from storage.models import utcnow
from storage.zalo_oa import ZnsSpendRows

if TYPE_CHECKING:
    from bot.app import App

zalo_oa_cli = typer.Typer(
    help="Zalo Official Account: ZNS spend.", add_completion=False, no_args_is_help=True
)


@zalo_oa_cli.command("spend")
def spend_command(
    days: Annotated[int, typer.Option(help="How many days back, today included.")] = 7,
) -> None:
    """ZNS messages sent and their cost (OCOP_ZALO_ZNS_UNIT_COST each), per day."""

    async def work(app: App) -> tuple[list[tuple[object, int, int]], int]:
        today = utcnow().astimezone(app.settings.zone).date()
        async with app.session_factory() as session:
            rows = await ZnsSpendRows(session).since(today - timedelta(days=max(1, days) - 1))
        return rows, app.settings.zalo_zns_daily_cap  # type: ignore[return-value]

    rows, cap = with_app(work)
    if not rows:
        typer.echo(f"No ZNS message was sent in the last {days} days (daily cap {cap}).")
        return
    for day, sent, cost in rows:
        typer.echo(f"{day}  {sent:>6} messages  {cost:>12,} đồng")
    typer.echo(
        f"Total  {sum(r[1] for r in rows):>6} messages  {sum(r[2] for r in rows):>12,} đồng"
        f"  (daily cap {cap})"
    )
