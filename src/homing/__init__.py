"""Homing: a Dynamic DNS provider (authoritative DNS + update API) and client."""

__version__ = "0.1.0"
