"""The ``homing`` command: a thin click layer over the app wiring and the management use cases.

Every command takes ``--data`` and ``--config``; errors reach the user as one
line (``error: ...``) with exit status 1, details go to the log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from homing import __version__
from homing.config import Settings, load_settings, settings_markdown
from homing.errors import HomingError

if TYPE_CHECKING:
    from homing.app import Provider
    from homing.core.acme import AcmeAccounts
    from homing.core.admin import Admin
    from homing.core.secondaries import Secondaries
    from homing.core.tsig import TsigKeys
    from homing.demo import DemoAccount
    from homing.store.store import Store

# The provider's stack (SQLAlchemy, Starlette, uvicorn) is imported inside the commands
# that use it, so that `homing client` on a small device does not carry it in memory.

T = TypeVar("T")
log = logging.getLogger("homing")


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (faster sockets), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _run(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(coro)


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


class _Context:
    def __init__(self, data: Path | None, config: Path | None) -> None:
        self.data = data
        self.config = config

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(
            config_file=self.config, overrides={"data_dir": self.data, **overrides}
        )


pass_context = click.make_pass_decorator(_Context)


def _set_data(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(_Context).data = value


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(_Context).config = value


def _common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data`` and ``--config`` after the subcommand too (``homing serve --data DIR``)."""
    command = click.option(
        "--data",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_data,
        help="Data directory (overrides the one given before the command).",
    )(command)
    return click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_config,
        help="TOML settings file.",
    )(command)


def _store_call(ctx: _Context, action: Callable[[Store], Awaitable[T]]) -> T:
    """Run one management action on the data directory's store, then close it."""
    from homing.store.store import Store

    settings = ctx.settings()
    _setup_logging("WARNING")

    async def call() -> T:
        store = await Store.open(settings.database)
        try:
            return await action(store)
        finally:
            await store.close()

    return _run(call())


def _admin_call(ctx: _Context, action: Callable[[Admin], Awaitable[T]]) -> T:
    from homing.core.admin import Admin
    from homing.core.journal import new_origin

    return _store_call(ctx, lambda store: action(Admin(store=store, origin=new_origin("cli"))))


def _secondaries_call(ctx: _Context, action: Callable[[Secondaries], Awaitable[T]]) -> T:
    from homing.core.secondaries import Secondaries

    return _store_call(ctx, lambda store: action(Secondaries(store=store)))


def _tsig_call(ctx: _Context, action: Callable[[TsigKeys], Awaitable[T]]) -> T:
    from homing.core.tsig import TsigKeys

    return _store_call(ctx, lambda store: action(TsigKeys(store=store)))


