"""HTTPS for ``homing serve``: its own certificate from an ACME CA, answered over DNS-01."""
