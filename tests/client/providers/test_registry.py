"""The provider listing cannot drift: each provider parses with exactly the keys it lists."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from homing.client.commands import provider_lines
from homing.client.config import load_client_config
from homing.client.options import ConfigText, Options
from homing.client.providers.registry import PROVIDERS
from homing.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
VALUES: dict[str, Any] = {
    "server": "https://api.example.net",
    "api_url": "https://api.example.net/client/v4",
    "api_server": "https://api.example.net/api/v1",
    "allow_plain_http": False,
    "ttl": 600,
    "proxied": True,
    "timeout_seconds": 5,
    "key_algorithm": "hmac-sha256",
    "key_secret": base64.b64encode(b"0123456789abcdef").decode(),
    "zone": "example.net",
    "domain": "example.net",
    "contact": "ops@example.net",
    "customer_number": "123456",
}
SPECIAL = {("rfc2136", "server"): "192.0.2.53:53"}


def _value(provider: str, key: str) -> Any:
    return SPECIAL.get((provider, key), VALUES.get(key, f"{key}-value"))


def _parse(provider: str, keys: tuple[str, ...]) -> None:
    values = {k: _value(provider, k) for k in keys}
    options = Options(values, text=ConfigText(Path("client.toml"), ""), table="update", index=0)
    PROVIDERS[provider].parse(options)
    options.finish()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_listed_keys_are_the_keys_the_provider_reads(provider: str) -> None:
    info = PROVIDERS[provider]
    needed = info.required + info.either[:1]
    _parse(provider, needed)
    for key in (*info.optional, *info.either[1:]):
        if key == "api_url":
            continue  # an older spelling of server: one of the two, tried below
        _parse(provider, (*needed, key))
    for key in info.required:
        with pytest.raises(ConfigError):
            _parse(provider, tuple(k for k in needed if k != key))
    with pytest.raises(ConfigError, match="unknown key"):
        _parse(provider, (*needed, "no_such_key"))
    if "api_url" in info.optional:
        _parse(provider, (*needed, "api_url"))


def test_providers_command_lists_every_provider() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "homing", "client", "providers"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == provider_lines()
    listed = [line.split(":")[0] for line in provider_lines() if line and line[0] != " "]
    assert listed[1:] == list(PROVIDERS)


def test_loading_a_config_imports_only_the_providers_it_names(tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    path.write_text(
        '[ipv4]\nsource = "command"\ncommand = ["true"]\n'
        '[[update]]\nprovider = "hetzner"\ntoken = "t"\nnames = ["home.example.net"]\n'
    )
    code = (
        "import sys; from pathlib import Path; "
        "from homing.client.config import load_client_config; "
        f"load_client_config(Path({str(path)!r})); "
        "print(sorted(m for m in sys.modules if m.startswith('homing.client.providers.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(eval(result.stdout))  # a printed list of module names
    assert "homing.client.providers.hetzner" in loaded
    assert not {f"homing.client.providers.{m}" for m in ("porkbun", "gandi", "namecheap")} & loaded


def _sections() -> dict[str, str]:
    doc = (ROOT / "docs" / "client.md").read_text()
    parts = re.split(r"^### `([a-z0-9]+)`", doc, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_provider_has_a_section_whose_example_loads(provider: str, tmp_path: Path) -> None:
    section = _sections().get(provider)
    assert section is not None, f"docs/client.md has no ### `{provider}` section"
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example is not None, f"the {provider} section has no toml example"
    text = example.group(1)
    assert f'provider = "{provider}"' in text
    for secret in re.findall(r'^\w+_file = "([^"]+)"', text, re.MULTILINE):
        text = text.replace(secret, str(tmp_path / Path(secret).name))
        (tmp_path / Path(secret).name).write_text(VALUES["key_secret"] + "\n")
    families = "ipv4" if len(PROVIDERS[provider].families) == 1 else "ipv4 ipv6"
    sources = "".join(f'[{f}]\nsource = "command"\ncommand = ["true"]\n' for f in families.split())
    path = tmp_path / "client.toml"
    path.write_text(sources + text)
    environ = {name: "c2VjcmV0" for name in re.findall(r'_env = "([^"]+)"', text)}
    config = load_client_config(path, environ=environ)
    assert {t.provider for t in config.targets} == {provider}
