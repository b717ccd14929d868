"""The client's own branches of the error tree, so the daemon can catch by meaning.

HomingError
 ├── ConfigError          (homing.errors) the client config is wrong; names file, line, key
 └── ClientError          something outside the config failed
      ├── DetectionError   an address source gave no usable address
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
