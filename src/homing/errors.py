"""The one exception tree of Homing, so callers catch by meaning, not by module.

HomingError
 ├── ConfigError        a setting is missing or invalid (names the key)
 ├── InputError         a name, address or record value is malformed
 │    ├── NameError_     not a valid (IDNA) domain name
 │    └── AddressError   not a usable IP address
 ├── NotFoundError      a zone, user, host or token does not exist
 ├── ForbiddenError     the credential may not do this (read-only, out of its scope)
 ├── ConflictError      the object already exists / is still in use
 └── StoreError         the database failed or is not initialised
"""

from __future__ import annotations


class HomingError(Exception):
    """Base of every error Homing raises on purpose."""


class ConfigError(HomingError):
    """A setting is missing or invalid."""


class InputError(HomingError):
    """User input is malformed; ``field`` names the offending input when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NameError_(InputError):
    """A domain name is not valid."""


class AddressError(InputError):
    """An IP address is not valid or not allowed."""


class NotFoundError(HomingError):
    """The named object does not exist."""


class ForbiddenError(HomingError):
    """The caller is known but may not do this."""


class ConflictError(HomingError):
    """The object already exists or is still referenced."""


class StoreError(HomingError):
    """The database failed or is not initialised."""
