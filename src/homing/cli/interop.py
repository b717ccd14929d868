"""DNS interop management: TSIG keys, secondaries and acme-dns accounts."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import click

from homing.cli.base import (
    Context,
    T,
    common_options,
    main,
    pass_context,
    store_call,
)

if TYPE_CHECKING:
    from homing.core.acme import AcmeAccounts
    from homing.core.secondaries import Secondaries
    from homing.core.tsig import TsigKeys


def _tsig_call(ctx: Context, action: Callable[[TsigKeys], Awaitable[T]]) -> T:
    from homing.core.tsig import TsigKeys

    return store_call(ctx, lambda store: action(TsigKeys(store=store)))


def _secondaries_call(ctx: Context, action: Callable[[Secondaries], Awaitable[T]]) -> T:
    from homing.core.secondaries import Secondaries

    return store_call(ctx, lambda store: action(Secondaries(store=store)))


# -- TSIG keys ---------------------------------------------------------------------------


@main.group()
def tsig() -> None:
    """TSIG keys for RFC 2136 updates (nsupdate, knsupdate, certbot, lego)."""


@tsig.command("add")
@click.argument("name")
@click.option("--zone", required=True, help="The zone the key may update.")
@click.option(
    "--algorithm",
    default="hmac-sha256",
    show_default=True,
    help="hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224 or hmac-sha1.",
)
@click.option(
    "--names",
    "names",
    multiple=True,
    help="Names the key may change; `*.` matches below a name (repeatable; default: any).",
)
@click.option(
    "--types",
    "types",
    multiple=True,
    help="Record types the key may change, e.g. A,AAAA,TXT (repeatable; default A,AAAA,TXT).",
)
@common_options
@pass_context
def tsig_add(
    ctx: Context,
    name: str,
    zone: str,
    algorithm: str,
    names: tuple[str, ...],
    types: tuple[str, ...],
) -> None:
    """Create a key and print its secret (shown only this once)."""
    row, secret = _tsig_call(
        ctx, lambda k: k.add(name, zone=zone, algorithm=algorithm, names=names, types=types)
    )
    scope = " ".join(row.names) or f"any name in {row.zone}"
    click.echo(f"TSIG key {row.name} for {scope}, types {','.join(row.types)} (shown once):")
    click.echo(f"{row.algorithm}:{row.name}:{secret}")


@tsig.command("list")
@common_options
@pass_context
def tsig_list(ctx: Context) -> None:
    """List keys and their scope (never the secrets)."""
    for row in _tsig_call(ctx, lambda k: k.list()):
        scope = " ".join(row.names) or "*"
        click.echo(f"{row.name}\t{row.zone}\t{row.algorithm}\t{scope}\t{','.join(row.types)}")


@tsig.command("remove")
@click.argument("name")
@common_options
@pass_context
def tsig_remove(ctx: Context, name: str) -> None:
    """Remove a key; updates signed with it are refused from then on."""
    _tsig_call(ctx, lambda k: k.remove(name))
    click.echo(f"TSIG key {name} removed")


# -- secondaries -------------------------------------------------------------------------


@main.group()
def secondary() -> None:
    """Secondary servers (Knot, NSD, BIND) that transfer zones and get NOTIFY."""


@secondary.command("add")
@click.argument("zone")
@click.argument("target", metavar="ADDR[:PORT]")
@click.option("--tsig", "tsig_key", help="Require transfers signed with this TSIG key.")
@common_options
@pass_context
def secondary_add(ctx: Context, zone: str, target: str, tsig_key: str | None) -> None:
    """Allow ADDR to transfer ZONE and send it NOTIFY (to PORT, default 53) on each change."""
    row = _secondaries_call(ctx, lambda s: s.add(zone, target, tsig=tsig_key))
    signed = f", signed with {row.tsig_key}" if row.tsig_key else ""
    click.echo(f"secondary {row.id}: {row.address} port {row.port} for {row.zone}{signed}")


@secondary.command("list")
@click.option("--zone", help="Only this zone's secondaries.")
@common_options
@pass_context
def secondary_list(ctx: Context, zone: str | None) -> None:
    """List secondaries."""
    for row in _secondaries_call(ctx, lambda s: s.list(zone=zone)):
        click.echo(f"{row.id}\t{row.zone}\t{row.address}\t{row.port}\t{row.tsig_key or '-'}")


@secondary.command("remove")
@click.argument("secondary_id", type=int)
@common_options
@pass_context
def secondary_remove(ctx: Context, secondary_id: int) -> None:
    """Stop transfers to and NOTIFY of a secondary, by its id."""
    _secondaries_call(ctx, lambda s: s.remove(secondary_id))
    click.echo(f"secondary {secondary_id} removed")


# -- acme-dns accounts -------------------------------------------------------------------


def _acme_call(ctx: Context, action: Callable[[AcmeAccounts], Awaitable[T]]) -> T:
    from homing.core.acme import AcmeAccounts
    from homing.core.journal import new_origin

    settings = ctx.settings()
    zone = settings.acme_zone or settings.default_zone
    return store_call(
        ctx, lambda store: action(AcmeAccounts(store=store, origin=new_origin("cli"), zone=zone))
    )


@main.group()
def acme() -> None:
    """acme-dns accounts (POST /update) for ACME DNS-01 challenges."""


@acme.command("register")
@click.option(
    "--allow-from", "allowfrom", multiple=True, help="Network (CIDR) updates may come from."
)
@common_options
@pass_context
def acme_register(ctx: Context, allowfrom: tuple[str, ...]) -> None:
    """Create an account and print it as /register does (the key is shown only once)."""
    from homing.domain.outcomes import FrontDoor

    account = _acme_call(
        ctx,
        lambda a: a.register(
            allowfrom=list(allowfrom), source=None, front_door=FrontDoor.CLI, registered_by="cli"
        ),
    )
    click.echo(
        f"acme-dns account for _acme-challenge CNAMEs to {account.fulldomain} (key shown once):"
    )
    shown = {
        "username": account.username,
        "password": account.password,
        "fulldomain": account.fulldomain,
        "subdomain": account.subdomain,
        "allowfrom": list(account.allowfrom),
    }
    click.echo(json.dumps(shown))


@acme.command("list")
@common_options
@pass_context
def acme_list(ctx: Context) -> None:
    """List accounts: user, challenge name, allowed networks (never the keys)."""
    for row in _acme_call(ctx, lambda a: a.accounts()):
        click.echo(f"{row.username}\t{row.fqdn}\t{','.join(row.allowfrom) or 'anywhere'}")


@acme.command("remove")
@click.argument("username")
@common_options
@pass_context
def acme_remove(ctx: Context, username: str) -> None:
    """Remove an account and its TXT values."""
    row = _acme_call(ctx, lambda a: a.remove(username))
    click.echo(f"acme-dns account {row.username} ({row.fqdn}) removed")
