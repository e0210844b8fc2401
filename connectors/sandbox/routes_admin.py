"""Operator routes (``X-Admin-Token``): fault injection and the sandbox clock; and ``/health``."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from connectors.models import ErrorBody
from connectors.sandbox.deps import State, require_admin
from connectors.sandbox.errors import AUTH_RESPONSES
from connectors.sandbox.faults import FaultConfig

router = APIRouter()
admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)],
                  responses={**AUTH_RESPONSES, 400: {"model": ErrorBody, "description": "the body is not valid JSON"},
                             403: {"model": ErrorBody, "description": "admin API disabled"}})


class FaultSettings(BaseModel):
    """Fault injection settings (see ``FaultConfig``)."""

    model_config = ConfigDict(extra="forbid")
    latency_s: float = Field(default=0.0, ge=0, le=60)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    rate_limit_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
    hang_s: float = Field(default=30.0, ge=0, le=600)
    seed: int = Field(default=0, ge=0, le=2**31)


class ClockAdvance(BaseModel):
    """Move the sandbox clock forward (tracking events advance with it)."""

    model_config = ConfigDict(extra="forbid")
    advance_seconds: float = Field(ge=0, le=10 * 365 * 86400)


class ClockState(BaseModel):
    now: datetime
    offset_seconds: float


@router.get("/health", tags=["admin"], summary="Liveness (never faulted)")
def health() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


@admin.get("/faults", response_model=FaultSettings, summary="Fault injection in force")
def get_faults(state: State) -> FaultSettings:
    """The fault configuration in force."""
    return FaultSettings(**state.faults.config.as_dict())


@admin.put("/faults", response_model=FaultSettings, summary="Set fault injection")
def set_faults(state: State, body: FaultSettings) -> FaultSettings:
    """Replace the fault configuration (all zero rates switch faults off)."""
    state.faults.configure(FaultConfig(**body.model_dump()))
    return body


@admin.post("/clock", response_model=ClockState, summary="Advance the sandbox clock")
def advance_clock(state: State, body: ClockAdvance) -> ClockState:
    """Add to the clock offset; returns the new sandbox time."""
    state.clock_offset += timedelta(seconds=body.advance_seconds)
    return ClockState(now=state.now(), offset_seconds=state.clock_offset.total_seconds())


router.include_router(admin)
