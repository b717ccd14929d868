"""Owners' alert settings: ``homing alert set|show|test``."""

from __future__ import annotations

import click

from homing.cli.base import Context, common_options, main, pass_context, store_call
from homing.errors import HomingError


@main.group()
def alert() -> None:
    """Email and webhook alerts on address changes, refused attempts and stale hosts."""


def _events(value: str | None) -> list[str] | None:
    return None if value is None else value.split(",")


@alert.command("set")
@click.argument("user")
@click.option("--email", help="Send alerts to this address ('' removes it).")
@click.option("--webhook", help="POST alerts as JSON to this URL ('' removes it).")
@click.option("--on", "events", help="Comma list of: changes, failures, stale ('' for none).")
@click.option("--stale-hours", type=int, help="A host is stale after this many hours (24).")
@common_options
@pass_context
def alert_set(
    ctx: Context,
    user: str,
    email: str | None,
    webhook: str | None,
    events: str | None,
    stale_hours: int | None,
) -> None:
    """Change a user's alert settings; what is not given stays as it is."""
    from homing.alerts.preferences import set_alerts

    preferences = store_call(
        ctx,
        lambda store: set_alerts(
            store,
            user,
            email=email,
            webhook=webhook,
            events=_events(events),
            stale_hours=stale_hours,
            allow_private_webhook=ctx.settings().alert_webhook_private,
        ),
    )
    _show(preferences.user, preferences.email, preferences.webhook, preferences.events)
    click.echo(f"stale     after {preferences.stale_hours} hours without an update")


def _show(user: str, email: str | None, webhook: str | None, events: tuple[str, ...]) -> None:
    click.echo(f"user      {user}")
    click.echo(f"email     {email or '-'}")
    click.echo(f"webhook   {webhook or '-'}")
    click.echo(f"on        {','.join(events) or '-'}")


@alert.command("show")
@click.argument("user")
@common_options
@pass_context
def alert_show(ctx: Context, user: str) -> None:
    """Show a user's alert settings."""
    from homing.alerts.preferences import show_alerts

    preferences = store_call(ctx, lambda store: show_alerts(store, user))
    _show(preferences.user, preferences.email, preferences.webhook, preferences.events)
    click.echo(f"stale     after {preferences.stale_hours} hours without an update")


@alert.command("test")
@click.argument("user")
@common_options
@pass_context
def alert_test(ctx: Context, user: str) -> None:
    """Send a test alert to each of the user's destinations now."""
    from homing.alerts.preferences import send_test_alert

    settings = ctx.settings()
    results = store_call(ctx, lambda store: send_test_alert(settings, store, user))
    if not results:
        raise HomingError(f"{user} has no email or webhook for alerts (homing alert set)")
    failed = 0
    for destination, error in results:
        if error is None:
            click.echo(f"{destination}: sent")
        else:
            failed += 1
            click.echo(f"{destination}: failed: {error}")
    if failed:
        raise HomingError(f"{failed} of {len(results)} test alerts could not be delivered")
