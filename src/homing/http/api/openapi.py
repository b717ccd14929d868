"""The OpenAPI 3.1 document, built from the route table, and the docs page that reads it.

``/api/v1/openapi.json`` is generated from the same ``Operation`` list the
routes come from, so every route is described. ``/api/v1/docs`` is one
self-contained page (no CDN, nothing loaded from elsewhere): each operation
with a small form that sends the request with your token and shows the answer.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

from homing import __version__
from homing.http.api.errors import ERROR_CODES
from homing.http.api.operations import Operation, openapi_path
from homing.http.api.schemas import COMPONENTS

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed JSON",
    401: "Missing, unknown, revoked or expired token",
    403: "Not allowed for this token (read-only, scope, not an admin)",
    404: "No such resource, or not yours",
    405: "Method not allowed",
    409: "Conflicts with an existing resource",
    413: "Body too large",
    415: "Body is not JSON",
    422: "A field or parameter is invalid (see `error.field`)",
    429: "Too many failed authentications; see Retry-After",
}


def _error_ref() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _operation(op: Operation) -> dict[str, Any]:
    path_params = re.findall(r"\{(\w+)(?::\w+)?\}", op.path)
    parameters: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in path_params
    ]
    parameters += [
        {"name": q.name, "in": "query", "description": q.description, "schema": q.schema}
        for q in op.query
    ]
    responses: dict[str, Any] = {str(op.status): {"description": STATUS_TEXT[op.status]}}
    if op.response is not None:
        responses[str(op.status)]["content"] = {"application/json": {"schema": op.response}}
    errors = set(op.errors) | {405}
    if op.request is not None:
        errors |= {400, 413, 415, 422}
    if op.query:
        errors.add(422)
    for status in sorted(errors):
        responses[str(status)] = {"description": STATUS_TEXT[status], "content": _error_ref()}
    document: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.request is not None:
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{op.request}"}}
            },
        }
    return document


def _example_properties(component: str) -> dict[str, Any]:
    """The request's fields for the docs page; for a choice (oneOf), the first one's."""
    schema = COMPONENTS[component]
    if "oneOf" in schema:
        return _example_properties(schema["oneOf"][0]["$ref"].rsplit("/", 1)[-1])
    properties: dict[str, Any] = schema["properties"]
    return properties


def document(operations: list[Operation]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(op)
    codes = "\n".join(f"* `{c}` ({s}): {m}" for c, (s, m) in ERROR_CODES.items())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Homing REST API",
            "version": __version__,
            "description": (
                "Manage hosts, records, update tokens and history of a Homing Dynamic DNS "
                "provider. Authenticate with `Authorization: Bearer hm_api_...`.\n\n"
                'Errors are `{"error": {"code", "message", "field"}}`; codes:\n\n' + codes
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "hm_api_..."}
            },
        },
    }


_SCRIPT = """
const out = (form, text) => { form.querySelector("pre").textContent = text; };
for (const form of document.querySelectorAll("form.op")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let path = form.dataset.path;
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll("input[data-in]")) {
      if (input.dataset.in === "path") {
        path = path.replace("{" + input.name + "}", encodeURIComponent(input.value));
      } else if (input.value) {
        query.set(input.name, input.value);
      }
    }
    const token = document.getElementById("token").value.trim();
    const init = {method: form.dataset.method, headers: {}};
    if (token) init.headers["Authorization"] = "Bearer " + token;
    const body = form.querySelector("textarea");
    if (body && body.value.trim()) {
      init.headers["Content-Type"] = "application/json";
      init.body = body.value;
    }
    const qs = query.toString();
    try {
      const answer = await fetch(path + (qs ? "?" + qs : ""), init);
      const text = await answer.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
      out(form, answer.status + " " + answer.statusText + "\\n" + shown);
    } catch (error) {
      out(form, "request failed: " + error);
    }
  });
}
"""


def script_hash() -> str:
    """The CSP hash of the page's only script, so nothing else may run on it."""
    digest = hashlib.sha256(_SCRIPT.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def docs_page(operations: list[Operation]) -> str:
    """The operations as forms, in the web UI's look (its stylesheet, header and way back)."""
    esc = html.escape
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        "<meta name=color-scheme content='light dark'>",
        "<title>REST API · Homing</title>",
        "<link rel=icon href='/favicon.ico'><link rel=stylesheet href='/static/homing.css'>",
        "</head><body class=api-docs>",
        "<header class=topbar><div class='wrap topbar-inner'>",
        "<a class=brand href='/'><span class=brand-mark aria-hidden=true>⌂</span> Homing</a>",
        "<nav class=nav aria-label=Main><a href='/'>Hosts</a>",
        "<a href='/tokens#api-tokens'>Tokens</a>",
        "<a href='/api/v1/docs' aria-current=page>API docs</a></nav></div></header>",
        "<main class=wrap><p class=crumbs><a href='/'>← Back to Homing</a></p>",
        "<div class=page-head><h1>REST API <span class=muted>v1</span></h1>",
        "<p class=muted>Every operation of <a href='openapi.json'>openapi.json</a>, sent from "
        "this page with the API token you enter (kept only in this page). Create one on the "
        "<a href='/tokens#api-tokens'>Tokens page</a>; the guide is docs/api.md.</p></div>",
        "<section class=panel><label>API token <input id=token type=password "
        "autocomplete=off placeholder='hm_api_...'></label></section>",
    ]
    tag = None
    for op in operations:
        if op.tag != tag:
            if tag is not None:
                parts.append("</section>")
            tag = op.tag
            parts.append(f"<section class='panel api-tag'><h2>{esc(tag.capitalize())}</h2>")
        path = openapi_path(op.path)
        parts.append(
            f"<details class=api-op><summary><code class='method {op.method}'>{op.method}</code>"
            f" <code class=api-path>{esc(path)}</code> <span class=muted>{esc(op.summary)}</span>"
            f"</summary><form class='op stack' data-method={op.method} data-path='{esc(path)}'>"
        )
        for name in re.findall(r"\{(\w+)(?::\w+)?\}", op.path):
            parts.append(f"<label>{esc(name)} <input name='{esc(name)}' data-in=path required>")
            parts.append("</label>")
        for param in op.query:
            parts.append(
                f"<label>{esc(param.name)} <span class=hint>{esc(param.description)}</span> "
                f"<input name='{esc(param.name)}' data-in=query></label>"
            )
        if op.request is not None:
            example = json.dumps(_example_properties(op.request), indent=1)
            parts.append(
                f"<label>JSON body ({esc(op.request)}) <textarea class=mono rows=4 "
                f"placeholder='{esc(example)}'></textarea></label>"
            )
        parts.append(
            "<div class=actions><button class='button primary'>Send</button></div>"
            "<pre class=code></pre></form></details>"
        )
    parts.append(f"</section></main><script>{_SCRIPT}</script></body></html>")
    return "".join(parts)
