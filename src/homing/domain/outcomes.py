"""Results of the core's use cases as enums; front doors turn them into protocol text."""

from __future__ import annotations

from enum import StrEnum


class UpdateOutcome(StrEnum):
    """Result of one host in an update, named after the dyndns2 return codes."""

    GOOD = "good"
    NOCHG = "nochg"
    BADAUTH = "badauth"
    NOTFQDN = "notfqdn"
    NOHOST = "nohost"
    NUMHOST = "numhost"
    ABUSE = "abuse"
    BADAGENT = "badagent"
    DNSERR = "dnserr"
    SERVER_ERROR = "911"
    BADINPUT = "badinput"


class FrontDoor(StrEnum):
    """Which protocol an update or attempt came through (kept in the history)."""

    DYNDNS2 = "dyndns2"
    DUCKDNS = "duckdns"
    CLI = "cli"
    RFC2136 = "rfc2136"
    API = "api"
    ACMEDNS = "acmedns"
    WEB = "web"


class AuthOutcome(StrEnum):
    """Result of checking a credential."""

    OK = "ok"
    BADAUTH = "badauth"
    ABUSE = "abuse"
    CODE_REQUIRED = "code_required"
    """The password is right and the account wants a TOTP code too (two-step callers only)."""
