"""The tables, declared once with SQLAlchemy Core; migrations in ``store/migrations`` build them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData()

zones = Table(
    "zones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("serial", BigInteger, nullable=False),
    Column("mname", String(255), nullable=False),
    Column("rname", String(255), nullable=False),
    Column("nameservers", Text, nullable=False),
    Column("default_ttl", Integer, nullable=False),
    Column("soa_ttl", Integer, nullable=False),
    Column("refresh", Integer, nullable=False),
    Column("retry", Integer, nullable=False),
    Column("expire", Integer, nullable=False),
    Column("minimum", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Record types owners may set through the REST API (A, AAAA, TXT; MX, CNAME if allowed).
    Column("record_types", Text, nullable=False, server_default="A AAAA TXT"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Optional TOTP second factor (RFC 6238): the base32 secret (a code generator needs it
    # in clear, like a TSIG key), and the newest time step a code was accepted for (no replay).
    Column("totp_secret", String(64), nullable=True),
    Column("totp_last_step", Integer, nullable=True),
)

hosts = Table(
    "hosts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("fqdn", String(255), nullable=False, unique=True),
    Column("ttl", Integer, nullable=False),
    Column("wildcard", Boolean, nullable=False, default=False),
    Column("offline", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("last_source", String(64), nullable=True),
    Column("last_front_door", String(16), nullable=True),
    Column("nochg_count", Integer, nullable=False, default=0),
    Column("notes", Text, nullable=False, server_default=""),
    # IPv6 prefix updates (issue 10): the identifier put behind a new prefix, how many bits
    # the prefix covers, and the host whose prefix this one follows (same owner only).
    Column("ipv6_interface_id", String(45), nullable=True),
    Column("ipv6_prefix_length", Integer, nullable=False, server_default="64"),
    Column("follows_id", Integer, ForeignKey("hosts.id", ondelete="SET NULL"), nullable=True),
)
# Pages of an owner's hosts by name, and counts of stale hosts, read one index range (issue 15).
Index("ix_hosts_owner_fqdn", hosts.c.owner_id, hosts.c.fqdn)
host_seen_at = func.coalesce(hosts.c.updated_at, hosts.c.created_at)
"""When a host was last heard of (migration 0013 indexes it): stale when that is old."""
Index("ix_hosts_seen_at", host_seen_at)
Index("ix_hosts_owner_seen_at", hosts.c.owner_id, host_seen_at)
# Substring search on the name: SQLite's FTS5 table ``host_names`` (trigram) and
# PostgreSQL's GIN pg_trgm index are made by migration 0013 (store/search.py).

host_totals = Table(
    "host_totals",
    metadata,
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("total", Integer, nullable=False),
)
"""Hosts per owner, kept by triggers on ``hosts`` (migration 0013); never written by us."""
Index("ix_hosts_follows", hosts.c.follows_id)
Index("ix_hosts_zone", hosts.c.zone_id)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("host_id", Integer, ForeignKey("hosts.id", ondelete="CASCADE"), nullable=True),
    Column("name", String(255), nullable=False),
    Column("rtype", String(10), nullable=False),
    Column("ttl", Integer, nullable=False),
    Column("rdata", Text, nullable=False),
    UniqueConstraint("name", "rtype", "rdata", name="uq_records_rr"),
)
Index("ix_records_host", records.c.host_id)
Index("ix_records_zone", records.c.zone_id)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("host_id", Integer, ForeignKey("hosts.id", ondelete="CASCADE"), nullable=True),
    Column("label", String(100), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
Index("ix_tokens_host", tokens.c.host_id)
Index("ix_tokens_user", tokens.c.user_id)

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("host_id", Integer, ForeignKey("hosts.id", ondelete="SET NULL"), nullable=True),
    Column("fqdn", String(255), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("credential", String(100), nullable=True),
    Column("source", String(64), nullable=True),
    Column("front_door", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Column("count", Integer, nullable=False, server_default="1"),
)
Index("ix_history_host_at", history.c.host_id, history.c.at)
Index("ix_history_at", history.c.at)
REFUSED_SQL = "outcome NOT IN ('good', 'nochg')"
"""Literal, not bound: SQLite uses a partial index only for a query that repeats its WHERE
term word for word (store/pages.py counts failing hosts on this one)."""
Index(
    "ix_history_refusals",
    history.c.at,
    sqlite_where=text(REFUSED_SQL),
    postgresql_where=text(REFUSED_SQL),
)

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=True),
    Column("zone", String(255), nullable=False),
    Column("serial", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("origin", String(40), nullable=False),
    Column("payload", Text, nullable=False),
)
Index("ix_journal_zone_serial", journal.c.zone_id, journal.c.serial)

tsig_keys = Table(
    "tsig_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("algorithm", String(32), nullable=False),
    # The shared secret itself: TSIG verification needs it (RFC 8945), so it cannot be hashed.
    Column("secret", String(255), nullable=False),
    Column("names", Text, nullable=False),
    Column("types", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_tsig_keys_zone", tsig_keys.c.zone_id)

secondaries = Table(
    "secondaries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("address", String(64), nullable=False),
    Column("port", Integer, nullable=False),
    Column("tsig_key_id", Integer, ForeignKey("tsig_keys.id", ondelete="RESTRICT"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("zone_id", "address", "port", name="uq_secondaries_target"),
)
Index("ix_secondaries_zone", secondaries.c.zone_id)

acme_accounts = Table(
    "acme_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(36), nullable=False, unique=True),
    # SHA-256 of a 240-bit random key (see core/acme.py for why not argon2).
    Column("key_hash", String(64), nullable=False),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("fqdn", String(255), nullable=False, unique=True),
    Column("allowfrom", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_from", String(64), nullable=True),
)
Index("ix_acme_accounts_zone", acme_accounts.c.zone_id)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    # SHA-256 of a random token of 192 bits (see core/credentials.py), like update tokens.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(24), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("read_only", Boolean, nullable=False),
    # Scope: space-separated host FQDNs and record types; empty means "all".
    Column("hosts", Text, nullable=False),
    Column("types", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
Index("ix_api_tokens_user", api_tokens.c.user_id)

# Owners' alerts (homing.alerts): where to send them, and what the follower has done.
alert_settings = Table(
    "alert_settings",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), nullable=True),
    Column("webhook", Text, nullable=True),
    # Space-separated subset of: changes failures stale.
    Column("events", String(64), nullable=False),
    Column("stale_hours", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

write_probe = Table(
    "write_probe",
    metadata,
    # One row (id 1), rewritten by /health through the writer to learn whether writes succeed.
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=True),
)

alert_cursor = Table(
    "alert_cursor",
    metadata,
    # One row (id 1): every history row up to history_id has had its alerts handled.
    Column("id", Integer, primary_key=True),
    Column("history_id", Integer, nullable=False),
)

stale_alerts = Table(
    "stale_alerts",
    metadata,
    Column("host_id", Integer, ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True),
    # The host's last update that the stale alert was about: a newer update re-arms it.
    Column("last_update", DateTime(timezone=True), nullable=False),
)

# DNSSEC (homing.dnssec): a signed zone's keys. The private key never leaves the server.
dnssec_keys = Table(
    "dnssec_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
    Column("algorithm", Integer, nullable=False),
    Column("flags", Integer, nullable=False),
    Column("private_key", Text, nullable=False),
    # homing.dnssec.rollover.KeyState: active, published, leaving, retiring.
    Column("state", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # When the key entered its state (a rollover's timings start there); none: created_at.
    Column("changed_at", DateTime(timezone=True), nullable=True),
)
Index("ix_dnssec_keys_zone", dnssec_keys.c.zone_id)

shown_once = Table(
    "shown_once",
    metadata,
    # Named for what it holds (the hash of the URL's key), and no integer "id" with a sequence.
    Column("key_id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("sealed", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Values a form's redirect shows once (``http/web/once.py``): sealed, minutes-lived."""
