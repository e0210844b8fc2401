"""The staff console as a channel pair: input = staff actions, output = the queue."""

from __future__ import annotations

from fastapi import APIRouter

from bot.staff.accounts import StaffAccounts
from bot.staff.api import build_staff_api
from bot.staff.console import build_console
from bot.staff.desk import StaffDesk


class StaffChannel:
    """Mounts ``/staff`` (console) and ``/api/staff`` (API)."""

    name = "staff"

    def __init__(self, desk: StaffDesk, accounts: StaffAccounts, *, secure_cookies: bool) -> None:
        self._desk = desk
        self._accounts = accounts
        self._secure = secure_cookies

    def router(self) -> APIRouter:
        router = APIRouter()
        router.include_router(build_staff_api(self._desk, self._accounts))
        router.include_router(build_console(self._accounts, secure_cookies=self._secure))
        return router

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
