"""Schema-driven fuzzing (schemathesis) of the API of a real provider on 127.0.0.1.

The provider runs in its own thread and event loop, as ``homing serve`` does,
so schemathesis's synchronous client talks to it over loopback HTTP. Every
generated request must get an answer the schema describes, and never a 5xx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from homing.config import Settings
from homing.core.admin import Admin
from homing.core.api_tokens import ApiTokens
from homing.store.store import Store
from support import provider_in_thread

MAX_EXAMPLES = 15
KNOWN = {
    "fqdn": "home.dyn.example",
    "zone": "dyn.example",
    "name": "alice",
    "rtype": "TXT",
    "token_id": "1",
}
OPERATIONS = 33
"""Every operation of the table: a new one must be fuzzed too (and counted here)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


async def _seed(path: Path) -> str:
    store = await Store.open(path)
    try:
        admin = Admin(store=store, origin="seed")
        await admin.add_zone("dyn.example")
        await admin.add_user("root", password=None, admin=True)
        await admin.add_user("alice", password=None)
        await admin.add_host("home.dyn.example", owner="root")
        _, secret = await ApiTokens(store=store).create(user="root", name="fuzz")
        return secret
    finally:
        await store.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("fuzz")
    # Private webhooks allowed: the test alerts go to a dead loopback port (see below).
    config = Settings(
        data_dir=data,
        dns_listen=["127.0.0.1:0"],
        http_listen="127.0.0.1:0",
        alert_webhook_private=True,
    )
    secret = asyncio.run(_seed(config.database))
    with provider_in_thread(config) as base_url:
        yield base_url, secret


def test_no_operation_answers_outside_its_schema(served: tuple[str, str]) -> None:
    base_url, secret = served
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATIONS
    for operation in operations:
        if operation.path == "/api/v1/me/alerts/test":
            # Earlier PUT cases leave random webhooks behind; a dead loopback port instead keeps
            # the test alerts off the network (loopback only in tests).
            put = httpx.put(
                f"{base_url}/api/v1/me/alerts",
                headers=headers,
                json={"webhook": "http://127.0.0.1:9/hook"},
            )
            assert put.status_code == 200

        @given(case=operation.as_strategy(), known=st.booleans())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case, known: bool) -> None:
            if known and case.method != "DELETE" and case.path_parameters:
                # Half the cases name things that exist, so handlers get past the lookup.
                case.path_parameters = {k: KNOWN[k] for k in case.path_parameters}
            response = case.call(base_url=base_url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        run()