class _Group(click.Group):
    """Turns HomingError into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HomingError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="homing")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HOMING_DATA",
    help="Data directory (default ./homing-data, or $HOMING_DATA).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HOMING_CONFIG",
    help="TOML settings file; flags and HOMING_* variables override it.",
)
@click.pass_context
def main(click_ctx: click.Context, data: Path | None, config: Path | None) -> None:
    """Homing: a Dynamic DNS provider (authoritative DNS + update API) and client."""
    click_ctx.obj = _Context(data, config)


@main.command("settings")
def settings_command() -> None:
    """Print every setting with its environment variable and default (Markdown)."""
    click.echo(settings_markdown(), nl=False)


# -- serve -------------------------------------------------------------------------------


def _banner(provider: Provider, demo: DemoAccount | None) -> str:
    dns_lines = [f"  DNS  (UDP+TCP)  {h}:{p}" for h, p in provider.dns_addresses]
    assert provider.http_address is not None
    http_host, http_port = provider.http_address
    scheme = "https" if provider.settings.tls_cert else "http"
    host_text = f"[{http_host}]" if ":" in http_host else http_host
    url = f"{scheme}://{host_text}:{http_port}"
    lines = ["Homing is serving:", *dns_lines, f"  HTTP             {url}"]
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
        ]
    lines += ["", "Stop with Ctrl-C."]
    return "\n".join(lines)


@main.command()
@click.option("--dns", "dns", multiple=True, help="DNS listen HOST:PORT (repeatable).")
@click.option("--http", "http", help="HTTP listen HOST:PORT.")
@click.option(
    "--demo", is_flag=True, help="Create the demo zone/user/host and print how to try them."
)
@_common_options
@pass_context
def serve(ctx: _Context, dns: tuple[str, ...], http: str | None, demo: bool) -> None:
    """Run the provider: authoritative DNS and the HTTP update API."""
    from homing.app import Provider
    from homing.core.admin import Admin
    from homing.core.journal import new_origin
    from homing.demo import ensure_demo
    from homing.store.store import Store

    settings = ctx.settings(dns_listen=list(dns), http_listen=http)
    _setup_logging(settings.log_level)

    async def run() -> None:
        account = None
        if demo:
            store = await Store.open(settings.database)
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
        try:
            await provider.start()
            click.echo(_banner(provider, account), err=False)
            sys.stdout.flush()
            await stop.wait()
            log.info("shutting down")
        finally:
            await provider.stop()

    _run(run())


# -- zones -------------------------------------------------------------------------------


@main.group()
def zone() -> None:
    """Zones this server is authoritative for."""


@zone.command("add")
@click.argument("name")
@click.option("--ns", "nameservers", multiple=True, help="Name server FQDN (repeatable).")
@click.option("--email", help="Hostmaster email address for the SOA.")
@click.option("--ttl", type=int, default=3600, show_default=True, help="SOA and NS TTL.")
@_common_options
@pass_context
def zone_add(
    ctx: _Context, name: str, nameservers: tuple[str, ...], email: str | None, ttl: int
) -> None:
    """Add a zone."""
    row = _admin_call(
        ctx, lambda a: a.add_zone(name, nameservers=list(nameservers), email=email, ttl=ttl)
    )
    click.echo(f"zone {row.name} added (serial {row.serial}, NS {' '.join(row.nameservers)})")


@zone.command("list")
@_common_options
@pass_context
def zone_list(ctx: _Context) -> None:
    """List zones."""
    for row in _admin_call(ctx, lambda a: a.zones()):
        click.echo(f"{row.name}\tserial {row.serial}\tNS {' '.join(row.nameservers)}")


@zone.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also remove the zone's hosts.")
@_common_options
@pass_context
def zone_remove(ctx: _Context, name: str, force: bool) -> None:
    """Remove a zone."""
    _admin_call(ctx, lambda a: a.remove_zone(name, force=force))
    click.echo(f"zone {name} removed")


# -- users -------------------------------------------------------------------------------


def _read_password(from_stdin: bool, *, required: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin: no password on standard input")
        return password
    if sys.stdin.isatty():
        entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return entered
    if required:
        raise click.UsageError("no terminal to ask for the password: use --password-stdin")
    return None


@main.group()
def user() -> None:
    """Accounts that own hosts."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="The user may update every host.")
@_common_options
@pass_context
def user_add(ctx: _Context, name: str, password_stdin: bool, admin: bool) -> None:
    """Add a user (without a password, the user can update with tokens only)."""
    password = _read_password(password_stdin, required=False)
    row = _admin_call(ctx, lambda a: a.add_user(name, password=password, admin=admin))
    kind = "admin" if row.is_admin else "user"
    note = "" if password is not None else " (no password: tokens only)"
    click.echo(f"{kind} {row.name} added{note}")


@user.command("list")
@_common_options
@pass_context
def user_list(ctx: _Context) -> None:
    """List users."""
    for row in _admin_call(ctx, lambda a: a.users()):
        flags = "admin" if row.is_admin else "user"
        password = "password" if row.password_hash else "no password"
        click.echo(f"{row.name}\t{flags}\t{password}\tcreated {row.created_at:%Y-%m-%d}")


@user.command("remove")
@click.argument("name")
@_common_options
@pass_context
def user_remove(ctx: _Context, name: str) -> None:
    """Remove a user with their hosts and tokens."""
    count = _admin_call(ctx, lambda a: a.remove_user(name))
    click.echo(f"user {name} removed with {count} host(s)")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_common_options
@pass_context
def user_passwd(ctx: _Context, name: str, password_stdin: bool) -> None:
    """Set a user's password."""
    password = _read_password(password_stdin, required=True)
    assert password is not None
    _admin_call(ctx, lambda a: a.set_password(name, password))
    click.echo(f"password of {name} changed")


# -- hosts -------------------------------------------------------------------------------


@main.group()
def host() -> None:
    """Names that clients update."""


@host.command("add")
@click.argument("fqdn")
@click.option("--owner", required=True, help="The user who owns the host.")
@click.option("--ttl", type=int, default=60, show_default=True, help="TTL of its records.")
@_common_options
@pass_context
def host_add(ctx: _Context, fqdn: str, owner: str, ttl: int) -> None:
    """Add a host and print its update token (shown only this once)."""
    row, token = _admin_call(ctx, lambda a: a.add_host(fqdn, owner=owner, ttl=ttl))
    click.echo(f"host {row.fqdn} added for {row.owner}; update token (shown once):")
    click.echo(token)


