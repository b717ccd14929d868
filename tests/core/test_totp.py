"""TOTP codes (RFC 6238): the drift window, one use per step, and the Authenticator's two steps."""

from __future__ import annotations

import pyotp
import pytest

from homing.core.auth import Authenticator
from homing.core.totp import matching_step, new_secret, provisioning_uri, qr_svg
from homing.domain.outcomes import AuthOutcome, FrontDoor
from support import Core

NOW = 1_800_000_015.0  # step 60_000_000, 15 s in
STEP = 60_000_000


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s: 94287082 (8 digits).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert pyotp.TOTP(secret, digits=8).at(59) == "94287082"
    assert matching_step(secret, pyotp.TOTP(secret).at(59), now=59, after=None) == 1


def test_a_code_matches_its_step_and_the_neighbours_only() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    assert len(secret) == 32
    assert matching_step(secret, totp.at(NOW), now=NOW, after=None) == STEP
    assert matching_step(secret, totp.at(NOW - 30), now=NOW, after=None) == STEP - 1
    assert matching_step(secret, totp.at(NOW + 30), now=NOW, after=None) == STEP + 1
    assert matching_step(secret, totp.at(NOW - 60), now=NOW, after=None) is None
    spaced = totp.at(NOW)[:3] + " " + totp.at(NOW)[3:]
    assert matching_step(secret, spaced, now=NOW, after=None) == STEP
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in totp.at(NOW))  # str.isdigit() says yes
    for junk in ("", "12345", "1234567", "abcdef", fullwidth):
        assert matching_step(secret, junk, now=NOW, after=None) is None


def test_a_step_already_used_does_not_match_again() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    assert matching_step(secret, code, now=NOW, after=STEP) is None
    assert matching_step(secret, code, now=NOW, after=STEP - 1) == STEP


def test_provisioning_uri_and_qr_code() -> None:
    uri = provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", user="alice@home")
    assert uri.startswith(
        "otpauth://totp/Homing:alice%40home?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    )
    assert "issuer=Homing" in uri
    svg = qr_svg(uri)
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def auth(core: Core, clock: Clock) -> Authenticator:
    await core.admin.add_user("alice", password="alice-password")
    return Authenticator(store=core.store, brake=core.brake, refusals=core.refusals, clock=clock)


async def _turn_on(auth: Authenticator, core: Core) -> pyotp.TOTP:
    user = await core.store.find_user("alice")
    assert user is not None
    secret = new_secret()
    await auth.two_factor.enable(user, secret=secret, code=pyotp.TOTP(secret).at(NOW))
    return pyotp.TOTP(secret)


async def test_the_password_alone_opens_nothing_once_totp_is_on(
    auth: Authenticator, core: Core
) -> None:
    totp = await _turn_on(auth, core)
    plain = await auth.basic(
        "alice", "alice-password", source="192.0.2.1", front_door=FrontDoor.DYNDNS2
    )
    assert (plain.outcome, plain.principal) == (AuthOutcome.BADAUTH, None)
    web = await auth.basic(
        "alice", "alice-password", source="192.0.2.1", front_door=FrontDoor.WEB, two_step=True
    )
    assert web.outcome is AuthOutcome.CODE_REQUIRED
    code = await auth.one_time_code(
        "alice", totp.at(NOW + 30), source="192.0.2.1", front_door=FrontDoor.WEB
    )
    assert code.outcome is AuthOutcome.OK and code.principal is not None
    assert code.principal.credential == "password:alice"
    await core.writer.sync()
    (row,) = await core.store.history()
    assert row.outcome == "badauth" and "two-factor" in (row.detail or "")


async def test_a_code_is_accepted_once_then_refused_within_its_window(
    auth: Authenticator, core: Core, clock: Clock
) -> None:
    totp = await _turn_on(auth, core)
    enabling_code = totp.at(NOW)
    again = await auth.one_time_code("alice", enabling_code, source=None, front_door=FrontDoor.WEB)
    assert again.outcome is AuthOutcome.BADAUTH  # used to turn it on
    clock.now = NOW + 30
    fresh = totp.at(clock.now)
    first = await auth.one_time_code("alice", fresh, source=None, front_door=FrontDoor.WEB)
    replay = await auth.one_time_code("alice", fresh, source=None, front_door=FrontDoor.WEB)
    assert (first.outcome, replay.outcome) == (AuthOutcome.OK, AuthOutcome.BADAUTH)
    user = await core.store.find_user("alice")
    assert user is not None and user.totp_last_step == STEP + 1


async def test_wrong_codes_lock_out_and_a_right_password_does_not_reset_the_count(
    auth: Authenticator, core: Core
) -> None:
    totp = await _turn_on(auth, core)
    source = "192.0.2.9"
    for _ in range(5):  # 5 failures per address lock it out; passwords in between reset nothing
        step = await auth.basic(
            "alice", "alice-password", source=source, front_door=FrontDoor.WEB, two_step=True
        )
        assert step.outcome is AuthOutcome.CODE_REQUIRED
        wrong = await auth.one_time_code("alice", "000000", source=source, front_door=FrontDoor.WEB)
        assert wrong.outcome is AuthOutcome.BADAUTH
    locked = await auth.one_time_code(
        "alice", totp.at(NOW + 30), source=source, front_door=FrontDoor.WEB
    )
    assert locked.outcome is AuthOutcome.ABUSE
    password = await auth.basic(
        "alice", "alice-password", source=source, front_door=FrontDoor.WEB, two_step=True
    )
    assert password.outcome is AuthOutcome.ABUSE


async def test_enabling_needs_a_matching_code_and_turning_off_clears_the_secret(
    auth: Authenticator, core: Core
) -> None:
    user = await core.store.find_user("alice")
    assert user is not None
    secret = new_secret()
    with pytest.raises(Exception, match="does not match"):
        await auth.two_factor.enable(user, secret=secret, code=pyotp.TOTP(secret).at(NOW - 90))
    assert not (await core.store.find_user("alice")).has_totp  # type: ignore[union-attr]
    await auth.two_factor.enable(user, secret=secret, code=pyotp.TOTP(secret).at(NOW))
    assert (await core.store.find_user("alice")).has_totp  # type: ignore[union-attr]
    assert await auth.two_factor.turn_off("alice") is True
    after = await core.store.find_user("alice")
    assert after is not None and (after.totp_secret, after.totp_last_step) == (None, None)
    assert await auth.two_factor.turn_off("alice") is False
