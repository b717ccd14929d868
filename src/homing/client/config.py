"""The client's one TOML file → a frozen, typed ``ClientConfig``, checked before anything runs.

Layout (docs/client.md has a complete commented example)::

    state_file = "/var/lib/homing-client/state.json"    # optional top-level keys
    [ipv4]  source = "web" | "interface" | "command" | "upnp"
    [ipv6]  ...                                           # absent: family not used
    [notify]  webhook_url = "...", heartbeat_url = "..."  # optional
    [[update]]  provider = "...", names = [...], ...      # one per account

Each ``[[update]]`` becomes one ``Target`` per name, carrying a fingerprint
of its settings so the state file can tell a changed config from an old one.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from homing.client.addresses import Addresses, Family
from homing.client.detect import SourceSettings
from homing.client.detect.command import CommandSettings
from homing.client.detect.interface import InterfaceSettings
from homing.client.detect.upnp import UpnpSettings
from homing.client.detect.web import WebSettings
from homing.client.ipv6_suffix import Ipv6Suffix, parse_suffix
from homing.client.notify.settings import NotifySettings
from homing.client.options import ConfigText, Options
from homing.client.providers import ProviderSettings
from homing.client.providers.homing import HomingSettings
from homing.client.providers.registry import PROVIDERS
from homing.domain.names import normalize_name
from homing.errors import ConfigError, NameError_

DEFAULT_CONFIG = Path("/etc/homing/client.toml")
DEFAULT_STATE = Path("/var/lib/homing-client/state.json")
SOURCES: dict[str, Callable[[Options], SourceSettings]] = {
    "web": WebSettings.parse,
    "interface": InterfaceSettings.parse,
    "command": CommandSettings.parse,
    "upnp": UpnpSettings.parse,
}


@dataclass(frozen=True, kw_only=True)
class Target:
    """One name at one provider: the unit the scheduler keeps up to date."""

    key: str
    name: str
    provider: str
    families: frozenset[Family]
    settings: ProviderSettings
    fingerprint: str
    dns_server: tuple[str, int] | None
    ipv6_suffix: Ipv6Suffix | None = None
    """Publish the detected prefix with this interface identifier (``ipv6_suffix``)."""

    def wanted(self, detected: Addresses) -> Addresses:
        """The addresses this name should have, given what was detected."""
        chosen = detected.only(self.families)
        return self.ipv6_suffix.apply(chosen) if self.ipv6_suffix is not None else chosen


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Everything ``homing client`` needs, validated."""

    path: Path
    state_file: Path
    timeout_seconds: float
    public_only: bool
    log_level: str
    sources: Mapping[Family, SourceSettings]
    targets: tuple[Target, ...]
    notify: NotifySettings = field(default_factory=NotifySettings)


def load_client_config(
    path: Path, *, environ: Mapping[str, str] | None = None, state_file: Path | None = None
) -> ClientConfig:
    """Read and validate ``path``; every error is one line naming the file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read client config {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"client config {path} is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    environ = os.environ if environ is None else environ
    root = Options(data, text=ConfigText(path, text), table=None, environ=environ)
    configured_state = root.optional_string("state_file")
    timeout = root.number("timeout_seconds", 10, low=0.5, high=120)
    public_only = root.boolean("public_only", True)
    level = root.string("log_level", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    sources: dict[Family, SourceSettings] = {}
    for family in Family:
        if family.value in data:
            sources[family] = _source(root.table(family.value), family)
    notify = NotifySettings.parse(root.table("notify"))
    tables = root.tables("update")
    root.finish()
    if not sources:
        raise root.error(None, "no address source: add an [ipv4] or [ipv6] table")
    targets = _targets(tables, sources)
    if not targets:
        raise root.error(None, "nothing to update: add an [[update]] table")
    ip_urls = tuple(t.settings.ip_url for t in targets if isinstance(t.settings, HomingSettings))
    for family, settings in sources.items():
        if isinstance(settings, WebSettings) and ip_urls:
            sources[family] = settings.with_first(ip_urls)
    return ClientConfig(
        path=path,
        state_file=state_file or Path(configured_state or DEFAULT_STATE).expanduser(),
        timeout_seconds=timeout,
        public_only=public_only,
        log_level=level,
        sources=sources,
        targets=targets,
        notify=notify,
    )


def _source(options: Options, family: Family) -> SourceSettings:
    kind = options.required_string(
        "source",
        what="the address source (web, interface, command or upnp)",
        choices=tuple(SOURCES),
    )
    if kind == "upnp" and family is Family.IPV6:
        raise options.error("source", "upnp gives only the router's IPv4 address")
    settings = SOURCES[kind](options)
    options.finish()
    return settings


def _targets(tables: list[Options], sources: Mapping[Family, SourceSettings]) -> tuple[Target, ...]:
    targets: dict[str, Target] = {}
    for options in tables:
        provider = options.required_string(
            "provider", what="the provider (`homing client providers` lists them)"
        )
        if provider not in PROVIDERS:
            close = difflib.get_close_matches(provider, PROVIDERS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise options.error(
                "provider",
                f"{provider!r} is not a provider{hint}; `homing client providers` lists them",
            )
        names = options.strings("names")
        if not names:
            raise options.error("names", 'missing: list the names to update, names = ["..."]')
        families = _families(options, sources)
        allowed = PROVIDERS[provider].families
        if not families <= allowed:
            kinds = " and ".join(f.record_type for f in Family if f in allowed)
            values = ", ".join(f'"{f.value}"' for f in Family if f in allowed)
            raise options.error(
                "families", f"{provider} publishes only {kinds} records: set families = [{values}]"
            )
        dns_server = options.host_port(
            "dns_server", default_port=53, what="a DNS server", names=True
        )
        suffix = parse_suffix(options)
        settings = PROVIDERS[provider].parse(options)
        options.finish()
        fingerprint = options.fingerprint()
        for text in names:
            try:
                name = normalize_name(text).rstrip(".")
            except NameError_ as exc:
                raise options.error("names", f"{text!r}: {exc}") from None
            key = f"{provider}:{name}"
            if key in targets:
                raise options.error("names", f"{name} is already updated at {provider} above")
            targets[key] = Target(
                key=key,
                name=name,
                provider=provider,
                families=families,
                settings=settings,
                fingerprint=fingerprint,
                dns_server=dns_server,
                ipv6_suffix=suffix,
            )
    return tuple(targets.values())


def _families(options: Options, sources: Mapping[Family, SourceSettings]) -> frozenset[Family]:
    choices = tuple(f.value for f in Family)
    given = options.strings("families", tuple(f.value for f in sources))
    for value in given:
        if value not in choices:
            raise options.error("families", f"{value!r} is not one of ipv4, ipv6")
        if Family(value) not in sources:
            raise options.error("families", f"{value} has no source: add an [{value}] table")
    if not given:
        raise options.error("families", "at least one of ipv4, ipv6 is needed")
    return frozenset(Family(v) for v in given)