@host.command("list")
@click.option("--owner", help="Only this user's hosts.")
@_common_options
@pass_context
def host_list(ctx: _Context, owner: str | None) -> None:
    """List hosts."""
    for row in _admin_call(ctx, lambda a: a.hosts(owner=owner)):
        updated = f"{row.updated_at:%Y-%m-%d %H:%M:%S}" if row.updated_at else "never"
        click.echo(f"{row.fqdn}\t{row.owner}\tttl {row.ttl}\tupdated {updated}")


@host.command("show")
@click.argument("fqdn")
@_common_options
@pass_context
def host_show(ctx: _Context, fqdn: str) -> None:
    """Show a host's records, last update and recent history."""
    details = _admin_call(ctx, lambda a: a.show_host(fqdn))
    h = details.host
    click.echo(f"host      {h.fqdn}")
    click.echo(f"owner     {h.owner}")
    click.echo(f"zone      {h.zone}")
    click.echo(f"ttl       {h.ttl}")
    flags = [f for f, on in (("offline", h.offline), ("wildcard", h.wildcard)) if on]
    click.echo(f"flags     {' '.join(flags) or '-'}")
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
            f"  {item.at:%Y-%m-%d %H:%M:%S}\t{item.outcome}\t{item.new_value or item.detail or ''}"
            f"\t{item.source or ''}\t{item.front_door}"
        )


@host.command("remove")
@click.argument("fqdn")
@_common_options
@pass_context
def host_remove(ctx: _Context, fqdn: str) -> None:
    """Remove a host and its records."""
    _admin_call(ctx, lambda a: a.remove_host(fqdn))
    click.echo(f"host {fqdn} removed")


# -- tokens ------------------------------------------------------------------------------


@main.group()
def token() -> None:
    """Update tokens (stored only as hashes)."""


@token.command("create")
@click.option("--host", "host_name", help="Token for this host only.")
@click.option("--user", "user_name", help="Token for all hosts of this user.")
@click.option("--label", default="", help="A note to recognise the token by.")
@_common_options
@pass_context
def token_create(ctx: _Context, host_name: str | None, user_name: str | None, label: str) -> None:
    """Create a token and print it (shown only this once)."""
    row, secret = _admin_call(
        ctx, lambda a: a.create_token(host=host_name, user=user_name, label=label)
    )
    scope = row.host or f"all hosts of {row.user}"
    click.echo(f"token {row.id} for {scope} (shown once):")
    click.echo(secret)


@token.command("list")
@click.option("--host", "host_name", help="Only this host's tokens.")
@_common_options
@pass_context
def token_list(ctx: _Context, host_name: str | None) -> None:
    """List tokens (prefixes only)."""
    for row in _admin_call(ctx, lambda a: a.tokens(host=host_name)):
        scope = row.host or f"user:{row.user}"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}…\t{scope}\t{state}\t{row.label}")


