"""The client's own branches of the error tree, so the daemon can catch by meaning.

HomingError
 ├── ConfigError          (homing.errors) the client config is wrong; names file, line, key
 └── ClientError          something outside the config failed
      ├── DetectionError   an address source gave no usable address
      │    └── NetlinkError  netlink refused or unreadable (detect/netlink.py)
      ├── LookupProblem    the provider's published records cannot be read
      ├── NotifyError      a notification was not delivered (notify/__init__.py)
      └── StateError       the state file cannot be read or written
"""

from __future__ import annotations

from homing.errors import HomingError


class ClientError(HomingError):
    """Something the client depends on failed."""


class DetectionError(ClientError):
    """An address source gave no usable address."""


class StateError(ClientError):
    """The state file cannot be read or written."""


class LookupProblem(ClientError):
    """The provider's published records cannot be read (a DNS error rcode, an API error)."""
