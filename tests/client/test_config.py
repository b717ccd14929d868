"""The client config: a good file becomes typed targets; each bad one is one clear line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homing.client.addresses import Family
from homing.client.config import load_client_config
from homing.client.detect.interface import InterfaceSettings
from homing.client.detect.web import WebSettings
from homing.client.providers.cloudflare import CloudflareSettings
from homing.client.providers.dyndns2 import Dyndns2Settings
from homing.client.providers.homing import HomingSettings
from homing.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
state_file = "{state}"

[ipv4]
source = "web"

[ipv6]
source = "interface"
interface = "eth0"

[[update]]
provider = "homing"
server = "https://ddns.example.net"
username = "alice"
token_env = "HOMING_TOKEN"
names = ["home.example.net", "NAS.example.net."]

[[update]]
provider = "dyndns2"
server = "https://members.example.com"
username = "bob"
password_file = "{secret}"
names = ["bob.example.com"]
families = ["ipv4"]

[[update]]
provider = "cloudflare"
token = "cf"
names = ["www.example.org"]
dns_server = "192.0.2.53"
"""


def _write(tmp_path: Path, text: str) -> Path:
    secret = tmp_path / "secret"
    secret.write_text("pw\n")
    path = tmp_path / "client.toml"
    path.write_text(text.format(state=tmp_path / "state.json", secret=secret))
    return path


def test_good_config_becomes_typed_targets(tmp_path: Path) -> None:
    config = load_client_config(_write(tmp_path, GOOD), environ={"HOMING_TOKEN": "t0k"})
    assert config.state_file == tmp_path / "state.json"
    assert [t.key for t in config.targets] == [
        "homing:home.example.net",
        "homing:nas.example.net",
        "dyndns2:bob.example.com",
        "cloudflare:www.example.org",
    ]
    homing = config.targets[0]
    assert isinstance(homing.settings, HomingSettings)
    assert homing.settings.token.value == "t0k"
    assert homing.families == {Family.IPV4, Family.IPV6}
    dyndns2 = config.targets[2].settings
    assert isinstance(dyndns2, Dyndns2Settings)
    assert dyndns2.url == "https://members.example.com/nic/update"
    assert dyndns2.password.value == "pw"
    assert config.targets[2].families == {Family.IPV4}
    assert isinstance(config.targets[3].settings, CloudflareSettings)
    assert config.targets[3].dns_server == ("192.0.2.53", 53)
    web = config.sources[Family.IPV4]
    assert isinstance(web, WebSettings)
    assert web.urls[0] == "https://ddns.example.net/ip"  # the Homing server's echo comes first
    assert isinstance(config.sources[Family.IPV6], InterfaceSettings)