@token.command("revoke")
@click.argument("token_id", type=int)
@_common_options
@pass_context
def token_revoke(ctx: _Context, token_id: int) -> None:
    """Revoke a token by its id."""
    _admin_call(ctx, lambda a: a.revoke_token(token_id))
    click.echo(f"token {token_id} revoked")


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
@_common_options
@pass_context
def tsig_add(
    ctx: _Context,
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
@_common_options
@pass_context
def tsig_list(ctx: _Context) -> None:
    """List keys and their scope (never the secrets)."""
    for row in _tsig_call(ctx, lambda k: k.list()):
        scope = " ".join(row.names) or "*"
        click.echo(f"{row.name}\t{row.zone}\t{row.algorithm}\t{scope}\t{','.join(row.types)}")


@tsig.command("remove")
@click.argument("name")
@_common_options
@pass_context
def tsig_remove(ctx: _Context, name: str) -> None:
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
@_common_options
@pass_context
def secondary_add(ctx: _Context, zone: str, target: str, tsig_key: str | None) -> None:
    """Allow ADDR to transfer ZONE and send it NOTIFY (to PORT, default 53) on each change."""
    row = _secondaries_call(ctx, lambda s: s.add(zone, target, tsig=tsig_key))
    signed = f", signed with {row.tsig_key}" if row.tsig_key else ""
    click.echo(f"secondary {row.id}: {row.address} port {row.port} for {row.zone}{signed}")


@secondary.command("list")
@click.option("--zone", help="Only this zone's secondaries.")
@_common_options
@pass_context
def secondary_list(ctx: _Context, zone: str | None) -> None:
    """List secondaries."""
    for row in _secondaries_call(ctx, lambda s: s.list(zone=zone)):
        click.echo(f"{row.id}\t{row.zone}\t{row.address}\t{row.port}\t{row.tsig_key or '-'}")


@secondary.command("remove")
@click.argument("secondary_id", type=int)
@_common_options
@pass_context
def secondary_remove(ctx: _Context, secondary_id: int) -> None:
    """Stop transfers to and NOTIFY of a secondary, by its id."""
    _secondaries_call(ctx, lambda s: s.remove(secondary_id))
    click.echo(f"secondary {secondary_id} removed")


# -- acme-dns accounts -------------------------------------------------------------------


def _acme_call(ctx: _Context, action: Callable[[AcmeAccounts], Awaitable[T]]) -> T:
    from homing.core.acme import AcmeAccounts
    from homing.core.journal import new_origin

    settings = ctx.settings()
    zone = settings.acme_zone or settings.default_zone
    return _store_call(
        ctx, lambda store: action(AcmeAccounts(store=store, origin=new_origin("cli"), zone=zone))
    )


@main.group()
def acme() -> None:
    """acme-dns accounts (POST /update) for ACME DNS-01 challenges."""


@acme.command("register")
@click.option(
    "--allow-from", "allowfrom", multiple=True, help="Network (CIDR) updates may come from."
)
@_common_options
@pass_context
def acme_register(ctx: _Context, allowfrom: tuple[str, ...]) -> None:
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
@_common_options
@pass_context
def acme_list(ctx: _Context) -> None:
    """List accounts: user, challenge name, allowed networks (never the keys)."""
    for row in _acme_call(ctx, lambda a: a.accounts()):
        click.echo(f"{row.username}\t{row.fqdn}\t{','.join(row.allowfrom) or 'anywhere'}")


@acme.command("remove")
@click.argument("username")
@_common_options
@pass_context
def acme_remove(ctx: _Context, username: str) -> None:
    """Remove an account and its TXT values."""
    row = _acme_call(ctx, lambda a: a.remove(username))
    click.echo(f"acme-dns account {row.username} ({row.fqdn}) removed")


# -- client ------------------------------------------------------------------------------


def _client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The client's own ``--config`` (its TOML file, not the provider's) and ``--state``."""
    from homing.client.config import DEFAULT_CONFIG

    command = click.option(
        "--state",
        "state_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="State file (default: state_file from the config).",
    )(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="HOMING_CLIENT_CONFIG",
        default=DEFAULT_CONFIG,
        show_default=True,
        help="Client config file (or $HOMING_CLIENT_CONFIG).",
    )(command)


@main.group("client")
def client_group() -> None:
    """Keep names pointing at this machine (the DDNS client daemon)."""


@client_group.command("run")
@_client_options
def client_run(config_file: Path, state_file: Path | None) -> None:
    """Run the daemon: detect address changes and update every name."""
    from homing.client.commands import load, run_daemon

    config = load(config_file, state_file)
    _setup_logging(config.log_level)
    asyncio.run(run_daemon(config))  # not uvloop: it cannot carry pyroute2's netlink sockets


@client_group.command("once")
@_client_options
def client_once(config_file: Path, state_file: Path | None) -> None:
    """One detection and update pass; exit status 0 only if every name is up to date."""
    from homing.client.commands import load, run_once

    config = load(config_file, state_file)
    _setup_logging("WARNING")
    lines, ok = asyncio.run(run_once(config))
    click.echo("\n".join(lines))
    sys.exit(0 if ok else 1)


@client_group.command("status")
@_client_options
def client_status(config_file: Path, state_file: Path | None) -> None:
    """Per name: the published address, when it was pushed, the last answer, what is next."""
    from homing.client.commands import load, status

    click.echo("\n".join(status(load(config_file, state_file))))


@client_group.command("check")
@_client_options
def client_check(config_file: Path, state_file: Path | None) -> None:
    """Validate the config, show detected addresses, resolve each name; update nothing."""
    from homing.client.commands import check, load

    config = load(config_file, state_file)
    _setup_logging("ERROR")
    lines, ok = asyncio.run(check(config))
    click.echo("\n".join(lines))
    sys.exit(0 if ok else 1)
