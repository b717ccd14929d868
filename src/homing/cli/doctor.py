"""``homing doctor``: one line per finding, each with what to do; exit status 1 on a failure."""

from __future__ import annotations

import sys

import click

from homing.cli.base import Context, common_options, main, pass_context, store_call
from homing.errors import InputError


def _address(text: str) -> tuple[str, int]:
    """ADDR:PORT, [IPv6]:PORT, or ADDR (port 53)."""
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise InputError(f"--resolver: not ADDR:PORT: {text[:60]!r}")
    return host, int(port)


@main.command("doctor")
@click.option(
    "--resolver",
    metavar="ADDR:PORT",
    help="Whom to ask about delegations (default: the machine's resolver).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=53,
    show_default=True,
    help="Port to ask the name servers on.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 30),
    default=2.0,
    show_default=True,
    help="Seconds to wait for each DNS answer.",
)
@common_options
@pass_context
def doctor(ctx: Context, resolver: str | None, port: int, timeout: float) -> None:
    """Check delegations, name servers, certificate, clock and data directory."""
    from homing.core.doctor import DoctorOptions, local_findings, zone_findings
    from homing.domain.delegation import Severity

    options = DoctorOptions(
        resolver=_address(resolver) if resolver else None, port=port, timeout=timeout
    )
    settings = ctx.settings()
    findings = local_findings(settings)
    if settings.database_url or settings.database.exists():
        findings += store_call(ctx, lambda store: zone_findings(store, options))
    for finding in findings:
        click.echo(finding.line())
    if any(f.severity is Severity.FAIL for f in findings):
        sys.exit(1)