def test_fingerprint_follows_the_secret(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    first = load_client_config(path, environ={"HOMING_TOKEN": "a"})
    again = load_client_config(path, environ={"HOMING_TOKEN": "a"})
    changed = load_client_config(path, environ={"HOMING_TOKEN": "b"})
    assert first.targets[0].fingerprint == again.targets[0].fingerprint
    assert first.targets[0].fingerprint != changed.targets[0].fingerprint
    assert first.targets[2].fingerprint == changed.targets[2].fingerprint


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'provider = "dyndns2"',
            'provider = "dyndsn2"',
            r":18: update\[2\]\.provider: 'dyndsn2' is not a provider "
            r"\(did you mean 'dyndns2'\?\); `homing client providers` lists them",
        ),
        (
            'username = "bob"',
            'usernme = "bob"',
            r":20: update\[2\]\.usernme: unknown key "
            r"\(did you mean 'username'\?\)",
        ),
        (
            'token = "cf"',
            'tokn = "cf"',
            r":27: update\[3\]\.tokn: unknown key "
            r"\(did you mean 'token'\?\)",
        ),
        (
            'token = "cf"',
            "ttl = 60",
            r":25: update\[3\]: missing credential: set token, "
            r"token_file or token_env",
        ),
        ('source = "web"', 'source = "webb"', r":4: ipv4\.source: 'webb' is not one of"),
        ('interface = "eth0"', 'interfase = "eth0"', r":8: ipv6\.interfase: unknown key"),
        ('families = ["ipv4"]', 'families = ["ipv5"]', r":23: update\[2\]\.families: 'ipv5'"),
        (
            'server = "https://members.example.com"',
            'server = "http://members.example.com"',
            r":19: update\[2\]\.server: plain http would send credentials in clear",
        ),
        (
            'state_file = "',
            'stat_file = "',
            r":1: stat_file: unknown key \(did you mean "
            r"'state_file'\?\)",
        ),
        ('names = ["bob.example.com"]', 'names = ["bob..example.com"]', r"update\[2\]\.names: "),
        ('names = ["bob.example.com"]', 'names = ["home.example.net"]\nprovider_ = 1', "provider_"),
        (
            'dns_server = "192.0.2.53"',
            'dns_server = "ns1.example.org:99999"',
            r"update\[3\]\.dns_server",
        ),
        (
            '[[update]]\nprovider = "cloudflare"',
            '[[update]]\nprovider = "homing"',
            r"update\[3\]\.server: missing",
        ),
        ("password_file", "password_env", r"update\[2\]\.password_env: environment variable"),
        ("[ipv4]", "[ipv4]\nsource = 'web'\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_with_file_line_key_and_hint(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_client_config(path, environ={"HOMING_TOKEN": "t"})
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert re.search(expected, message), message


def test_family_without_source_and_empty_files(tmp_path: Path) -> None:
    text = GOOD.replace('[ipv6]\nsource = "interface"\ninterface = "eth0"\n', "")
    path = _write(tmp_path, text.replace('["ipv4"]', '["ipv4", "ipv6"]'))
    with pytest.raises(ConfigError, match=r"families: ipv6 has no source: add an \[ipv6\] table"):
        load_client_config(path, environ={"HOMING_TOKEN": "t"})
    only_sources = tmp_path / "sources.toml"
    only_sources.write_text('[ipv4]\nsource = "web"\n')
    with pytest.raises(ConfigError, match=r"nothing to update: add an \[\[update\]\] table"):
        load_client_config(only_sources)
    only_updates = tmp_path / "updates.toml"
    only_updates.write_text('[[update]]\nprovider = "duckdns"\ntoken = "t"\nnames = ["a"]\n')
    with pytest.raises(ConfigError, match=r"no address source"):
        load_client_config(only_updates)
    with pytest.raises(ConfigError, match="cannot read client config"):
        load_client_config(tmp_path / "missing.toml")


def test_the_same_name_twice_at_one_provider_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace('"NAS.example.net."', '"HOME.example.net"'))
    with pytest.raises(ConfigError, match=r"home\.example\.net is already updated at homing"):
        load_client_config(path, environ={"HOMING_TOKEN": "t"})


def test_the_documented_example_loads(tmp_path: Path) -> None:
    """docs/client.md's complete example is a valid config (docs cannot drift)."""
    doc = (ROOT / "docs" / "client.md").read_text()
    example = re.search(r"```toml\n(.*?)```", doc, re.DOTALL)
    assert example is not None
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    text = example.group(1).replace("/etc/homing/", f"{secrets}/")
    for secret in re.findall(r'^\w+_file = "([^"]+)"', text, re.MULTILINE):
        if secret.endswith(".json"):
            continue
        Path(secret).write_text("c2VjcmV0\n")
    path = tmp_path / "client.toml"
    path.write_text(text.replace("/var/lib/homing-client/", f"{tmp_path}/"))
    environ = {name: "c2VjcmV0" for name in re.findall(r'_env = "([^"]+)"', text)}
    config = load_client_config(path, environ=environ)
    assert config.targets
    assert config.notify.webhook_url == "https://hooks.example.net/homing"
