"""acme-dns accounts over the real writer and store: registration, updates, refusals, removal."""

from __future__ import annotations

import asyncio

import pytest

from homing.core.acme import AcmeAccounts, AcmeCredentials, AcmeOutcome, AcmeUpdates
from homing.core.brake import Brake, BrakeLimits
from homing.core.credentials import token_hash
from homing.domain.outcomes import FrontDoor
from homing.domain.records import ZoneChange
from homing.errors import ConfigError, ConflictError, InputError, NotFoundError
from support import Core

A, B, C = ("A" * 43, "B" * 43, "C" * 43)


def services(
    core: Core, zone: str | None = None, max_failures: int = 10
) -> tuple[AcmeAccounts, AcmeUpdates]:
    return (
        AcmeAccounts(store=core.store, origin="acme-test", zone=zone),
        AcmeUpdates(
            store=core.store,
            writer=core.writer,
            brake=Brake(limits=BrakeLimits(max_failures=max_failures, window=60, lockout=60)),
            refusals=core.refusals,
        ),
    )


async def register(accounts: AcmeAccounts, allowfrom: object = None) -> AcmeCredentials:
    return await accounts.register(
        allowfrom=allowfrom, source="192.0.2.1", front_door=FrontDoor.ACMEDNS
    )


async def txt_at(core: Core, name: str) -> list[str]:
    async with core.store.read() as txn:
        zone = await txn.zone("dyn.example.")
        assert zone is not None
        return [r.rdata for r in await txn.records_named(zone.id, [name]) if r.rtype == "TXT"]


async def test_register_stores_only_a_hash_and_needs_a_zone(core: Core) -> None:
    accounts, _ = services(core)
    with pytest.raises(ConfigError, match="setting acme_zone: no zone exists"):
        await register(accounts)
    await core.admin.add_zone("dyn.example")
    account = await register(accounts, ["192.0.2.0/24"])
    assert len(account.password) == 40 and account.fulldomain.endswith(".dyn.example")
    assert account.fulldomain == f"{account.subdomain}.dyn.example"
    row = await core.store.find_acme_account(account.username)
    assert row is not None and row.key_hash == token_hash(account.password)
    assert account.password not in repr(row)
    assert row.allowfrom == ("192.0.2.0/24",)
    with pytest.raises(InputError):
        await register(accounts, ["192.0.2.1"])
    await core.admin.add_zone("other.example")
    with pytest.raises(ConfigError, match="setting acme_zone: 2 zones exist"):
        await register(accounts)
    chosen, _ = services(core, zone="other.example")
    assert (await register(chosen)).fulldomain.endswith(".other.example")


async def test_update_publishes_through_the_writer_and_keeps_two(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    accounts, updates = services(core)
    account = await register(accounts)
    name = account.fulldomain + "."
    for value in (A, B, C):
        outcome = await updates.update(
            username=account.username,
            key=account.password,
            subdomain=account.subdomain,
            txt=value,
            source="198.51.100.7",
        )
        assert outcome is AcmeOutcome.OK
    assert await txt_at(core, name) == [f'"{B}"', f'"{C}"']
    changes = [e for e in core.events if isinstance(e, ZoneChange)]
    assert len(changes) == 3 and changes[-1].serial > changes[0].serial
    history = await core.store.history(limit=1)
    assert history[0].front_door == "acmedns" and history[0].fqdn == name
    assert history[0].credential == f"acmedns:{account.username}"


async def test_concurrent_updates_keep_both_values(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    accounts, updates = services(core)
    account = await register(accounts)
    outcomes = await asyncio.gather(
        *(
            updates.update(
                username=account.username,
                key=account.password,
                subdomain=account.subdomain,
                txt=value,
                source=None,
            )
            for value in (A, B)
        )
    )
    assert outcomes == [AcmeOutcome.OK, AcmeOutcome.OK]
    assert sorted(await txt_at(core, account.fulldomain + ".")) == [f'"{A}"', f'"{B}"']


async def test_refusals_change_nothing(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    accounts, updates = services(core)
    mine = await register(accounts, ["192.0.2.0/24"])
    other = await register(accounts)
    good = {
        "username": mine.username,
        "key": mine.password,
        "subdomain": mine.subdomain,
        "txt": A,
        "source": "192.0.2.5",
    }
    cases: list[tuple[dict[str, object], AcmeOutcome]] = [
        ({"key": other.password}, AcmeOutcome.FORBIDDEN),
        ({"username": "nobody"}, AcmeOutcome.FORBIDDEN),
        ({"username": ""}, AcmeOutcome.FORBIDDEN),
        ({"source": "198.51.100.1"}, AcmeOutcome.FORBIDDEN),
        ({"source": None}, AcmeOutcome.FORBIDDEN),
        ({"subdomain": other.subdomain}, AcmeOutcome.FORBIDDEN),
        ({"subdomain": "a.b"}, AcmeOutcome.BAD_SUBDOMAIN),
        ({"subdomain": None}, AcmeOutcome.BAD_SUBDOMAIN),
        ({"txt": A[:-1]}, AcmeOutcome.BAD_TXT),
        ({"txt": A[:-1] + "="}, AcmeOutcome.BAD_TXT),
        ({"txt": None}, AcmeOutcome.BAD_TXT),
    ]
    await core.writer.sync()
    before = len(core.events)
    for change, expected in cases:
        assert await updates.update(**{**good, **change}) is expected, change  # type: ignore[arg-type]
    await core.writer.sync()
    assert len(core.events) == before
    for account in (mine, other):
        assert await txt_at(core, account.fulldomain + ".") == []
    refused = [h for h in await core.store.history(limit=20) if h.outcome == "badauth"]
    assert {h.detail for h in refused} >= {
        "wrong acme-dns user or key",
        "address not in the account's allowfrom",
        "subdomain of another account",
    }


async def test_guessing_locks_the_address_out(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    accounts, updates = services(core, max_failures=3)
    account = await register(accounts)
    for _ in range(3):
        outcome = await updates.update(
            username=account.username, key="wrong", subdomain=account.subdomain, txt=A,
            source="203.0.113.66",
        )  # fmt: skip
        assert outcome is AcmeOutcome.FORBIDDEN
    locked = await updates.update(
        username=account.username, key=account.password, subdomain=account.subdomain, txt=A,
        source="203.0.113.66",
    )  # fmt: skip
    assert locked is AcmeOutcome.FORBIDDEN


async def test_remove_clears_the_name_and_hosts_cannot_take_it(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("mallory", password="mallory-password")
    accounts, updates = services(core)
    account = await register(accounts)
    with pytest.raises(ConflictError):
        await core.admin.add_host(account.fulldomain, owner="mallory")
    await updates.update(
        username=account.username, key=account.password, subdomain=account.subdomain, txt=A,
        source=None,
    )  # fmt: skip
    removed = await accounts.remove(account.username)
    assert removed.fqdn == account.fulldomain + "."
    assert await txt_at(core, removed.fqdn) == []
    assert await core.store.find_acme_account(account.username) is None
    await core.writer.sync()  # the server's writer follows the journaled removal
    last = [e for e in core.events if isinstance(e, ZoneChange)][-1]
    assert [r.name for r in last.removed] == [removed.fqdn]
    with pytest.raises(NotFoundError):
        await accounts.remove(account.username)
