"""Staff accounts and console sessions; tokens and session ids are stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.store.tables import StaffRow, StaffSessionRow, utcnow

SESSION_LIFETIME = timedelta(hours=12)


class StaffExists(Exception):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    name: str


def _hash(value: str) -> str:
    # Tokens are 256-bit random values, so a plain SHA-256 cannot be brute-forced.
    return hashlib.sha256(value.encode()).hexdigest()


class StaffAccounts:
    """Creates staff accounts and checks their credentials."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, name: str) -> str:
        """Create an account and return its API token (shown once, never stored)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError("a staff name has 1 to 100 characters")
        token = "tbs_" + secrets.token_urlsafe(32)
        try:
            with self._sessions.begin() as s:
                s.add(StaffRow(name=name, token_hash=_hash(token)))
        except IntegrityError:
            raise StaffExists(f"a staff account named {name!r} already exists") from None
        return token

    def by_token(self, token: str | None) -> Staff | None:
        if not token:
            return None
        with self._sessions() as s:
            row = s.scalars(select(StaffRow).where(StaffRow.token_hash == _hash(token))).first()
            return Staff(row.id, row.name) if row else None

    def login(self, name: str, token: str) -> tuple[str, str] | None:
        """Check name + token; return a new (session id, CSRF token) or ``None``."""
        staff = self.by_token(token)
        if staff is None or not secrets.compare_digest(staff.name, name.strip()):
            return None
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self._sessions.begin() as s:
            s.add(StaffSessionRow(id_hash=_hash(session_id), staff_id=staff.id, csrf_token=csrf,
                                  expires_at=utcnow() + SESSION_LIFETIME))
        return session_id, csrf

    def by_session(self, session_id: str | None) -> tuple[Staff, str] | None:
        """The staff member and CSRF token of a live session."""
        if not session_id:
            return None
        with self._sessions() as s:
            row = s.execute(select(StaffSessionRow, StaffRow).join(StaffRow, StaffRow.id == StaffSessionRow.staff_id)
                            .where(StaffSessionRow.id_hash == _hash(session_id))).first()
            if row is None:
                return None
            sess, staff = row
            expires = sess.expires_at if sess.expires_at.tzinfo else sess.expires_at.replace(tzinfo=utcnow().tzinfo)
            if expires < utcnow():
                return None
            return Staff(staff.id, staff.name), sess.csrf_token

    def logout(self, session_id: str) -> None:
        with self._sessions.begin() as s:
            s.execute(delete(StaffSessionRow).where(StaffSessionRow.id_hash == _hash(session_id)))
