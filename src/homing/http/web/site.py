"""What every page handler shares: the context, the session codec, the templates, the viewer.

The web UI is a front door like dyndns2: it reads through the store's read
methods and changes things only through core use cases (``Admin``), never
by writing rows itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from homing.core.admin import Admin
from homing.core.ratelimit import FloodCounter
from homing.http.context import HttpContext
from homing.http.web.invitations import InvitationCodec
from homing.http.web.once import ShownOnce
from homing.http.web.sessions import Session, SessionCodec
from homing.http.web.timeline import mark_kind
from homing.http.web.times import ago, clock, shown
from homing.store.pages import HostCounts
from homing.store.rows import HostRow, UserRow

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


SIGNUPS_PER_HOUR = 5


@dataclass(frozen=True, kw_only=True)
class WebSite:
    ctx: HttpContext
    codec: SessionCodec
    invitations: InvitationCodec
    admin: Admin
    templates: jinja2.Environment
    signups: FloodCounter = field(
        default_factory=lambda: FloodCounter(limit=SIGNUPS_PER_HOUR, window=3600.0)
    )
    """Sign-up attempts per source address: self-registration must not mint accounts in bulk."""
    shown: ShownOnce
    """What a POST leaves for the page its redirect shows (new tokens, once)."""
    counts: dict[int | None, tuple[float, HostCounts]] = field(default_factory=dict)
    """The dashboard's host counts per owner (None: all), with when they expire."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewer:
    """The signed-in user of one request, with the CSRF token their forms carry."""

    user: UserRow
    session: Session
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    def may_see(self, host: HostRow) -> bool:
        """Owners see their hosts, admins every host; anyone else gets a 404, never a 403."""
        return self.user.is_admin or host.owner_id == self.user.id


def breakable(text: str) -> Markup:
    """Text that may wrap only after a dot or a colon: a name between its labels, an address
    between its groups, never "home.ddn|s.test" or "127.0.0.|1" on a phone (issue 15)."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[.:])", text))


def build_templates() -> jinja2.Environment:
    """Jinja2 with autoescaping on for every template and undefined names as errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = shown
    env.filters["clock"] = clock
    env.filters["breakable"] = breakable
    env.filters["kind"] = mark_kind

    def ago_filter(moment: datetime | None, now: datetime) -> str:
        return ago(moment, now=now)

    env.filters["ago"] = ago_filter
    return env
