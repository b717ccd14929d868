"""Master files in and out of a zone: ``homing zone import`` and ``homing zone export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import click

from homing.cli.accounts import zone
from homing.cli.base import Context, common_options, pass_context, store_call
from homing.errors import ConflictError, InputError

MAX_ZONE_FILE_BYTES = 512 * 2**20


def _open_tokens_file(path: Path) -> TextIO:
    """Created before the import (mode 0600, never over an existing file): the tokens
    exist only once, so there must be somewhere to put them before they are made."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConflictError(f"{path} exists; tokens are never written over a file") from None
    except OSError as exc:
        raise InputError(f"cannot create {path}: {exc.strerror}") from None
    return os.fdopen(fd, "w", newline="")


def _write_tokens(out: TextIO, tokens: list[tuple[str, str]]) -> None:
    out.write("fqdn,token\n")
    out.writelines(f"{fqdn.rstrip('.')},{token}\n" for fqdn, token in tokens)


@zone.command("import")
@click.argument("zone_name", metavar="ZONE")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True, help="The user who owns the imported hosts.")
@click.option(
    "--tokens-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the hosts' new update tokens here (CSV fqdn,token, mode 0600); "
    "default: standard output.",
)
@common_options
@pass_context
def zone_import(
    ctx: Context, zone_name: str, file: Path, owner: str, tokens_out: Path | None
) -> None:
    """Import a master file: each name with A, AAAA, TXT, MX or CNAME records becomes a host.

    All or nothing: a syntax error (with its line) or a name the zone already
    has changes nothing. A new ZONE takes the file's SOA and NS.
    """
    from homing.core.journal import new_origin
    from homing.core.zone_files import ZoneFiles

    if file.stat().st_size > MAX_ZONE_FILE_BYTES:
        raise InputError(f"{file} is larger than {MAX_ZONE_FILE_BYTES >> 20} MiB")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    out = _open_tokens_file(tokens_out) if tokens_out is not None else None
    try:
        result = store_call(
            ctx,
            lambda store: ZoneFiles(store=store, origin=new_origin("cli")).import_text(
                zone_name, text, owner=owner
            ),
        )
    except BaseException:
        if out is not None and tokens_out is not None:
            out.close()
            tokens_out.unlink(missing_ok=True)
        raise
    if out is not None:
        with out:
            _write_tokens(out, result.tokens)
    else:
        _write_tokens(sys.stdout, result.tokens)
    created = " (new zone)" if result.created_zone else ""
    skipped = ", ".join(f"{n} {rtype}" for rtype, n in sorted(result.skipped.items()))
    click.echo(
        f"imported {len(result.tokens)} hosts with {result.records} records into "
        f"{result.zone}{created}; {result.zone_records} RRsets stay zone records"
        + (f"; left out (DNSSEC): {skipped}" if skipped else ""),
        err=out is None,
    )


@zone.command("export")
@click.argument("zone_name", metavar="ZONE")
@common_options
@pass_context
def zone_export(ctx: Context, zone_name: str) -> None:
    """Print the zone as a master file (named-checkzone and kzonecheck accept it)."""
    from homing.core.journal import new_origin
    from homing.core.zone_files import ZoneFiles

    text = store_call(
        ctx, lambda store: ZoneFiles(store=store, origin=new_origin("cli")).export_text(zone_name)
    )
    click.echo(text, nl=False)
