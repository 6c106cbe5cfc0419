"""`draftdesk keys`: API keys for the REST API. A key is printed once, when it is created; the
database keeps only its SHA-256."""

from __future__ import annotations

from typing import Annotated

import typer

from draftdesk.entry.cli_support import container_scope, err, out

keys_app = typer.Typer(help="API keys for the REST API (/api/v1): create, list, revoke.")


@keys_app.command("create")
def create(name: Annotated[str, typer.Argument(help="What uses the key, for example zendesk-sync.")]) -> None:
    """Create a key and print it once: store it now, it cannot be shown again."""
    with container_scope() as c:
        key, secret = c.api_keys.create(name)
    # The key alone on stdout, so `KEY=$(draftdesk keys create NAME)` works; the note on stderr.
    out.print(secret, highlight=False, soft_wrap=True)
    err.print(
        f"Created API key {key.name!r}. It is shown only now; send it as `Authorization: Bearer <key>`.",
        highlight=False,
        soft_wrap=True,
    )


@keys_app.command("list")
def list_keys() -> None:
    """Every key: name, first characters, created, last used, revoked."""
    with container_scope() as c:
        keys = c.api_keys.keys()
    if not keys:
        out.print("No API keys. Create one with `draftdesk keys create NAME`.")
    for key in keys:
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never used"
        state = f"revoked {key.revoked_at.isoformat(timespec='seconds')}" if key.revoked_at else "active"
        created = key.created_at.isoformat(timespec="seconds")
        out.print(f"{key.name}\t{key.prefix}…\tcreated {created}\t{used}\t{state}", highlight=False)


@keys_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke the active key called NAME: requests with it are refused from now on."""
    with container_scope() as c:
        key = c.api_keys.revoke(name)
    out.print(f"Revoked API key {key.name!r} ({key.prefix}…).")
