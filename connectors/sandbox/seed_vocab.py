"""Vocabulary for the synthetic seed data: countries and ports, trade profiles, name parts.

All company names built from these parts are fictional. Ports are real UN/LOCODE
seaports (checked by a test against ``knowledge/data/un-locode``).
"""

from __future__ import annotations

from dataclasses import dataclass

# Importing countries and the main seaport that buyers ship to (ISO alpha-2 -> UN/LOCODE).
BUYER_PORTS: dict[str, str] = {
    "DE": "DEHAM", "NL": "NLRTM", "BE": "BEANR", "FR": "FRLEH", "GB": "GBFXT", "IE": "IEDUB",
    "ES": "ESVLC", "PT": "PTLIS", "IT": "ITGOA", "GR": "GRPIR", "PL": "PLGDN", "SE": "SEGOT",
    "DK": "DKAAR", "FI": "FIHEL", "NO": "NOOSL", "EE": "EETLL", "LT": "LTKLJ", "RO": "ROCND",
    "BG": "BGVAR", "HR": "HRRJK", "SI": "SIKOP", "TR": "TRMER", "US": "USNYC", "CA": "CAVAN",
    "MX": "MXZLO", "BR": "BRSSZ", "AR": "ARBUE", "CL": "CLSAI", "PE": "PECLL", "CO": "COCTG",
    "JP": "JPTYO", "KR": "KRPUS", "CN": "CNSGH", "HK": "HKHKG", "TW": "TWKHH", "SG": "SGSIN",
    "MY": "MYPKG", "TH": "THLCH", "VN": "VNSGN", "ID": "IDJKT", "PH": "PHMNL", "IN": "INNSA",
    "PK": "PKKHI", "BD": "BDCGP", "LK": "LKCMB", "AE": "AEJEA", "SA": "SAJED", "QA": "QADOH",
    "OM": "OMSOH", "IL": "ILHFA", "EG": "EGALY", "MA": "MACAS", "NG": "NGAPP", "GH": "GHTEM",
    "KE": "KEMBA", "TZ": "TZDAR", "ZA": "ZADUR", "AU": "AUSYD", "NZ": "NZAKL",
}

# Exporting countries where suppliers are based (a subset of the above).
SUPPLIER_COUNTRIES: tuple[str, ...] = (
    "CN", "IN", "VN", "TR", "TH", "ID", "MY", "BD", "PK", "KE", "GH", "NG", "EG", "MA", "BR",
    "AR", "CL", "PE", "CO", "MX", "PL", "IT", "ES", "PT", "DE", "LK", "PH", "ZA", "GR", "RO",
)

LEGAL_FORMS: dict[str, str] = {
    "DE": "GmbH", "AT": "GmbH", "NL": "B.V.", "BE": "BV", "FR": "SAS", "GB": "Ltd", "IE": "Ltd",
    "ES": "S.L.", "PT": "Lda", "IT": "S.r.l.", "GR": "S.A.", "PL": "Sp. z o.o.", "SE": "AB",
    "DK": "ApS", "FI": "Oy", "NO": "AS", "EE": "OU", "LT": "UAB", "RO": "S.R.L.", "BG": "EOOD",
    "HR": "d.o.o.", "SI": "d.o.o.", "TR": "Ltd. Sti.", "US": "LLC", "CA": "Inc.", "MX": "S.A. de C.V.",
    "BR": "Ltda.", "AR": "S.R.L.", "CL": "SpA", "PE": "S.A.C.", "CO": "S.A.S.", "JP": "K.K.",
    "KR": "Co., Ltd.", "CN": "Co., Ltd.", "HK": "Limited", "TW": "Co., Ltd.", "SG": "Pte. Ltd.",
    "MY": "Sdn. Bhd.", "TH": "Co., Ltd.", "VN": "Co., Ltd.", "ID": "PT", "PH": "Inc.", "IN": "Pvt. Ltd.",
    "PK": "(Pvt.) Ltd.", "BD": "Ltd.", "LK": "(Pvt) Ltd", "AE": "LLC", "SA": "Co.", "QA": "W.L.L.",
    "OM": "LLC", "IL": "Ltd.", "EG": "S.A.E.", "MA": "SARL", "NG": "Ltd", "GH": "Ltd", "KE": "Ltd",
    "TZ": "Ltd", "ZA": "(Pty) Ltd", "AU": "Pty Ltd", "NZ": "Ltd",
}

NAME_STARTS: tuple[str, ...] = (
    "Blue", "North", "Green", "Silver", "Golden", "Oak", "Harbor", "Summit", "River", "Sun",
    "Cedar", "Maple", "Coral", "Amber", "Falcon", "Lotus", "Atlas", "Meridian", "Crescent",
    "Pioneer", "Horizon", "Ever", "Granite", "Willow", "Orchid", "Sapphire", "Delta", "Nova",
    "Vista", "Kestrel", "Bright", "Clear", "Stone", "Lake", "Pine", "Iron", "Copper", "Jade",
)
NAME_ENDS: tuple[str, ...] = (
    "field", "gate", "stone", "bridge", "wood", "crest", "view", "port", "line", "way",
    "brook", "ridge", "haven", "land", "star", "wave", "point", "bay",
)
BUYER_SECTORS: tuple[str, ...] = (
    "Trading", "Imports", "Distribution", "Supply", "Sourcing", "Wholesale", "Commodities",
    "Merchants", "Procurement", "Retail Group",
)


