"""Typed table reading: lines found by scanning, secrets from file or environment, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from homing.client.options import ConfigText, Options, Secret
from homing.errors import ConfigError

TEXT = """\
top = 1

[ipv4]
source = "web"

[[update]]
provider = "dyndns2"

[[update]]
# second one
provider = "duckdns"
  token = "x"
"""


def _options(
    values: dict[str, object],
    table: str | None = None,
    index: int | None = None,
    environ: dict[str, str] | None = None,
) -> Options:
    return Options(
        values, text=ConfigText(Path("c.toml"), TEXT), table=table, index=index, environ=environ
    )


@pytest.mark.parametrize(
    ("table", "index", "key", "line"),
    [
        (None, None, "top", 1),
        ("ipv4", None, "source", 4),
        ("ipv4", None, None, 3),
        ("update", 0, "provider", 7),
        ("update", 1, "provider", 11),
        ("update", 1, "token", 12),
        ("update", 1, "missing", 9),
        ("nowhere", None, "key", None),
    ],
)
def test_line_of_finds_the_key_in_its_table(
    table: str | None, index: int | None, key: str | None, line: int | None
) -> None:
    assert ConfigText(Path("c.toml"), TEXT).line_of(table, index, key) == line


def test_unknown_key_names_file_line_and_closest_key() -> None:
    options = _options({"provider": "duckdns", "tokn": "x"}, "update", 1)
    options.string("provider", "")
    options.optional_secret("token")
    with pytest.raises(ConfigError) as caught:
        options.finish()
    message = str(caught.value)
    assert message.startswith("c.toml:9: update[2].tokn: unknown key (did you mean 'token'?)")
    assert "\n" not in message


def test_secret_from_file_env_or_inline(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    assert _options({"token_file": str(secret_file)}).secret("token") == Secret("from-file")
    environ = {"TOKEN": "from-env"}
    assert _options({"token_env": "TOKEN"}, environ=environ).secret("token").value == "from-env"
    assert _options({"token": " inline "}).secret("token").value == "inline"
    assert "inline" not in repr(_options({"token": "inline"}).secret("token"))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "missing credential: set token, token_file or token_env"),
        ({"token": "a", "token_env": "B"}, "give only one of token, token_env"),
        ({"token_env": "UNSET"}, "environment variable UNSET is not set or empty"),
        ({"token_file": "/nonexistent/secret"}, "cannot read /nonexistent/secret"),
        ({"token": ""}, "expected a non-empty string"),
        ({"token": 5}, "expected a non-empty string"),
    ],
)
def test_secret_errors_say_what_would_be_right(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _options(values, environ={}).secret("token")


def test_typed_getters_name_the_expected_type() -> None:
    options = _options({"n": "many", "b": "yes", "i": 1.5, "l": [1, 2]})
    with pytest.raises(ConfigError, match="n: expected a number, got str 'many'"):
        options.number("n", 1, low=0, high=10)
    with pytest.raises(ConfigError, match="b: expected true or false"):
        options.boolean("b", False)
    with pytest.raises(ConfigError, match="i: expected a whole number"):
        options.integer("i", 1, low=0, high=10)
    with pytest.raises(ConfigError, match="l: expected a list of strings"):
        options.strings("l")
    with pytest.raises(ConfigError, match="must be between 0 and 10, got 11"):
        _options({"n": 11}).number("n", 1, low=0, high=10)
    with pytest.raises(
        ConfigError, match="'webb' is not one of web, interface \\(did you mean 'web'"
    ):
        _options({"s": "webb"}).string("s", "web", choices=("web", "interface"))


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://ddns.example.net", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080/", True),
        ("http://ddns.example.net", False),
        ("ftp://ddns.example.net", False),
        ("not a url", False),
    ],
)
def test_url_refuses_plain_http_off_loopback(url: str, ok: bool) -> None:
    options = _options({"server": url})
    if ok:
        assert options.url("server") == url.rstrip("/")
    else:
        with pytest.raises(ConfigError, match="server: "):
            options.url("server")
    assert _options({"server": "http://x.example", "allow_plain_http": True}).url("server")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("192.0.2.53:5353", ("192.0.2.53", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
    ],
)
def test_host_port(text: str, expected: tuple[str, int]) -> None:
    assert _options({"s": text}).host_port("s", default_port=53, what="a server") == expected


@pytest.mark.parametrize("text", ["ns1.example.net", "192.0.2.1:0", "192.0.2.1:x", ""])
def test_host_port_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="s: expected a server as IP or IP:PORT"):
        _options({"s": text}).host_port("s", default_port=53, what="a server")


def test_fingerprint_changes_with_any_value_read_including_secrets() -> None:
    def fingerprint(token: str) -> str:
        options = _options({"provider": "duckdns", "token": token})
        options.string("provider", "")
        options.secret("token")
        return options.fingerprint()

    assert fingerprint("a") == fingerprint("a")
    assert fingerprint("a") != fingerprint("b")
