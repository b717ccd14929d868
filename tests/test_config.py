"""Settings: precedence, validation messages that name the key, and docs that cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from homing.config import load_settings, parse_hostport, settings_markdown
from homing.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    config = tmp_path / "homing.toml"
    config.write_text(
        'http_listen = "127.0.0.1:1111"\nnochg_limit = 5\ntrusted_proxies = ["10.0.0.0/8"]\n'
    )
    settings = load_settings(config_file=config, environ={"HOMING_NOCHG_LIMIT": "7"})
    assert settings.http_listen == "127.0.0.1:1111"
    assert settings.nochg_limit == 7
    assert settings.trusted_proxies == ["10.0.0.0/8"]
    flagged = load_settings(
        config_file=config, environ={}, overrides={"http_listen": "127.0.0.1:2222"}
    )
    assert flagged.http_listen == "127.0.0.1:2222"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("nochg_limit = 'many'", "nochg_limit"),
        ("unknown_key = 1", "unknown_key"),
        ("address_policy = 'everything'", "address_policy"),
        ("trusted_proxies = ['not-a-net']", "trusted_proxies"),
        ("tls_cert = '/x.pem'", "tls_cert"),
        ("this is not toml", "not valid TOML"),
        ("dns_udp_max_payload = 100", "dns_udp_max_payload"),
        ("dns_udp_max_payload = 65535", "dns_udp_max_payload"),
        ("dns_rrl_slip = 101", "dns_rrl_slip"),
        ("dns_rrl_ipv4_prefix = 0", "dns_rrl_ipv4_prefix"),
        ("dns_tcp_max_per_source = 0", "dns_tcp_max_per_source"),
        ("dns_tcp_timeout_seconds = 0", "dns_tcp_timeout_seconds"),
        ("tls_acme_domains = ['a.example']", "needs tls_acme_directory"),
        ("tls_acme_directory = 'http://ca.example/dir'", "must be an https:// URL"),
        ("tls_acme_directory = 'https://ca.example/dir'", "name at least one domain"),
        (
            "tls_acme_directory = 'https://ca.example/dir'\ntls_acme_domains = ['a b.example']",
            "is not a domain name",
        ),
        (
            "tls_acme_directory = 'https://ca.example/dir'\ntls_acme_domains = ['x.example']\n"
            "tls_cert = '/c.pem'\ntls_key = '/k.pem'",
            "set one or the other",
        ),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "homing.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=key):
        load_settings(config_file=config, environ={})


def test_non_utf8_bytes_name_the_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "homing.toml"
    config.write_bytes(b"nochg_limit = 5\npublic_url = 'https://caf\xe9.example'\n")
    with pytest.raises(ConfigError, match=r"line 2: setting public_url holds bytes that are not"):
        load_settings(config_file=config, environ={})


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(config_file=tmp_path / "absent.toml", environ={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:53", ("127.0.0.1", 53)),
        ("[::1]:8053", ("::1", 8053)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
    ],
)
def test_parse_hostport(text: str, expected: tuple[str, int]) -> None:
    assert parse_hostport(text, setting="dns_listen") == expected


@pytest.mark.parametrize("text", ["::1:53", "localhost:53", "1.2.3.4", "1.2.3.4:99999", ":53"])
def test_parse_hostport_rejects(text: str) -> None:
    with pytest.raises(ConfigError, match="dns_listen"):
        parse_hostport(text, setting="dns_listen")


def test_settings_doc_is_current() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == settings_markdown(), (
        "docs/configuration.md is stale: run `homing settings > docs/configuration.md`"
    )
