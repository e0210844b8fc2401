"""Tracking events derived from the booking time, the transit time and "now".

Nothing is stored: a shipment's milestones are fixed fractions of its door-to-door
transit time, and the events returned are those whose time has come. Advancing the
clock (an injected clock, or the admin clock offset) advances the tracking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from connectors.models import ShippingMode, TrackingEvent

# (code, description, share of the transit time elapsed, at origin?)
_SEA = (
    ("booked", "Booking confirmed", 0.0, True),
    ("received", "Cargo received at the origin terminal", 0.08, True),
    ("departed", "Vessel departed the port of loading", 0.15, True),
    ("in_transit", "At sea", 0.5, True),
    ("arrived", "Vessel arrived at the port of discharge", 0.85, False),
    ("customs_cleared", "Import customs cleared", 0.93, False),
    ("delivered", "Delivered", 1.0, False),
)
_AIR = (
    ("booked", "Booking confirmed", 0.0, True),
    ("received", "Cargo received at the origin airport", 0.15, True),
    ("departed", "Flight departed", 0.3, True),
    ("arrived", "Flight arrived at the destination airport", 0.6, False),
    ("customs_cleared", "Import customs cleared", 0.8, False),
    ("delivered", "Delivered", 1.0, False),
)
_EXPRESS = (
    ("booked", "Shipment data received", 0.0, True),
    ("picked_up", "Picked up by courier", 0.1, True),
    ("in_transit", "In transit through the courier network", 0.4, True),
    ("customs_cleared", "Cleared customs", 0.7, False),
    ("out_for_delivery", "Out for delivery", 0.9, False),
    ("delivered", "Delivered", 1.0, False),
)
MILESTONES = {ShippingMode.SEA_FCL: _SEA, ShippingMode.SEA_LCL: _SEA, ShippingMode.AIR: _AIR,
              ShippingMode.EXPRESS: _EXPRESS}


def estimated_delivery(booked_at: datetime, transit_days: int) -> datetime:
    """When the last milestone falls due."""
    return booked_at + timedelta(days=transit_days)


def tracking_events(mode: ShippingMode, booked_at: datetime, transit_days: int, origin: str,
                    destination: str, now: datetime) -> list[TrackingEvent]:
    """The milestones that have happened by ``now``, oldest first.

    Args:
        mode: Transport mode of the shipment.
        booked_at: Booking time (timezone-aware).
        transit_days: Door-to-door transit time from the quote.
        origin: UN/LOCODE of the origin.
        destination: UN/LOCODE of the destination.
        now: The current time (timezone-aware).

    Returns:
        At least the ``booked`` event.
    """
    span = timedelta(days=transit_days)
    events = []
    for code, description, share, at_origin in MILESTONES[mode]:
        moment = booked_at + span * share
        if moment <= now or share == 0.0:
            events.append(TrackingEvent(code=code, description=description,
                                        location=origin if at_origin else destination, occurred_at=moment))
    return events
