"""``homing dnssec``: sign a zone, stop signing it, and the records for the registrar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import click

from homing.cli.base import Context, T, common_options, main, pass_context, store_call

if TYPE_CHECKING:
    from homing.core.dnssec import Dnssec, DnssecStatus


def _dnssec_call(ctx: Context, action: Callable[[Dnssec], Awaitable[T]]) -> T:
    from homing.core.dnssec import Dnssec
    from homing.core.journal import new_origin

    settings = ctx.settings()
    return store_call(
        ctx,
        lambda store: action(
            Dnssec.from_settings(store=store, origin=new_origin("cli"), settings=settings)
        ),
    )


def _echo_rollover(status: DnssecStatus) -> None:
    for key in status.keys:
        click.echo(f"key {key.key_tag}: {key.algorithm}, {key.state}")
    if status.rollover is not None:
        click.echo(f"rollover: {status.rollover.phase}")
        click.echo(f"next: {status.rollover.next_step}")


@main.group()
def dnssec() -> None:
    """DNSSEC online signing of a zone (keys stay on this server)."""


@dnssec.command("enable")
@click.argument("zone")
@click.option(
    "--algorithm",
    default="ecdsap256sha256",
    show_default=True,
    help="ecdsap256sha256 (13) or ed25519 (15).",
)
@common_options
@pass_context
def dnssec_enable(ctx: Context, zone: str, algorithm: str) -> None:
    """Make a key and sign ZONE; a running server signs it within a moment, no restart."""
    from homing.dnssec.keys import Algorithm

    chosen = Algorithm.parse(algorithm)
    status = _dnssec_call(ctx, lambda d: d.enable(zone, chosen))
    click.echo(f"zone {status.zone} signed with {status.algorithm}, key tag {status.key_tag}")
    click.echo("give the parent (your registrar) this DS record:")
    for line in status.ds:
        click.echo(line)


@dnssec.command("disable")
@click.argument("zone")
@common_options
@pass_context
def dnssec_disable(ctx: Context, zone: str) -> None:
    """Stop signing ZONE and delete its key (remove the DS at the parent first)."""
    _dnssec_call(ctx, lambda d: d.disable(zone))
    click.echo(f"zone {zone} is no longer signed")


@dnssec.command("status")
@click.argument("zone")
@common_options
@pass_context
def dnssec_status(ctx: Context, zone: str) -> None:
    """Algorithm, key tag, signature validity and the DS of ZONE."""
    status = _dnssec_call(ctx, lambda d: d.status(zone))
    if not status.signed:
        click.echo(f"zone {status.zone}: not signed (sign it: homing dnssec enable {status.zone})")
        return
    click.echo(f"zone {status.zone}: signed")
    click.echo(f"algorithm: {status.algorithm}")
    click.echo(f"key tag: {status.key_tag}")
    _echo_rollover(status)
    click.echo(
        f"signatures: valid {status.signature_validity_days} days, from "
        f"{status.inception_backdate_minutes} minutes before they are made; "
        "made again a week before they expire"
    )
    click.echo("denial of existence: NSEC3 (RFC 9276: no salt, 0 iterations)")
    for line in status.ds:
        click.echo(f"DS: {line}")


@dnssec.command("rollover")
@click.argument("zone")
@click.option(
    "--algorithm",
    default=None,
    help="ecdsap256sha256 (13) or ed25519 (15) for the new key; default: the current one's.",
)
@click.option(
    "--complete",
    is_flag=True,
    help="The parent serves the new DS now: retire the old key (after the DS TTL).",
)
@common_options
@pass_context
def dnssec_rollover(ctx: Context, zone: str, algorithm: str | None, complete: bool) -> None:
    """Replace the key of ZONE while it is served (double signature, RFC 7583).

    Without --complete: a new key is published and signs beside the old one;
    once it is in every cache the server moves CDS/CDNSKEY to it, and
    `homing dnssec status` says which DS to give the parent. With --complete
    (once the parent serves that DS) the old key leaves after the parent's DS TTL.
    """
    from homing.dnssec.keys import Algorithm

    if complete and algorithm is not None:
        raise click.UsageError("--algorithm is for starting a rollover, not with --complete")
    chosen = Algorithm.parse(algorithm) if algorithm is not None else None
    if complete:
        status = _dnssec_call(ctx, lambda d: d.complete(zone))
    else:
        status = _dnssec_call(ctx, lambda d: d.rollover(zone, chosen))
    click.echo(f"zone {status.zone}: key rollover")
    _echo_rollover(status)


@dnssec.command("ds")
@click.argument("zone")
@click.option("--dnskey", is_flag=True, help="The DNSKEY instead (for registrars that want it).")
@common_options
@pass_context
def dnssec_ds(ctx: Context, zone: str, dnskey: bool) -> None:
    """The DS records of ZONE for the parent, one per line in master-file form."""
    status = _dnssec_call(ctx, lambda d: d.status(zone))
    if not status.signed:
        raise click.ClickException(f"zone {status.zone} is not signed (homing dnssec enable)")
    for line in status.dnskey if dnskey else status.ds:
        click.echo(line)
