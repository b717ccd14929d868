"""The JSON schemas of the API's bodies (OpenAPI 3.1 components), written once by hand.

They describe exactly what ``render`` produces and what the handlers accept;
tests check answers against them (schemathesis) so they cannot drift.
"""

from __future__ import annotations

from typing import Any

from homing.alerts.preferences import MAX_STALE_HOURS
from homing.alerts.rules import AlertEvent
from homing.domain.outcomes import UpdateOutcome
from homing.domain.records import RecordType

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
TTL: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 86400}
TYPES: dict[str, Any] = {"type": "array", "items": {"enum": [t.value for t in RecordType]}}
STRINGS: dict[str, Any] = {"type": "array", "items": STR}
ALGORITHM: dict[str, Any] = {"enum": ["ecdsap256sha256", "ed25519"]}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


ZONE = {"name": STR, "serial": INT, "nameservers": STRINGS, "record_types": TYPES}
USER = {"name": STR, "admin": BOOL, "has_password": BOOL, "created_at": TIME}
HOST = {
    "name": STR,
    "zone": STR,
    "owner": STR,
    "ttl": INT,
    "notes": STR,
    "wildcard": BOOL,
    "offline": BOOL,
    "created_at": TIME,
    "updated_at": nullable(TIME),
    "last_source": nullable(STR),
    "last_front_door": nullable(STR),
    "ipv6_interface_id": nullable(STR),
    "ipv6_prefix_length": INT,
    "follows": nullable(STR),
}
RRSET = {"name": STR, "type": STR, "ttl": INT, "values": STRINGS}
UPDATE_TOKEN = {
    "id": INT,
    "label": STR,
    "prefix": STR,
    "host": nullable(STR),
    "created_at": TIME,
    "revoked_at": nullable(TIME),
}
API_TOKEN = {
    "id": INT,
    "name": STR,
    "prefix": STR,
    "user": STR,
    "read_only": BOOL,
    "hosts": STRINGS,
    "types": TYPES,
    "created_at": TIME,
    "expires_at": nullable(TIME),
    "revoked_at": nullable(TIME),
}
HISTORY = {
    "id": INT,
    "at": TIME,
    "host": nullable(STR),
    "result": {"enum": [o.value for o in UpdateOutcome]},
    "old_value": nullable(STR),
    "new_value": nullable(STR),
    "credential": nullable(STR),
    "source": nullable(STR),
    "front_door": STR,
    "detail": nullable(STR),
    "count": {**INT, "description": "Refusals the row stands for (one row per source and window)."},
}

EVENTS: dict[str, Any] = {
    "type": "array",
    "items": {"enum": [e.value for e in AlertEvent]},
    "maxItems": len(AlertEvent),
}
ALERTS = {
    "email": nullable(STR),
    "webhook": nullable(STR),
    "events": EVENTS,
    "stale_hours": INT,
}


def _request(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _answer(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": _answer(
        {
            "error": {
                "type": "object",
                "properties": {"code": STR, "message": STR, "field": STR},
                "required": ["code", "message"],
            }
        }
    ),
    "Zone": _answer(ZONE),
    "ZoneCreate": _request(
        {
            "name": STR,
            "nameservers": STRINGS,
            "email": STR,
            "ttl": TTL,
            "record_types": TYPES,
        },
        "name",
    ),
    "ZoneUpdate": _request({"record_types": TYPES}, "record_types"),
    "ZoneDnssec": {
        "type": "object",
        "properties": {
            "zone": STR,
            "signed": BOOL,
            "algorithm": ALGORITHM,
            "key_tag": INT,
            "ds": STRINGS,
            "dnskey": STRINGS,
            "denial": {"enum": ["nsec3"]},
            "keys": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "key_tag": INT,
                        "algorithm": ALGORITHM,
                        "state": {"enum": ["active", "published", "leaving", "retiring"]},
                        "ds": STR,
                    },
                    "required": ["key_tag", "algorithm", "state", "ds"],
                },
            },
            "rollover": nullable(
                {
                    "type": "object",
                    "properties": {
                        "phase": {"enum": ["publish", "submit", "retire"]},
                        "due_at": nullable(TIME),
                        "next_step": STR,
                    },
                    "required": ["phase", "due_at", "next_step"],
                }
            ),
        },
        "required": ["zone", "signed", "ds", "dnskey"],
    },
    "ZoneDnssecEnable": _request({"algorithm": ALGORITHM}),
    "ZoneDnssecRollover": _request({"algorithm": ALGORITHM, "complete": BOOL}),
    "User": _answer(USER),
    "UserCreate": _request(
        {"name": STR, "password": {"type": "string", "minLength": 8}, "admin": BOOL}, "name"
    ),
    "Host": _answer(HOST),
    "HostCreated": _answer({**HOST, "update_token": STR}),
    "HostCreate": _request(
        {"name": STR, "ttl": TTL, "notes": {"type": "string", "maxLength": 1000}, "owner": STR},
        "name",
    ),
    "HostsCreate": _request(
        {
            "hosts": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/HostCreate"},
                "minItems": 1,
                "maxItems": 1000,
            }
        },
        "hosts",
    ),
    "HostCreateRequest": {
        "oneOf": [
            {"$ref": "#/components/schemas/HostCreate"},
            {"$ref": "#/components/schemas/HostsCreate"},
        ]
    },
    "HostsCreated": _answer(
        {"hosts": {"type": "array", "items": {"$ref": "#/components/schemas/HostCreated"}}}
    ),
    "HostUpdate": _request(
        {
            "ttl": TTL,
            "notes": {"type": "string", "maxLength": 1000},
            "ipv6_interface_id": {"type": "string", "maxLength": 45},
            "ipv6_prefix_length": {"type": "integer", "minimum": 1, "maximum": 128},
            "follows": {"type": "string", "maxLength": 253},
        }
    ),
    "RRset": _answer(RRSET),
    "RRsetPut": _request(
        {"values": {"type": "array", "items": STR, "minItems": 1, "maxItems": 20}, "ttl": TTL},
        "values",
    ),
    "UpdateToken": _answer(UPDATE_TOKEN),
    "UpdateTokenCreated": _answer({**UPDATE_TOKEN, "token": STR}),
    "UpdateTokenCreate": _request({"label": {"type": "string", "maxLength": 100}}),
    "ApiToken": _answer(API_TOKEN),
    "ApiTokenCreated": _answer({**API_TOKEN, "token": STR}),
    "ApiTokenCreate": _request(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "expires_in": {"type": "string", "pattern": "^[1-9][0-9]{0,5}[smhdw]$"},
            "read_only": BOOL,
            "hosts": STRINGS,
            "types": TYPES,
        },
        "name",
    ),
    "Me": _answer({**USER, "token": {"$ref": "#/components/schemas/ApiToken"}}),
    "AlertSettings": _answer(ALERTS),
    "AlertSettingsPut": _request(
        {
            "email": nullable({"type": "string", "maxLength": 254}),
            "webhook": nullable({"type": "string", "maxLength": 2000}),
            "events": EVENTS,
            "stale_hours": {"type": "integer", "minimum": 1, "maximum": MAX_STALE_HOURS},
        }
    ),
    "AlertTestResults": _answer(
        {
            "results": {
                "type": "array",
                "items": _answer(
                    {
                        "channel": {"enum": ["email", "webhook"]},
                        "address": STR,
                        "sent": BOOL,
                        "error": nullable(STR),
                    }
                ),
            }
        }
    ),
    "HistoryEntry": _answer(HISTORY),
    "HistoryPage": _answer(
        {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}},
            "next_cursor": nullable(STR),
        }
    ),
}
