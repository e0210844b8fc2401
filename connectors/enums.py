"""Enumerations of the platform API."""

from __future__ import annotations

from enum import StrEnum


class Incoterm(StrEnum):
    """Incoterms 2020 rules."""

    EXW = "EXW"
    FCA = "FCA"
    CPT = "CPT"
    CIP = "CIP"
    DAP = "DAP"
    DPU = "DPU"
    DDP = "DDP"
    FAS = "FAS"
    FOB = "FOB"
    CFR = "CFR"
    CIF = "CIF"


class ShippingMode(StrEnum):
    """Transport modes the platform quotes."""

    SEA_FCL = "sea_fcl"
    SEA_LCL = "sea_lcl"
    AIR = "air"
    EXPRESS = "express"


class ContainerType(StrEnum):
    """Dry containers for full-container-load sea freight."""

    FT20 = "20ft"
    FT40 = "40ft"


class ListingStatus(StrEnum):
    """Lifecycle of a listing; ``closed`` is final."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"
