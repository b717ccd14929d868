"""Typed reading of one TOML table of the client config, with errors that point at the line.

tomllib gives no line numbers, so the line of a key is found by scanning the
file's text for the table header and then ``key =``: good enough for the
hand-written files this reads. Every key a parser asks for is remembered, so
an unknown key can be reported with the closest known one (difflib).
"""

from __future__ import annotations

import difflib
import hashlib
import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from homing.errors import ConfigError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")

HOST_NAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]\.?"
)
"""A DNS host name whose last label is not all digits (so never mistaken for an address)."""


class Secret:
    """A credential; its repr never shows the value, so logs and tracebacks stay clean."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True)
class ConfigText:
    """The config file's path and text, for locating keys in error messages."""

    path: Path
    text: str

    def line_of(self, table: str | None, index: int | None, key: str | None) -> int | None:
        """1-based line of ``key`` in ``[table]`` (or the ``index``-th ``[[table]]``)."""
        lines = self.text.splitlines()
        start, end = 0, len(lines)
        if table is not None:
            seen = -1
            start = -1
            for number, line in enumerate(lines):
                match = _HEADER.match(line)
                if match is None or match.group(2).strip("\"'") != table:
                    continue
                seen += 1
                if index is None or seen == index:
                    start = number
                    break
            if start < 0:
                return None
            for number in range(start + 1, len(lines)):
                if _HEADER.match(lines[number]):
                    end = number
                    break
        if key is None:
            return start + 1 if table is not None else None
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start, end):
            if pattern.match(lines[number]):
                return number + 1
        return start + 1 if table is not None else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Options:
    """One table of the config: typed getters, secrets, and unknown-key detection."""

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        text: ConfigText,
        table: str | None,
        index: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._values = dict(values)
        self._text = text
        self._table = table
        self._index = index
        self._environ = os.environ if environ is None else environ
        self._known: set[str] = set()
        self._resolved: dict[str, Any] = {}

    @property
    def where(self) -> str:
        if self._table is None:
            return ""
        return self._table if self._index is None else f"{self._table}[{self._index + 1}]"

    def _missing(self, keys: list[str], message: str) -> ConfigError:
        """A missing key, unless a misspelling of it is present: then point at that."""
        for given in self._values:
            if given not in self._known and difflib.get_close_matches(given, keys, cutoff=0.6):
                close = difflib.get_close_matches(given, keys, n=1, cutoff=0.6)[0]
                return self.error(given, f"unknown key (did you mean {close!r}?)")
        return self.error(keys[0] if len(keys) == 1 else None, message)

    def error(self, key: str | None, message: str) -> ConfigError:
        """A one-line error: ``FILE:LINE: table.key: message``."""
        line = self._text.line_of(self._table, self._index, key)
        place = f"{self._text.path}:{line}" if line else str(self._text.path)
        name = ".".join(p for p in (self.where, key) if p)
        return ConfigError(f"{place}: {name}: {message}" if name else f"{place}: {message}")

    def _get(self, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        """The raw value checked against ``kind``, or None when absent."""
        self._known.add(key)
        if key not in self._values:
            return None
        value = self._values[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(key, f"expected {what}, got {type(value).__name__} {value!r}")
        self._resolved[key] = value
        return value

    def optional_string(self, key: str, *, choices: tuple[str, ...] = ()) -> str | None:
        value: str | None = self._get(key, str, "a string")
        if value is not None and choices and value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.error(key, f"{value!r} is not one of {', '.join(choices)}{hint}")
        return value

    def string(self, key: str, default: str, *, choices: tuple[str, ...] = ()) -> str:
        value = self.optional_string(key, choices=choices)
        return default if value is None else value

    def required_string(self, key: str, *, what: str, choices: tuple[str, ...] = ()) -> str:
        value = self.optional_string(key, choices=choices)
        if value is None:
            raise self._missing([key], f"missing: {what} is required")
        if not value.strip():
            raise self.error(key, f"missing: {what} is required")
        return value

    def url(self, key: str, default: str | None = None) -> str:
        """An http(s) URL; plain http only to loopback or with ``allow_plain_http = true``."""
        url = self.optional_url(key, default)
        if url is None:
            raise self.error(key, "missing: the provider's URL is required")
        return url

    def optional_url(self, key: str, default: str | None = None) -> str | None:
        """Like ``url``, but None when the key is absent and there is no default."""
        text = self.optional_string(key) or default
        if text is None:
            return None
        try:
            url = httpx.URL(text)
        except httpx.InvalidURL:
            raise self.error(key, f"not a URL: {text!r}") from None
        if url.scheme not in {"http", "https"} or not url.host:
            raise self.error(key, f"expected an https:// URL, got {text!r}")
        plain_ok = self.boolean("allow_plain_http", False)
        if url.scheme == "http" and not plain_ok and not _is_loopback(url.host):
            raise self.error(
                key,
                "plain http would send credentials in clear: use https:// "
                "or set allow_plain_http = true",
            )
        return text.rstrip("/")

    def host_port(
        self, key: str, *, default_port: int, what: str, names: bool = False
    ) -> tuple[str, int] | None:
        """``IP``, ``IP:PORT`` or ``[IPv6]:PORT`` as (ip, port); with ``names`` also ``NAME``
        and ``NAME:PORT`` (resolved when used); None when absent."""
        text = self.optional_string(key)
        if text is None:
            return None
        raw = text.strip()
        shape = "IP, IP:PORT, NAME or NAME:PORT" if names else "IP or IP:PORT"
        try:
            return str(ipaddress.ip_address(raw)), default_port
        except ValueError:
            pass
        if names and HOST_NAME.fullmatch(raw):
            return raw.rstrip(".").lower(), default_port
        host, sep, port = raw.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            number = int(port)
            if not sep or not 0 < number < 65536:
                raise ValueError(port)
            if names and HOST_NAME.fullmatch(host):
                return host.rstrip(".").lower(), number
            return str(ipaddress.ip_address(host)), number
        except ValueError:
            raise self.error(key, f"expected {what} as {shape}, got {text!r}") from None

    def boolean(self, key: str, default: bool) -> bool:
        value: bool | None = self._get(key, bool, "true or false")
        return default if value is None else value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self._get(key, (int, float), "a number")
        number = default if value is None else float(value)
        if not low <= number <= high:
            raise self.error(key, f"must be between {low:g} and {high:g}, got {number:g}")
        return number

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value: int | None = self._get(key, int, "a whole number")
        number = default if value is None else value
        if not low <= number <= high:
            raise self.error(key, f"must be between {low} and {high}, got {number}")
        return number

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list of strings; a single string counts as a list of one."""
        value = self._get(key, (list, str), "a list of strings")
        if value is None:
            return default
        if isinstance(value, str):
            return (value,)
        if not all(isinstance(item, str) for item in value):
            raise self.error(key, "expected a list of strings")
        return tuple(value)

    def secret(self, key: str) -> Secret:
        """A required credential from ``key``, ``key_file`` or ``key_env``."""
        secret = self.optional_secret(key)
        if secret is None:
            forms = [key, f"{key}_file", f"{key}_env"]
            wanted = f"missing credential: set {key}, {key}_file or {key}_env"
            raise self._missing(forms, wanted)
        return secret

    def optional_secret(self, key: str) -> Secret | None:
        """``key``, ``key_file`` or ``key_env``: exactly one of them gives the value."""
        forms = [key, f"{key}_file", f"{key}_env"]
        self._known.update(forms)
        given = [form for form in forms if form in self._values]
        if len(given) > 1:
            raise self.error(given[1], f"give only one of {', '.join(given)}")
        if not given:
            return None
        form = given[0]
        source = self._values[form]
        if not isinstance(source, str) or not source:
            raise self.error(form, "expected a non-empty string")
        if form.endswith("_file"):
            try:
                value = Path(source).expanduser().read_text().strip()
            except OSError as exc:
                raise self.error(form, f"cannot read {source}: {exc.strerror}") from None
        elif form.endswith("_env"):
            value = self._environ.get(source, "").strip()
            if not value:
                raise self.error(form, f"environment variable {source} is not set or empty")
        else:
            value = source.strip()
        if not value:
            raise self.error(form, "the secret is empty")
        self._resolved[key] = Secret(value)
        return Secret(value)

    def table(self, key: str) -> Options:
        """A sub-table (``[ipv4]``) as its own Options; absent means empty."""
        value = self._get(key, dict, "a table") or {}
        return Options(value, text=self._text, table=key, environ=self._environ)

    def tables(self, key: str) -> list[Options]:
        """An array of tables (``[[update]]``)."""
        value = self._get(key, list, f"an array of tables ([[{key}]])") or []
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(key, f"expected an array of tables ([[{key}]])")
            found.append(
                Options(item, text=self._text, table=key, index=index, environ=self._environ)
            )
        return found

    def finish(self) -> None:
        """Refuse keys no parser asked for, suggesting the closest known key."""
        for key in self._values:
            if key in self._known:
                continue
            close = difflib.get_close_matches(key, sorted(self._known), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(self._known))
            raise self.error(key, f"unknown key{hint}; known keys: {known}")

    def fingerprint(self) -> str:
        """A hash of every value read (secrets included), to notice a changed config."""
        plain = {
            k: (v.value if isinstance(v, Secret) else v) for k, v in sorted(self._resolved.items())
        }
        blob = json.dumps(plain, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
