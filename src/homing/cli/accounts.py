"""Managing zones, users, hosts and update tokens: ``homing zone|user|host|token``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from homing.cli.base import (
    Context,
    admin_call,
    common_options,
    main,
    pass_context,
    read_password,
    store_call,
)
from homing.domain.host_settings import Ipv6SettingsChange

if TYPE_CHECKING:
    from homing.store.rows import HistoryRow, HostRow


# -- zones -------------------------------------------------------------------------------


@main.group()
def zone() -> None:
    """Zones this server is authoritative for."""


@zone.command("add")
@click.argument("name")
@click.option("--ns", "nameservers", multiple=True, help="Name server FQDN (repeatable).")
@click.option("--email", help="Hostmaster email address for the SOA.")
@click.option("--ttl", type=int, default=3600, show_default=True, help="SOA and NS TTL.")
@common_options
@pass_context
def zone_add(
    ctx: Context, name: str, nameservers: tuple[str, ...], email: str | None, ttl: int
) -> None:
    """Add a zone."""
    row = admin_call(
        ctx, lambda a: a.add_zone(name, nameservers=list(nameservers), email=email, ttl=ttl)
    )
    click.echo(f"zone {row.name} added (serial {row.serial}, NS {' '.join(row.nameservers)})")


@zone.command("list")
@common_options
@pass_context
def zone_list(ctx: Context) -> None:
    """List zones."""
    for row in admin_call(ctx, lambda a: a.zones()):
        click.echo(f"{row.name}\tserial {row.serial}\tNS {' '.join(row.nameservers)}")


@zone.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also remove the zone's hosts.")
@common_options
@pass_context
def zone_remove(ctx: Context, name: str, force: bool) -> None:
    """Remove a zone."""
    admin_call(ctx, lambda a: a.remove_zone(name, force=force))
    click.echo(f"zone {name} removed")


# -- users -------------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Accounts that own hosts."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="The user may update every host.")
@common_options
@pass_context
def user_add(ctx: Context, name: str, password_stdin: bool, admin: bool) -> None:
    """Add a user (without a password, the user can update with tokens only)."""
    password = read_password(password_stdin, required=False)
    row = admin_call(ctx, lambda a: a.add_user(name, password=password, admin=admin))
    kind = "admin" if row.is_admin else "user"
    note = "" if password is not None else " (no password: tokens only)"
    click.echo(f"{kind} {row.name} added{note}")


@user.command("list")
@common_options
@pass_context
def user_list(ctx: Context) -> None:
    """List users."""
    for row in admin_call(ctx, lambda a: a.users()):
        flags = "admin" if row.is_admin else "user"
        password = "password" if row.password_hash else "no password"
        click.echo(f"{row.name}\t{flags}\t{password}\tcreated {row.created_at:%Y-%m-%d}")


@user.command("remove")
@click.argument("name")
@common_options
@pass_context
def user_remove(ctx: Context, name: str) -> None:
    """Remove a user with their hosts and tokens."""
    count = admin_call(ctx, lambda a: a.remove_user(name))
    click.echo(f"user {name} removed with {count} host(s)")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@common_options
@pass_context
def user_passwd(ctx: Context, name: str, password_stdin: bool) -> None:
    """Set a user's password."""
    password = read_password(password_stdin, required=True)
    assert password is not None
    admin_call(ctx, lambda a: a.set_password(name, password))
    click.echo(f"password of {name} changed")


@user.command("totp-off")
@click.argument("name")
@common_options
@pass_context
def user_totp_off(ctx: Context, name: str) -> None:
    """Turn off a user's two-factor sign-in (for a lost authenticator app)."""
    from homing.core.totp import TwoFactor

    was_on = store_call(ctx, lambda store: TwoFactor(store=store).turn_off(name))
    state = "turned off" if was_on else "was already off"
    click.echo(f"two-factor sign-in of {name} {state}")


# -- hosts -------------------------------------------------------------------------------


@main.group()
def host() -> None:
    """Names that clients update."""


@host.command("add")
@click.argument("fqdns", metavar="FQDN...", nargs=-1, required=True)
@click.option("--owner", required=True, help="The user who owns the hosts.")
@click.option("--ttl", type=int, default=60, show_default=True, help="TTL of their records.")
@common_options
@pass_context
def host_add(ctx: Context, fqdns: tuple[str, ...], owner: str, ttl: int) -> None:
    """Add hosts (all or none) and print their update tokens (shown only this once).

    With several names, each token line is `FQDN TOKEN`.
    """
    added = admin_call(ctx, lambda a: a.add_hosts(list(fqdns), owner=owner, ttl=ttl))
    if len(added) == 1:
        row, token = added[0]
        click.echo(f"host {row.fqdn} added for {row.owner}; update token (shown once):")
        click.echo(token)
        return
    click.echo(f"{len(added)} hosts added for {owner}; update tokens (shown once):")
    for row, token in added:
        click.echo(f"{row.fqdn.rstrip('.')} {token}")


@host.command("list")
@click.option("--owner", help="Only this user's hosts.")
@common_options
@pass_context
def host_list(ctx: Context, owner: str | None) -> None:
    """List hosts."""
    for row in admin_call(ctx, lambda a: a.hosts(owner=owner)):
        updated = f"{row.updated_at:%Y-%m-%d %H:%M:%S}" if row.updated_at else "never"
        click.echo(f"{row.fqdn}\t{row.owner}\tttl {row.ttl}\tupdated {updated}")


