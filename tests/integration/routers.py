"""Raw HTTP requests exactly as routers' firmware sends them (request line, headers, no escaping).

httpx would normalise what matters here (escaping, HTTP/1.0, the absolute
request target), so the shapes are written byte for byte to a socket.
"""

from __future__ import annotations

import base64
import socket
from dataclasses import dataclass

TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def send(
    port: int,
    target: str,
    *,
    method: str = "GET",
    version: str = "HTTP/1.1",
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to 127.0.0.1:``port``; ``target`` goes on the request line unchanged."""
    lines = [f"{method} {target} {version}"]
    sent = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
    lines += [f"{name}: {value}" for name, value in sent.items()]
    if method == "POST":
        lines.append("Content-Length: 0")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return Answer(status=int(status_line.split()[1]), headers=parsed, body=body.decode())


def basic(login: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}
