"""``homing serve``: the provider in the foreground, with its banner and clean shutdown."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING

import click

from homing.cli.base import (
    Context,
    common_options,
    log,
    main,
    pass_context,
    run,
)
from homing.logs import setup_logging

if TYPE_CHECKING:
    from homing.app import Provider
    from homing.demo import DemoAccount


# -- serve -------------------------------------------------------------------------------


def _banner(provider: Provider, demo: DemoAccount | None) -> str:
    dns_lines = [f"  DNS  (UDP+TCP)  {h}:{p}" for h, p in provider.dns_addresses]
    assert provider.http_address is not None
    http_host, http_port = provider.http_address
    scheme = "https" if provider.settings.serves_tls else "http"
    host_text = f"[{http_host}]" if ":" in http_host else http_host
    url = f"{scheme}://{host_text}:{http_port}"
    lines = [
        "Homing is serving:",
        *dns_lines,
        f"  HTTP             {url}",
        f"  Web UI           {url}/   (API docs: {url}/api/v1/docs)",
    ]
    if demo is not None:
        dns_host, dns_port = provider.dns_addresses[0]
        host = demo.host.rstrip(".")
        lines += [
            "",
            f"Demo account: user {demo.user!r}, password {demo.password!r}, host {host}",
            f"Demo host token (DuckDNS / Basic auth password): {demo.token}",
            "",
            "Try an update (dyndns2), then ask the DNS server:",
            f"  curl -u {demo.user}:{demo.password} "
            f"'{url}/nic/update?hostname={host}&myip=203.0.113.7'",
            f"  dig @{dns_host} -p {dns_port} +norec {host} A",
            "DuckDNS style:",
            f"  curl '{url}/update?domains={host.split('.')[0]}"
            f"&token={demo.token}&ip=198.51.100.9'",
            f"Or sign in to {url}/ as {demo.user} to see the host, its history and tokens.",
        ]
    lines += ["", "Stop with Ctrl-C."]
    return "\n".join(lines)


@main.command()
@click.option("--dns", "dns", multiple=True, help="DNS listen HOST:PORT (repeatable).")
@click.option("--http", "http", help="HTTP listen HOST:PORT.")
@click.option(
    "--demo", is_flag=True, help="Create the demo zone/user/host and print how to try them."
)
@common_options
@pass_context
def serve(ctx: Context, dns: tuple[str, ...], http: str | None, demo: bool) -> None:
    """Run the provider: authoritative DNS and the HTTP update API."""
    from homing.app import Provider
    from homing.core.admin import Admin
    from homing.core.journal import new_origin
    from homing.demo import ensure_demo
    from homing.store.location import configured_database
    from homing.store.store import Store

    settings = ctx.settings(dns_listen=list(dns), http_listen=http)
    setup_logging(settings.log_level, settings.log_format)

    async def serve_until_signal() -> None:
        account = None
        if demo:
            store = await Store.open(configured_database(settings))
            try:
                account = await ensure_demo(
                    Admin(store=store, origin=new_origin("demo")), settings.data_dir
                )
            finally:
                await store.close()
        provider = Provider(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, provider.renew_certificate)
        try:
            await provider.start()
            click.echo(_banner(provider, account), err=False)
            sys.stdout.flush()
            await stop.wait()
            log.info("shutting down")
        finally:
            await provider.stop()

    run(serve_until_signal())