@host.command("show")
@click.argument("fqdn")
@common_options
@pass_context
def host_show(ctx: Context, fqdn: str) -> None:
    """Show a host's records, last update and recent history."""
    details = admin_call(ctx, lambda a: a.show_host(fqdn))
    h = details.host
    click.echo(f"host      {h.fqdn}")
    click.echo(f"owner     {h.owner}")
    click.echo(f"zone      {h.zone}")
    click.echo(f"ttl       {h.ttl}")
    flags = [f for f, on in (("offline", h.offline), ("wildcard", h.wildcard)) if on]
    click.echo(f"flags     {' '.join(flags) or '-'}")
    click.echo(f"ipv6      {ipv6_summary(h)}")
    if details.followers:
        click.echo(f"followers {' '.join(f.fqdn for f in details.followers)}")
    if h.updated_at:
        click.echo(
            f"updated   {h.updated_at:%Y-%m-%d %H:%M:%S} UTC from {h.last_source or '?'} "
            f"via {h.last_front_door or '?'}"
        )
    else:
        click.echo("updated   never")
    click.echo("records:")
    for rec in details.records or []:
        click.echo(f"  {rec.name}\t{rec.ttl}\t{rec.rtype}\t{rec.rdata}")
    if not details.records:
        click.echo("  (none)")
    click.echo("history:")
    for item in details.history:
        click.echo(
            f"  {item.at:%Y-%m-%d %H:%M:%S}\t{item.outcome}\t{_history_text(item)}"
            f"\t{item.source or ''}\t{item.front_door}"
        )


@host.command("set")
@click.argument("fqdn")
@click.option(
    "--ipv6-interface-id",
    help="Interface identifier put behind a new IPv6 prefix: ::1234, or a MAC address "
    "(its EUI-64); '' clears it.",
)
@click.option(
    "--ipv6-prefix-length",
    type=int,
    help="Bits of the host's IPv6 address that come from the prefix (default 64).",
)
@click.option(
    "--follows",
    metavar="HOST",
    help="Follow this host's IPv6 prefix (and IPv4 address) on every update; '' stops.",
)
@common_options
@pass_context
def host_set(
    ctx: Context,
    fqdn: str,
    ipv6_interface_id: str | None,
    ipv6_prefix_length: int | None,
    follows: str | None,
) -> None:
    """Change a host's IPv6 prefix settings; a new follower takes its leader's addresses now."""
    change = Ipv6SettingsChange(
        interface_id=ipv6_interface_id, prefix_length=ipv6_prefix_length, follows=follows
    )
    row = admin_call(ctx, lambda a: a.update_host(fqdn, ipv6=change))
    click.echo(f"host {row.fqdn}: {ipv6_summary(row)}")


def _history_text(item: HistoryRow) -> str:
    """The new value, with why in brackets (``AAAA=… (follows home.example.net.)``)."""
    if item.new_value and item.detail:
        return f"{item.new_value} ({item.detail})"
    return item.new_value or item.detail or ""


def ipv6_summary(row: HostRow) -> str:
    """``interface id ::11, prefix length 64, follows home.example.net.`` for one host."""
    parts = [
        f"interface id {row.ipv6_interface_id or '-'}",
        f"prefix length {row.ipv6_prefix_length}",
    ]
    if row.follows:
        parts.append(f"follows {row.follows}")
    return ", ".join(parts)


@host.command("remove")
@click.argument("fqdn")
@common_options
@pass_context
def host_remove(ctx: Context, fqdn: str) -> None:
    """Remove a host and its records."""
    admin_call(ctx, lambda a: a.remove_host(fqdn))
    click.echo(f"host {fqdn} removed")


# -- tokens ------------------------------------------------------------------------------


@main.group()
def token() -> None:
    """Update tokens (stored only as hashes)."""


@token.command("create")
@click.option("--host", "host_name", help="Token for this host only.")
@click.option("--user", "user_name", help="Token for all hosts of this user.")
@click.option("--label", default="", help="A note to recognise the token by.")
@common_options
@pass_context
def token_create(ctx: Context, host_name: str | None, user_name: str | None, label: str) -> None:
    """Create a token and print it (shown only this once)."""
    row, secret = admin_call(
        ctx, lambda a: a.create_token(host=host_name, user=user_name, label=label)
    )
    scope = row.host or f"all hosts of {row.user}"
    click.echo(f"token {row.id} for {scope} (shown once):")
    click.echo(secret)


@token.command("list")
@click.option("--host", "host_name", help="Only this host's tokens.")
@common_options
@pass_context
def token_list(ctx: Context, host_name: str | None) -> None:
    """List tokens (prefixes only)."""
    for row in admin_call(ctx, lambda a: a.tokens(host=host_name)):
        scope = row.host or f"user:{row.user}"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}…\t{scope}\t{state}\t{row.label}")


@token.command("revoke")
@click.argument("token_id", type=int)
@common_options
@pass_context
def token_revoke(ctx: Context, token_id: int) -> None:
    """Revoke a token by its id."""
    admin_call(ctx, lambda a: a.revoke_token(token_id))
    click.echo(f"token {token_id} revoked")
