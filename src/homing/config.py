"""Settings: declared once, loaded from flags > ``HOMING_*`` environment > TOML file > defaults.

Each setting is a field of ``Settings`` with its help text in the field
metadata; the loader, the validation messages and ``docs/configuration.md``
all come from that one declaration.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homing.core.brake import BrakeLimits
from homing.domain.acme import Registration
from homing.domain.addresses import AddressPolicy
from homing.errors import ConfigError
from homing.nameserver.ratelimit import RateLimitSettings

ENV_PREFIX = "HOMING_"
MAX_DNS_WORKERS = 64


def _setting(default: Any, help_text: str) -> Any:
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help_text})
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every operator setting of ``homing serve`` and the management commands."""

    data_dir: Path = _setting(Path("homing-data"), "Directory holding the SQLite database.")
    database_url: str | None = _setting(
        None,
        "PostgreSQL database shared by every node: `postgresql://user:password@host:port/dbname` "
        "(`postgresql+asyncpg://` too); none: SQLite in data_dir. Prefer the environment or "
        "the file to the flag, which other local users can read in the process list.",
    )
    dns_listen: list[str] = _setting(
        ["127.0.0.1:8053"], "DNS listen addresses (UDP and TCP), HOST:PORT, IPv6 in brackets."
    )
    http_listen: str = _setting("127.0.0.1:8080", "HTTP(S) listen address, HOST:PORT.")
    tls_cert: Path | None = _setting(None, "PEM certificate chain: serve HTTPS instead of HTTP.")
    tls_key: Path | None = _setting(None, "PEM private key for tls_cert.")
    tls_acme_directory: str | None = _setting(
        None,
        "ACME directory URL of a certificate authority: `homing serve` gets its own HTTPS "
        "certificate for tls_acme_domains by answering DNS-01 itself, and renews it.",
    )
    tls_acme_domains: list[str] = _setting(
        [], "Names for the ACME certificate (wildcards allowed), all within served zones."
    )
    tls_acme_email: str | None = _setting(
        None, "Contact address for the ACME account (expiry notices from the CA)."
    )
    tls_acme_ca_bundle: Path | None = _setting(
        None, "PEM bundle to trust for the ACME directory's own HTTPS (a private CA)."
    )
    allow_plain_http: bool = _setting(
        False, "Allow plain HTTP on a non-loopback address (passwords would cross in clear)."
    )
    default_zone: str | None = _setting(
        None, "Zone for DuckDNS bare labels (`domains=home`); default: the only zone, if one."
    )
    address_policy: str = _setting(
        "unicast", "Which addresses hosts may publish: `unicast` (LAN too) or `global`."
    )
    trusted_proxies: list[str] = _setting(
        [], "Networks (CIDR) of reverse proxies whose X-Forwarded-For is believed."
    )
    rfc2136_unsigned_from: list[str] = _setting(
        [],
        "Networks (CIDR) allowed to send RFC 2136 updates without TSIG; empty: TSIG required.",
    )
    acme_registration: str = _setting(
        "admin",
        "Who may create acme-dns accounts with `POST /register`: `open` (anyone), "
        "`admin` (Basic auth as an admin user) or `closed` (only `homing acme register`).",
    )
    acme_zone: str | None = _setting(
        None,
        "Zone holding acme-dns challenge names (`<uuid>.<zone>`); default: default_zone, "
        "else the only zone.",
    )
    max_hosts_per_update: int = _setting(20, "Most hostnames in one dyndns2 request (numhost).")
    auth_max_failures: int = _setting(
        10,
        "Failed password checks per (login, address), failed tokens per address, within "
        "auth_window_seconds before that address is locked out (three times as many password "
        "failures across logins lock the address as a whole).",
    )
    auth_window_seconds: float = _setting(300.0, "Window for counting failed logins.")
    auth_lockout_seconds: float = _setting(900.0, "How long a locked-out address/account waits.")
    nochg_limit: int = _setting(
        60, "Unchanged updates per host within nochg_window_seconds before `abuse`."
    )
    nochg_window_seconds: float = _setting(3600.0, "Window for counting unchanged updates.")
    blocked_user_agents: list[str] = _setting(
        [], "User-Agent substrings answered with `badagent` (known-broken clients)."
    )
    dns_workers: int | None = _setting(
        None,
        "DNS worker processes answering UDP on the DNS ports (SO_REUSEPORT); default: one per "
        "CPU this process may use; 0: the main process answers alone.",
    )
    dns_udp_max_payload: int = _setting(
        1232,
        "Largest DNS answer sent over UDP, whatever size the client offers; a larger one goes "
        "out truncated (TC) so the client retries over TCP. 1232 avoids IP fragments and "
        "keeps amplification small.",
    )
    dns_tcp_max_connections: int = _setting(
        1000,
        "DNS TCP connections held open at once; when all are taken, the source holding the "
        "most gives up its oldest idle one to a newcomer.",
    )
    dns_tcp_max_per_source: int = _setting(
        20, "DNS TCP connections one client address may hold at once."
    )
    dns_tcp_timeout_seconds: float = _setting(
        10.0,
        "A DNS TCP connection is closed after this long without a query, or when its client "
        "has not read an answer for this long.",
    )
    dns_rrl_responses_per_second: int = _setting(
        200,
        "UDP answers per second to one client network before response rate limiting drops "
        "them (amplification defence, as NSD's and Knot's RRL); 0 turns it off. TCP is never "
        "limited.",
    )
    dns_rrl_slip: int = _setting(
        2,
        "Every n-th rate-limited answer goes out truncated, so real resolvers retry over TCP; "
        "0 drops them all.",
    )
    dns_rrl_ipv4_prefix: int = _setting(24, "IPv4 prefix length of a client network for RRL.")
    dns_rrl_ipv6_prefix: int = _setting(56, "IPv6 prefix length of a client network for RRL.")
    ixfr_journal_entries: int = _setting(
        1000,
        "Changes kept per zone for IXFR; a secondary further behind gets the whole zone.",
    )
    history_retention_days: float = _setting(
        90.0, "History rows (updates, refusals, audit) older than this are deleted; 0 keeps all."
    )
    journal_poll_seconds: float = _setting(
        0.25, "How often the server looks for changes made by management commands."
    )
    dnssec_propagation_seconds: int = _setting(
        3600,
        "DNSSEC key rollover: how long a change takes to reach every server of a zone "
        "(other nodes, secondaries); each timed step waits this on top of the TTLs.",
    )
    dnssec_parent_ds_ttl_seconds: int = _setting(
        86400,
        "DNSSEC key rollover: the TTL of the DS at the parent, how long resolvers may keep "
        "the old DS after the parent has the new one (a day at most top-level domains).",
    )
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    log_format: str = _setting(
        "text", "Log lines as `text` or `json` (one object per line: time, level, logger, ...)."
    )
    metrics_allow_from: list[str] = _setting(
        ["127.0.0.1/32", "::1/128"],
        "Networks (CIDR) that may read `/metrics`; behind a proxy set trusted_proxies too.",
    )
    alert_smtp_host: str | None = _setting(
        None, "SMTP server for owners' email alerts; none: email alerts are not sent."
    )
    alert_smtp_port: int = _setting(587, "SMTP server port (465 with `ssl`, 25 or 587 otherwise).")
    alert_smtp_security: str = _setting(
        "starttls", "SMTP transport security: `starttls`, `ssl` (implicit TLS) or `none`."
    )
    alert_smtp_username: str | None = _setting(None, "SMTP login; none: no authentication.")
    alert_smtp_password_file: Path | None = _setting(
        None, "File holding the SMTP password (first line), kept out of the settings."
    )
    alert_smtp_from: str = _setting("homing@localhost", "Sender address of alert emails.")
    alert_webhook_private: bool = _setting(
        False, "Allow alert webhooks to loopback and private addresses (off: only global ones)."
    )
    alert_attempts: int = _setting(8, "Tries per alert delivery before it is given up.")
    alert_retry_seconds: float = _setting(
        5.0, "First wait before retrying a failed alert delivery; doubles each try (to 15 min)."
    )
    alert_queue_size: int = _setting(
        1000, "Alerts waiting for delivery per destination; more are dropped with a warning."
    )
    alert_failure_quiet_seconds: float = _setting(
        600.0, "At most one failed-attempts alert per user in this time; later ones are summed up."
    )
    alert_stale_check_seconds: float = _setting(
        300.0, "How often hosts are checked for having gone stale (per-user stale_hours)."
    )
    http_max_header_bytes: int = _setting(
        16384,
        "Largest request head (request line and headers) before `431`; lines over 8 KiB `414`.",
    )
    http_header_timeout_seconds: float = _setting(
        10.0, "A request head must be complete this long after it began, else `408` and close."
    )
    http_max_connections_per_source: int = _setting(
        64,
        "Open HTTP connections one address may hold; more are closed at once "
        "(trusted_proxies are exempt).",
    )
    http_max_connections: int = _setting(
        1024,
        "Open HTTP connections in all; while this many are open, a request is answered `503` "
        "at once (the server's memory and tasks stay bounded whatever the sources).",
    )
    public_url: str | None = _setting(
        None,
        "The server's public base URL (`https://ddns.example.net`) shown in the web UI's "
        "client configuration; default: taken from each request.",
    )
    web_session_seconds: float = _setting(
        43200.0, "How long a web UI sign-in lasts before the password is asked again."
    )
    web_stale_hours: float = _setting(
        24.0, "The web UI marks a host `stale` when it has had no update for this long."
    )
    web_self_registration: bool = _setting(
        False, "Anyone may create an account on the web UI's sign-up page (`/signup`)."
    )

    @property
    def serves_tls(self) -> bool:
        """HTTPS with a configured certificate, or one of our own from ACME."""
        return self.tls_cert is not None or self.tls_acme_directory is not None

    @property
    def policy(self) -> AddressPolicy:
        return AddressPolicy(self.address_policy)

    @property
    def rate_limit(self) -> RateLimitSettings:
        return RateLimitSettings(
            rate=self.dns_rrl_responses_per_second,
            slip=self.dns_rrl_slip,
            ipv4_prefix=self.dns_rrl_ipv4_prefix,
            ipv6_prefix=self.dns_rrl_ipv6_prefix,
        )

    @property
    def brake_limits(self) -> BrakeLimits:
        return BrakeLimits(
            max_failures=self.auth_max_failures,
            window=self.auth_window_seconds,
            lockout=self.auth_lockout_seconds,
        )

    @property
    def database(self) -> Path:
        return self.data_dir / "homing.sqlite3"