Index("ix_shown_once_expires", shown_once.c.expires_at)

# Shared by every node of one database (issue 9 item 4).
server_secrets = Table(
    "server_secrets",
    metadata,
    # By name (web-session: the web UI's session and invitation signing key); made on first start.
    Column("name", String(64), primary_key=True),
    Column("secret", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

shared_counts = Table(
    "shared_counts",
    metadata,
    # Brake failures, locks and nochg counts one node tells the others (core/shared_counts.py).
    Column("id", Integer, primary_key=True),
    Column("node", String(32), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("key", Text, nullable=False),
    # Wall-clock seconds (the nodes' monotonic clocks do not compare).
    Column("at", Float, nullable=False),
    Column("until", Float, nullable=True),
)
Index("ix_shared_counts_at", shared_counts.c.at)

alert_claims = Table(
    "alert_claims",
    metadata,
    # change:<history id>, stale:<host id>:<last update>, failures:<user id> (alert_claims.py).
    Column("key", String(80), primary_key=True),
    # Failure summaries: the last history row the user was told about.
    Column("through_id", Integer, nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)
"""The node that claimed an alert sends it, the others do not (issue 9, alerts once)."""
Index("ix_alert_claims_claimed_at", alert_claims.c.claimed_at)

brake_gates = Table(
    "brake_gates",
    metadata,
    # login:<name>: the last opening of the login's gate by any node (core/brake.py).
    Column("key", Text, primary_key=True),
    # Wall-clock seconds, as shared_counts.
    Column("at", Float, nullable=False),
)
