"""Persistence: the schema, its migrations and the narrow `Store` interface the core uses."""
