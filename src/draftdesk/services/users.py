"""Accounts, sign-in and the role rules. Limits are enforced here, where every entry point passes,
not only by hiding buttons in the page."""

from __future__ import annotations

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.database import UserRow
from draftdesk.domain.users import LOCAL_USER, Role, User
from draftdesk.errors import InputError, PermissionDenied
from draftdesk.services.sign_in_throttle import SignInThrottle

MIN_PASSWORD = 8
# bcrypt reads at most 72 bytes; a longer password would be silently cut, so refuse it.
MAX_PASSWORD_BYTES = 72


def hash_password(password: str) -> str:
    _check_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"The password is shorter than {MIN_PASSWORD} characters.", "Choose a longer one.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InputError(
            f"The password is longer than {MAX_PASSWORD_BYTES} bytes, which bcrypt cannot use in full.",
            "Choose a shorter one.",
        )


def require(user: User, role: Role, action: str) -> None:
    """Leads may do everything an agent may; an agent may not do a lead's work."""
    if role == Role.LEAD and user.role != Role.LEAD:
        raise PermissionDenied(
            f"{user.name} is signed in as an agent; only a comms lead may {action}.",
            "Ask a lead to do it, or sign in with a lead account.",
        )


class UserService:
    def __init__(
        self, sessions: sessionmaker[Session], configured: list[str], throttle: SignInThrottle | None = None
    ) -> None:
        self.sessions = sessions
        self.throttle = throttle or SignInThrottle(sessions)
        self.configured = {
            name: (Role(role), digest) for name, role, digest in (entry.split(":", 2) for entry in configured)
        }

    def add(self, name: str, role: Role, password: str) -> User:
        name = name.strip()
        if not name or len(name) > 100 or ":" in name:
            raise InputError("A user name needs 1 to 100 characters and no ':'.", "Pick another name.")
        if name in self.configured:
            raise InputError(f"{name!r} is already an account in the settings.", "Pick another name.")
        digest = hash_password(password)
        with self.sessions.begin() as s:
            if s.get(UserRow, name) is not None:
                raise InputError(f"There is already a user called {name!r}.", "Pick another name.")
            s.add(UserRow(name=name, role=str(role), password_hash=digest))
        return User(name=name, role=role)

    def users(self) -> list[User]:
        with self.sessions() as s:
            stored = [
                User(name=r.name, role=Role(r.role))
                for r in s.scalars(select(UserRow).order_by(UserRow.name))
            ]
        return [User(name=n, role=r) for n, (r, _) in sorted(self.configured.items())] + stored

    def has_accounts(self) -> bool:
        return bool(self.configured) or bool(self.users())

    def authenticate(self, name: str, password: str) -> User | None:
        """The account, or None for a wrong name or password. Raises `SignInLocked` after too many
        wrong passwords in a row for this name (sign_in_throttle.py)."""
        self.throttle.check(name)
        user = self._verify(name, password)
        if user is None:
            self.throttle.failed(name)
        else:
            self.throttle.succeeded(name)
        return user

    def _verify(self, name: str, password: str) -> User | None:
        found = self._account(name)
        if found is None:
            # The same work as a real check, so a wrong name and a wrong password take as long.
            bcrypt.checkpw(b"x", bcrypt.hashpw(b"y", bcrypt.gensalt(4)))
            return None
        role, digest = found
        if not bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD_BYTES], digest.encode("ascii")):
            return None
        return User(name=name, role=role)

    def current(self, signed_in: str | None) -> User:
        """The user behind a request: the signed-in account, or the local user when there are none."""
        if signed_in is None:
            if self.has_accounts():
                # The page was served without sign-in: the accounts were added after the app started.
                raise PermissionDenied(
                    "Accounts exist, but this page was opened without signing in.",
                    "Restart the app so that it asks everyone to sign in, then reload the page.",
                )
            return LOCAL_USER
        found = self._account(signed_in)
        if found is None:
            raise PermissionDenied(f"No account called {signed_in!r}.", "Sign in again.")
        return User(name=signed_in, role=found[0])

    def _account(self, name: str) -> tuple[Role, str] | None:
        if name in self.configured:
            return self.configured[name]
        with self.sessions() as s:
            row = s.get(UserRow, name)
            return (Role(row.role), row.password_hash) if row else None
