"""REST API tokens: ``homing apitoken create|list|revoke`` (secrets shown once, stored hashed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from homing.cli.base import Context, common_options, main, pass_context, store_call

if TYPE_CHECKING:
    from homing.core.api_tokens import ApiTokens
    from homing.store.store import Store


def _tokens(store: Store) -> ApiTokens:
    from homing.core.api_tokens import ApiTokens

    return ApiTokens(store=store)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


@main.group()
def apitoken() -> None:
    """Tokens for the REST API (/api/v1), per user, optionally expiring and scoped."""


@apitoken.command("create")
@click.option("--user", "user_name", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="A name to recognise the token by.")
@click.option("--expires", help="Lifetime such as 12h, 30d or 2w (default: never expires).")
@click.option("--read-only", is_flag=True, help="The token may only read.")
@click.option("--hosts", help="Only these hosts (comma-separated FQDNs).")
@click.option("--types", help="Only these record types (comma-separated, e.g. TXT).")
@common_options
@pass_context
def apitoken_create(
    ctx: Context,
    user_name: str,
    name: str,
    expires: str | None,
    read_only: bool,
    hosts: str | None,
    types: str | None,
) -> None:
    """Create an API token and print it (shown only this once)."""
    from homing.core.api_tokens import TokenScope, parse_lifetime

    lifetime = parse_lifetime(expires) if expires else None
    scope = TokenScope(read_only=read_only, hosts=_split(hosts), types=_split(types))
    row, secret = store_call(
        ctx,
        lambda store: _tokens(store).create(
            user=user_name, name=name, lifetime=lifetime, scope=scope
        ),
    )
    until = f"until {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "no expiry"
    click.echo(f"API token {row.id} for {row.user} ({until}; shown once):")
    click.echo(secret)


@apitoken.command("list")
@click.option("--user", "user_name", help="Only this user's tokens.")
@common_options
@pass_context
def apitoken_list(ctx: Context, user_name: str | None) -> None:
    """List API tokens (prefixes only)."""
    rows = store_call(ctx, lambda store: _tokens(store).tokens())
    for row in rows:
        if user_name is not None and row.user != user_name:
            continue
        state = "active"
        if row.revoked_at:
            state = f"revoked {row.revoked_at:%Y-%m-%d}"
        elif row.expires_at:
            state = f"expires {row.expires_at:%Y-%m-%d %H:%M}"
        scope = ["read-only"] if row.read_only else []
        if row.hosts:
            scope.append("hosts=" + ",".join(h.rstrip(".") for h in row.hosts))
        if row.types:
            scope.append("types=" + ",".join(row.types))
        shown = " ".join(scope) or "full"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.user}\t{row.name}\t{shown}\t{state}")


@apitoken.command("revoke")
@click.argument("token_id", type=int)
@common_options
@pass_context
def apitoken_revoke(ctx: Context, token_id: int) -> None:
    """Revoke an API token by its id."""
    store_call(ctx, lambda store: _tokens(store).revoke(token_id))
    click.echo(f"API token {token_id} revoked")
