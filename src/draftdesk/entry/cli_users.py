"""`draftdesk users`: accounts for sign-in. Passwords are read without echo and stored only hashed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from draftdesk.domain.users import Role
from draftdesk.entry.cli_support import container_scope, out
from draftdesk.services.users import hash_password

users_app = typer.Typer(help="Sign-in accounts: agents draft and approve replies; leads also run incidents.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The name shown on approvals.")],
    role: Annotated[Role, typer.Option(help="agent or lead.")] = Role.AGENT,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create an account in the record database."""
    password = _password(password_stdin)
    with container_scope() as c:
        user = c.users.add(name, role, password)
    out.print(f"Added {user.name} ({user.role}). The app now asks everyone to sign in.")


@users_app.command("list")
def list_users() -> None:
    """The accounts from the settings and the database."""
    with container_scope() as c:
        users = c.users.users()
    if not users:
        out.print("No accounts: the app runs as a single local user.")
    for user in users:
        out.print(f"{user.name}\t{user.role}")


@users_app.command("hash")
def hash_command(
    name: Annotated[str, typer.Argument(help="The account name.")],
    role: Annotated[Role, typer.Option(help="agent or lead.")] = Role.AGENT,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Print an entry for DRAFTDESK_ACCOUNTS (name:role:bcrypt-hash); nothing is stored."""
    with container_scope():
        out.print(f"{name}:{role}:{hash_password(_password(password_stdin))}", highlight=False)
