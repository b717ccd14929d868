"""One ACME order (RFC 8555) answered over DNS-01, with certbot's ``acme`` library.

The library is synchronous (requests underneath), so an order runs in a
thread; the TXT records it needs are published through ``Challenges``, which
the caller implements on the server's own write path, and withdrawn again
whether the order succeeds or not. The account key is made once and kept, so
the CA sees the same account at every renewal; the certificate's key is new
each time (ECDSA P-256).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from acme import challenges, client, crypto_util, errors, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from josepy.jwa import ES256
from josepy.jwk import JWKEC

from homing.tls.stored import write_private

log = logging.getLogger(__name__)

ORDER_TIMEOUT_SECONDS = 120
NETWORK_TIMEOUT_SECONDS = 30
USER_AGENT = "homing"


class Challenges(Protocol):
    """Publishes and withdraws the TXT values of DNS-01 (name → values, names absolute)."""

    def publish(self, values: Mapping[str, list[str]]) -> None: ...

    def withdraw(self, values: Mapping[str, list[str]]) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest:
    directory: str
    domains: list[str]
    email: str | None
    ca_bundle: Path | None
    account_key: Path


@dataclass(frozen=True, slots=True)
class Issued:
    key_pem: bytes
    chain_pem: bytes


class OrderError(Exception):
    """The CA did not issue; the message says what it answered."""


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _account_jwk(path: Path) -> JWKEC:
    """The account key, made on first use and kept next to the certificate."""
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise OrderError(f"{path} is not an ECDSA key; remove it to make a new account")
        return JWKEC(key=loaded)
    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(path, _pem(key))
    return JWKEC(key=key)


def _client(request: OrderRequest, jwk: JWKEC) -> client.ClientV2:
    net = client.ClientNetwork(
        jwk, alg=ES256, user_agent=USER_AGENT, timeout=NETWORK_TIMEOUT_SECONDS
    )
    if request.ca_bundle is not None:
        # requests takes a CA bundle's path where acme's annotation says bool.
        net.verify_ssl = str(request.ca_bundle)  # type: ignore[assignment]
    directory = client.ClientV2.get_directory(request.directory, net)
    acme = client.ClientV2(directory, net=net)
    registration = messages.NewRegistration.from_data(
        email=request.email, terms_of_service_agreed=True
    )
    try:
        acme.new_account(registration)
    except errors.ConflictError as known:
        # The key has an account already: use it (RFC 8555 7.3.1).
        net.account = messages.RegistrationResource(
            uri=known.location, body=messages.Registration()
        )
    return acme


def order(request: OrderRequest, txt: Challenges) -> Issued:
    """Get a certificate for ``request.domains``; raises OrderError when the CA refuses."""
    jwk = _account_jwk(request.account_key)
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = _pem(key)
    try:
        acme = _client(request, jwk)
        placed = acme.new_order(crypto_util.make_csr(key_pem, request.domains))
        values: dict[str, list[str]] = {}
        answers: list[messages.ChallengeBody] = []
        for authorization in placed.authorizations:
            if authorization.body.status == messages.STATUS_VALID:
                continue
            domain = authorization.body.identifier.value
            challenge = next(
                (c for c in authorization.body.challenges if isinstance(c.chall, challenges.DNS01)),
                None,
            )
            if challenge is None:
                raise OrderError(f"the CA offers no dns-01 challenge for {domain}")
            assert isinstance(challenge.chall, challenges.DNS01)
            name = challenge.chall.validation_domain_name(domain).rstrip(".").lower() + "."
            values.setdefault(name, []).append(challenge.chall.validation(jwk))
            answers.append(challenge)
        txt.publish(values)
        try:
            for challenge in answers:
                acme.answer_challenge(challenge, challenge.chall.response(jwk))
            deadline = dt.datetime.now() + dt.timedelta(seconds=ORDER_TIMEOUT_SECONDS)
            done = acme.poll_and_finalize(placed, deadline)
        finally:
            txt.withdraw(values)
    except errors.Error as exc:
        raise OrderError(f"the CA refused: {exc}") from exc
    except OSError as exc:
        raise OrderError(f"cannot reach the CA: {exc}") from exc
    log.info("ACME: certificate issued for %s", ", ".join(request.domains))
    return Issued(key_pem=key_pem, chain_pem=done.fullchain_pem.encode())
