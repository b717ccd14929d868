"""The OpenAPI document is valid OpenAPI 3.1 and describes every route; the docs page is local."""

from __future__ import annotations

import re

from openapi_spec_validator import validate
from starlette.routing import Route

from homing.config import Settings
from homing.http.api import operations
from homing.http.api.operations import PREFIX
from homing.http.app import build_http_app
from support import Core, http_context

from .conftest import Api


async def test_document_is_valid_openapi(api: Api) -> None:
    answer = await api.client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    validate(document)


async def test_every_route_is_in_the_document(core: Core, api: Api) -> None:
    document = (await api.client.get("/api/v1/openapi.json")).json()
    app = build_http_app(http_context(core, Settings()))
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    served = set()
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith(PREFIX):
            continue
        if route.path in {f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/{{rest:path}}"}:
            continue
        for op in operations():
            if PREFIX + op.path == route.path:
                served.add((re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), op.method))
    assert served == described
    assert len(described) == len(operations())


async def test_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(api: Api) -> None:
    answer = await api.client.get("/api/v1/docs")
    assert answer.status_code == 200
    page = answer.text
    for op in operations():
        assert f"data-method={op.method} data-path='{PREFIX}{op.path}'" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
