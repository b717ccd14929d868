"""Bearer authentication: missing, unknown, revoked and expired tokens; the failure brake."""

from __future__ import annotations

from datetime import timedelta

from homing.core.credentials import token_hash

from .conftest import Api, bearer


async def test_no_token_is_401_with_a_bearer_challenge(api: Api) -> None:
    answer = await api.client.get("/api/v1/hosts")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "missing_token"
    assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_basic_auth_is_not_a_bearer_token(api: Api) -> None:
    answer = await api.client.get("/api/v1/hosts", auth=("alice", "any-password"))
    assert answer.json()["error"]["code"] == "missing_token"


async def test_unknown_token_is_401_and_kept_in_the_history(api: Api) -> None:
    answer = await api.client.get("/api/v1/hosts", headers=bearer("hm_api_guessed"))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_token"
    await api.core.writer.sync()
    [row] = await api.core.store.history()
    assert (row.outcome, row.front_door, row.source) == ("badauth", "api", "198.51.100.30")


async def test_an_update_token_is_not_an_api_token(api: Api) -> None:
    _, update_token = await api.core.admin.create_token(host="home.dyn.example")
    answer = await api.client.get("/api/v1/hosts", headers=bearer(update_token))
    assert answer.json()["error"]["code"] == "invalid_token"


async def test_revoked_token_is_refused(api: Api) -> None:
    me = await api.client.get("/api/v1/me", headers=api.alice)
    await api.tokens.revoke(me.json()["token"]["id"])
    answer = await api.client.get("/api/v1/me", headers=api.alice)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_token"


async def test_expired_token_is_refused(api: Api) -> None:
    row, secret = await api.tokens.create(user="alice", name="short", lifetime=timedelta(0))
    assert row.expires_at is not None
    answer = await api.client.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_expired"


async def test_a_token_that_has_not_expired_works(api: Api) -> None:
    headers = await api.token("alice", lifetime=timedelta(days=1))
    answer = await api.client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["token"]["expires_at"].endswith("Z")


async def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    secret = api.alice["Authorization"].removeprefix("Bearer ")
    assert secret.startswith("hm_api_") and len(secret) >= len("hm_api_") + 32
    raw = api.core.store.path.read_bytes()
    assert secret.encode() not in raw
    row = await api.core.store.find_api_token(token_hash(secret))
    assert row is not None and secret.startswith(row.prefix)


async def test_repeated_failures_lock_the_address_out_with_429(api: Api) -> None:
    codes = []
    for attempt in range(6):
        answer = await api.client.get("/api/v1/me", headers=bearer(f"hm_api_wrong{attempt}"))
        codes.append(answer.status_code)
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    assert answer.json()["error"]["code"] == "too_many_attempts"
    assert answer.headers["retry-after"] == "900"
    # Locked out means locked out: even a good token waits.
    assert (await api.client.get("/api/v1/me", headers=api.alice)).status_code == 429


async def test_unknown_api_path_and_wrong_method_answer_json(api: Api) -> None:
    missing = await api.client.get("/api/v1/nothing/here", headers=api.alice)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = await api.client.put("/api/v1/hosts", headers=api.alice)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET, POST"