def setting_fields() -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(Settings))


def _coerce(name: str, kind: str, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type, or name the key in the error."""
    try:
        if value is None:
            return None
        if kind.startswith("list"):
            if isinstance(value, str):
                return [item.strip() for item in value.split(",") if item.strip()]
            if not isinstance(value, list):
                raise TypeError("a list is expected")
            return [str(item) for item in value]
        if kind.startswith("Path"):
            return Path(str(value)).expanduser()
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError("true or false expected")
        if kind in ("int", "int | None"):
            if isinstance(value, bool):
                raise TypeError("a number is expected")
            return int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise TypeError("a number is expected")
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {exc} (got {value!r})") from None


def _validate(settings: Settings) -> None:
    if settings.address_policy not in {p.value for p in AddressPolicy}:
        raise ConfigError("setting address_policy: must be `unicast` or `global`")
    if settings.acme_registration not in {r.value for r in Registration}:
        raise ConfigError("setting acme_registration: must be `open`, `admin` or `closed`")
    for name in ("trusted_proxies", "rfc2136_unsigned_from", "metrics_allow_from"):
        for network in getattr(settings, name):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(f"setting {name}: {network!r} is not a network") from None
    for name in (
        "max_hosts_per_update",
        "auth_max_failures",
        "http_max_connections_per_source",
        "http_max_connections",
        "nochg_limit",
        "ixfr_journal_entries",
    ):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name}: must be at least 1")
    if not 1024 <= settings.http_max_header_bytes <= 1_048_576:
        raise ConfigError("setting http_max_header_bytes: must be between 1024 and 1048576")
    for name in (
        "auth_window_seconds",
        "auth_lockout_seconds",
        "nochg_window_seconds",
        "http_header_timeout_seconds",
    ):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name}: must be positive")
    for name, low, top in (
        ("dns_udp_max_payload", 512, 4096),
        ("dns_tcp_max_connections", 1, 100_000),
        ("dns_tcp_max_per_source", 1, 100_000),
        ("dns_tcp_timeout_seconds", 0.1, 3600),
        ("dns_rrl_responses_per_second", 0, 1_000_000),
        ("dns_rrl_slip", 0, 100),
        ("dns_rrl_ipv4_prefix", 1, 32),
        ("dns_rrl_ipv6_prefix", 1, 128),
        ("dnssec_propagation_seconds", 0, 7 * 86400),
        ("dnssec_parent_ds_ttl_seconds", 0, 7 * 86400),
    ):
        if not low <= getattr(settings, name) <= top:
            raise ConfigError(f"setting {name}: must be between {low} and {top}")
    if settings.dns_workers is not None and not 0 <= settings.dns_workers <= MAX_DNS_WORKERS:
        raise ConfigError(f"setting dns_workers: must be between 0 and {MAX_DNS_WORKERS}")
    if settings.history_retention_days < 0:
        raise ConfigError("setting history_retention_days: must be 0 (keep all) or positive")
    if not 0.01 <= settings.journal_poll_seconds <= 10:
        raise ConfigError("setting journal_poll_seconds: must be between 0.01 and 10")
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise ConfigError("settings tls_cert and tls_key: set both or neither")
    _validate_acme(settings)
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("setting log_level: must be DEBUG, INFO, WARNING or ERROR")
    if not settings.dns_listen:
        raise ConfigError("setting dns_listen: at least one address is needed")
    if settings.database_url and not settings.database_url.startswith(
        ("postgresql://", "postgresql+asyncpg://")
    ):
        # The rest of the URL is checked when the store opens; never echo it (a password).
        raise ConfigError(
            "setting database_url: must start with postgresql:// or postgresql+asyncpg://"
        )
    _validate_alerts(settings)
    _validate_web(settings)


def _validate_acme(settings: Settings) -> None:
    if settings.tls_acme_directory is None:
        if settings.tls_acme_domains:
            raise ConfigError("setting tls_acme_domains: needs tls_acme_directory too")
        return
    if not settings.tls_acme_directory.startswith("https://"):
        raise ConfigError("setting tls_acme_directory: must be an https:// URL")
    if settings.tls_cert is not None:
        raise ConfigError("settings tls_acme_directory and tls_cert: set one or the other")
    if not settings.tls_acme_domains:
        raise ConfigError("setting tls_acme_domains: name at least one domain for the certificate")
    for name in settings.tls_acme_domains:
        bare = name.removeprefix("*.")
        if not bare or "*" in bare or " " in bare or "." not in bare.strip("."):
            raise ConfigError(f"setting tls_acme_domains: {name!r} is not a domain name")


def _validate_web(settings: Settings) -> None:
    url = settings.public_url
    if url is not None and (not url.startswith(("http://", "https://")) or "?" in url):
        raise ConfigError("setting public_url: must be an http:// or https:// base URL")
    for name in ("web_session_seconds", "web_stale_hours"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name}: must be positive")


def _validate_alerts(settings: Settings) -> None:
    if settings.log_format not in {"text", "json"}:
        raise ConfigError("setting log_format: must be `text` or `json`")
    if settings.alert_smtp_security not in {"starttls", "ssl", "none"}:
        raise ConfigError("setting alert_smtp_security: must be `starttls`, `ssl` or `none`")
    if not 1 <= settings.alert_smtp_port <= 65535:
        raise ConfigError("setting alert_smtp_port: must be between 1 and 65535")
    if "@" not in settings.alert_smtp_from:
        raise ConfigError("setting alert_smtp_from: must be an email address")
    for name in ("alert_attempts", "alert_queue_size"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name}: must be at least 1")
    for name in ("alert_retry_seconds", "alert_failure_quiet_seconds", "alert_stale_check_seconds"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name}: must be positive")


def _read_toml(path: Path) -> dict[str, Any]:
    """The settings file as a table; any problem is one line naming the file, line and key."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = raw.count(b"\n", 0, exc.start) + 1
        line = raw.split(b"\n")[line_no - 1].decode("utf-8", "replace")
        key = line.partition("=")[0].strip() if "=" in line else ""
        what = f"setting {key} holds" if key.isidentifier() else "holds"
        raise ConfigError(
            f"config file {path}, line {line_no}: {what} bytes that are not UTF-8 "
            "(save the file as UTF-8)"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the sources in priority order and validate the result."""
    environ = os.environ if environ is None else environ
    kinds = {f.name: str(f.type) for f in setting_fields()}
    values: dict[str, Any] = {}
    if config_file is not None:
        data = _read_toml(config_file)
        for key, value in data.items():
            if key not in kinds:
                raise ConfigError(f"config file {config_file}: unknown setting {key!r}")
            values[key] = _coerce(key, kinds[key], value)
    for name, kind in kinds.items():
        env_value = environ.get(ENV_PREFIX + name.upper())
        if env_value is not None:
            values[name] = _coerce(name, kind, env_value)
    for name, value in (overrides or {}).items():
        if value is not None and value != []:
            values[name] = _coerce(name, kinds[name], value)
    settings = Settings(**values)
    _validate(settings)
    return settings


def parse_hostport(text: str, *, setting: str) -> tuple[str, int]:
    """``127.0.0.1:8053`` / ``[::1]:8053`` → (host, port), with an error naming the setting."""
    raw = text.strip()
    host, sep, port_text = raw.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ConfigError(f"setting {setting}: put IPv6 addresses in brackets, e.g. [::1]:8053")
    try:
        port = int(port_text)
        if not sep or not host or not 0 <= port <= 65535:
            raise ValueError
        ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"setting {setting}: expected IP:PORT, got {text!r}") from None
    return host, port


def settings_markdown() -> str:
    """The settings reference (docs/configuration.md), generated so it cannot drift."""
    lines = [
        "# Settings",
        "",
        "Generated by `homing settings`; do not edit by hand.",
        "",
        "Each setting can be given in the TOML file named by `--config` (key as shown),",
        f"as an environment variable (`{ENV_PREFIX}` + the key in upper case; lists are",
        "comma-separated), or for some as a command-line flag. Flags win over the",
        "environment, which wins over the file. `--data` / `HOMING_DATA` set `data_dir`.",
        "",
        "| key | environment | default | meaning |",
        "|---|---|---|---|",
    ]
    for item in setting_fields():
        if item.default_factory is not dataclasses.MISSING:
            default: Any = item.default_factory()
        else:
            default = item.default
        shown = "(none)" if default is None or default == [] else f"`{default}`"
        env = f"`{ENV_PREFIX}{item.name.upper()}`"
        lines.append(f"| `{item.name}` | {env} | {shown} | {item.metadata['help']} |")
    return "\n".join(lines) + "\n"