@dataclass(frozen=True)
class TradeProfile:
    """How goods of some HS chapters are traded: unit, prices, order sizes, certificates.

    Attributes:
        chapters: HS chapters (two digits) the profile covers.
        unit: Unit of quantity and price.
        price: Plausible price range per unit in USD.
        quantity: Plausible order size range in units.
        certifications: Certificates buyers of these goods commonly ask for.
        supplier_word: A word for supplier names in this trade.
    """

    chapters: tuple[str, ...]
    unit: str
    price: tuple[float, float]
    quantity: tuple[float, float]
    certifications: tuple[str, ...]
    supplier_word: str


def _chapters(*ranges: tuple[int, int]) -> tuple[str, ...]:
    return tuple(f"{n:02d}" for lo, hi in ranges for n in range(lo, hi + 1))


PROFILES: tuple[TradeProfile, ...] = (
    TradeProfile(_chapters((2, 4), (6, 12), (15, 15), (17, 24)), "t", (250, 9000), (5, 500),
                 ("HACCP", "ISO 22000", "FSSC 22000", "BRCGS", "EU Organic", "Fairtrade", "Halal",
                  "Kosher", "GLOBALG.A.P."), "Agro"),
    TradeProfile(_chapters((13, 14), (28, 38)), "kg", (0.8, 60), (500, 50_000),
                 ("ISO 9001", "REACH", "GMP", "ISO 14001", "COSMOS"), "Chemicals"),
    TradeProfile(_chapters((39, 40)), "kg", (0.9, 12), (1000, 100_000),
                 ("ISO 9001", "RoHS", "REACH", "ISO 14001"), "Polymers"),
    TradeProfile(_chapters((41, 43)), "pieces", (3, 250), (200, 20_000),
                 ("Leather Working Group", "ISO 9001", "BSCI"), "Leather"),
    TradeProfile(_chapters((44, 46), (48, 49)), "m3", (120, 1500), (20, 2000),
                 ("FSC", "PEFC", "ISO 9001"), "Timber"),
    TradeProfile(_chapters((50, 63)), "pieces", (0.8, 45), (1000, 100_000),
                 ("OEKO-TEX Standard 100", "GOTS", "BSCI", "WRAP", "SA8000", "Fairtrade"), "Textiles"),
    TradeProfile(_chapters((64, 67)), "pairs", (4, 90), (500, 50_000),
                 ("BSCI", "ISO 9001", "SA8000"), "Footwear"),
    TradeProfile(_chapters((68, 70)), "kg", (0.4, 30), (1000, 100_000),
                 ("ISO 9001", "CE"), "Ceramics"),
    TradeProfile(_chapters((72, 76), (78, 83)), "t", (450, 9000), (10, 1000),
                 ("ISO 9001", "CE", "ISO 14001", "EN 10204 3.1"), "Metals"),
    TradeProfile(_chapters((84, 85)), "units", (15, 20_000), (10, 5000),
                 ("CE", "UL", "RoHS", "ISO 9001", "FCC"), "Engineering"),
    TradeProfile(_chapters((87, 87), (90, 92)), "units", (20, 15_000), (10, 2000),
                 ("CE", "ISO 13485", "IATF 16949", "ISO 9001"), "Instruments"),
    TradeProfile(_chapters((94, 96)), "pieces", (2, 600), (100, 20_000),
                 ("FSC", "EN 71", "CE", "BSCI", "ISO 9001"), "Home"),
)

# Headings that SME exporters often trade; always part of the seed, and asked for more often.
POPULAR_HEADINGS: tuple[str, ...] = (
    "0306", "0603", "0709", "0713", "0801", "0803", "0804", "0805", "0806", "0810", "0901",
    "0902", "0904", "0910", "1006", "1207", "1509", "1511", "1701", "1801", "1905", "2008",
    "2009", "2106", "2401", "3304", "4202", "4407", "4418", "5208", "5701", "6109", "6203",
    "6204", "6302", "6403", "6911", "7308", "8504", "9403", "9503",
)

REQUEST_NOTES: tuple[str, ...] = (
    "Regular monthly orders possible after a successful first shipment.",
    "Samples required before the first order.",
    "Private-label packaging preferred.",
    "Payment by irrevocable L/C at sight.",
    "Payment 30% T/T in advance, 70% against copy of the bill of lading.",
    "Looking for a long-term supplier; annual contract possible.",
    "Please quote with and without palletisation.",
    "Mixed container loads acceptable.",
)
