"""Secrets in URLs never reach a log line or an error text (httpx's request log included)."""

from __future__ import annotations

import asyncio
import io
import logging

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.client.providers.answers import send
from homing.redact import RedactingFormatter, redact_url, redact_urls

TOKEN = "hm_3f9a0c7d1e2b4a6c8d0e1f2a3b4c5d6e"


def test_query_credentials_are_masked_and_update_fields_kept() -> None:
    url = f"https://www.duckdns.org/update?domains=home&token={TOKEN}&ip=192.0.2.1"
    assert redact_url(url) == "https://www.duckdns.org/update?domains=home&token=***&ip=192.0.2.1"
    namecheap = "https://dynamicdns.park-your-domain.com/update?host=@&domain=x&password=pw"
    assert "pw" not in redact_url(namecheap).rpartition("=")[2]
    assert redact_url(f"https://freedns.afraid.org/dynamic/update.php?{TOKEN}").endswith("?***")
    assert TOKEN not in redact_url(f"https://sync.afraid.org/u/{TOKEN}/")
    assert redact_url("http://alice:hunter2@127.0.0.1:8080/nic/update?hostname=h") == (
        "http://alice:***@127.0.0.1:8080/nic/update?hostname=h"
    )


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8))
def test_no_token_value_survives(secret: str) -> None:
    text = f"failed: GET http://h.example/update?token={secret} (x)"
    shown = redact_urls(text)
    assert shown.startswith("failed: GET http://h.example/update?")
    assert f"token={secret}" not in shown


async def test_httpx_request_log_and_error_text_are_redacted() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter(logging.Formatter("%(name)s: %(message)s")))
    httpx_log = logging.getLogger("httpx")
    level = httpx_log.level
    httpx_log.addHandler(handler)
    httpx_log.setLevel(logging.INFO)
    try:
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/update?domains=home&token={TOKEN}"
            assert (await client.get(url)).text == "OK"
            server.close()
            await server.wait_closed()
            failed = await send(client, "GET", url)
    finally:
        httpx_log.removeHandler(handler)
        httpx_log.setLevel(level)
    logged = out.getvalue()
    assert "HTTP Request: GET" in logged and "token=***" in logged and TOKEN not in logged
    assert not isinstance(failed, httpx.Response) and TOKEN not in failed.text
