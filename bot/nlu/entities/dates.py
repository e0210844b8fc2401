"""Dates in chat, resolved against ``today``: ISO and numeric dates, month names (Babel),
"tomorrow", "next Monday", "nächsten Freitag", "下周一", "el próximo lunes", "lundi prochain",
"in 3 days".

Conventions: a bare or "next" weekday is the first such day after today; "下周X" and
"next week Monday" are that day of the next calendar week; a date without a year is
its next occurrence from today on.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from babel.dates import get_month_names

from .numbers import parse_chinese_number

WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate((
    ("monday", "montag", "lunes", "lundi"),
    ("tuesday", "dienstag", "martes", "mardi"),
    ("wednesday", "mittwoch", "miércoles", "miercoles", "mercredi"),
    ("thursday", "donnerstag", "jueves", "jeudi"),
    ("friday", "freitag", "viernes", "vendredi"),
    ("saturday", "samstag", "sonnabend", "sábado", "sabado", "samedi"),
    ("sunday", "sonntag", "domingo", "dimanche"),
)):
    for _name in _names:
        WEEKDAYS[_name] = _index
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_RELATIVE_DAYS = {
    "today": 0, "tomorrow": 1, "day after tomorrow": 2, "the day after tomorrow": 2,
    "heute": 0, "morgen": 1, "übermorgen": 2, "uebermorgen": 2, "ubermorgen": 2,
    "hoy": 0, "mañana": 1, "manana": 1, "pasado mañana": 2, "pasado manana": 2,
    "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1, "après-demain": 2, "apres-demain": 2,
    "aprés-demain": 2,
    "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "後天": 2, "大后天": 3,
}
_SMALL_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10,
    "einem": 1, "einer": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
}
_UNIT_DAYS = {"day": 1, "days": 1, "tag": 1, "tagen": 1, "tage": 1, "día": 1, "días": 1,
              "dia": 1, "dias": 1, "jour": 1, "jours": 1, "week": 7, "weeks": 7,
              "woche": 7, "wochen": 7, "semana": 7, "semanas": 7, "semaine": 7,
              "semaines": 7, "天": 1, "日": 1, "周": 7, "星期": 7, "个星期": 7, "個星期": 7}

_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NEXT_WEEK = (
    r"(?:next week|nächste woche|naechste woche|kommende woche|la semana que viene|"
    r"la próxima semana|la proxima semana|la semaine prochaine)"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    ("zh_full", re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]")),
    ("numeric", re.compile(
        r"(?<![\d.,/])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/]|[.,]\d)")),
    ("zh_next_week", re.compile(r"下(?:个)?(?:周|星期|礼拜|禮拜|週)([一二三四五六日天])")),
    ("zh_this_week", re.compile(r"(?:这|這|本)(?:个)?(?:周|星期|礼拜|週)([一二三四五六日天])")),
    ("zh_weekday", re.compile(r"(?<![下这這本个])(?:周|星期|礼拜|禮拜|週)([一二三四五六日天])")),
    ("next_week_day", re.compile(
        rf"(?i)\b{_NEXT_WEEK}\s*(?:on\s+|am\s+|el\s+|le\s+)?({_WD})\b"
        rf"|\b({_WD})\s+(?:of\s+)?{_NEXT_WEEK}")),
    ("weekday", re.compile(
        rf"(?i)(?:\b(?:next|this|coming|on|nächsten|nächster|nächste|naechsten|kommenden|"
        rf"diesen|am|el próximo|el proximo|próximo|proximo|este|el|ce|le)\s+)?\b({_WD})\b"
        rf"(?:\s+(?:prochain|que viene|próximo|proximo))?")),
    ("in_days", re.compile(
        r"(?i)\b(?:in|within|dentro de|en|dans|d'ici)\s+(\d{1,3}|[a-zäöüéè]+)\s+"
        r"(days?|tag(?:en|e)?|días?|dias?|jours?|weeks?|wochen?|semanas?|semaines?)\b")),
    ("zh_in_days", re.compile(
        r"(\d{1,3}|[一二两三四五六七八九十]+)\s*(天|个星期|個星期|星期|周)(?:之?后|以后|後)")),
    ("relative", re.compile(
        r"(?i)(?<![\w-])(the day after tomorrow|day after tomorrow|pasado ma[ñn]ana|"
        r"apr[èe]s-demain|[üu]e?bermorgen|aujourd[’']hui|大后天|today|tomorrow|heute|morgen|"
        r"hoy|ma[ñn]ana|demain|今天|今日|明天|明日|后天|後天)(?![\w-])")),
]
_DATE_CUE = re.compile(
    r"(?i)\b(?:on|by|until|till|before|from|am|bis|zum|ab|vor|el|para|antes del?|desde|"
    r"le|pour|avant le|à partir du|au)\s*$")
# "Guten Morgen", "por la mañana", "heute Morgen": times of day, not dates.
_NOT_A_DATE = re.compile(r"(?i)(?:guten|heute|gestern|morgen)\s*$|(?:por|de|esta|la)\s*$")


@functools.lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in ("en", "de", "es", "fr"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    key = name.lower().rstrip(".")
                    if len(key) >= 3:
                        names[key] = number
    names.pop("mar", None)  # Spanish "mar" is the sea
    return names


@functools.lru_cache(maxsize=1)
def _month_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    months = "|".join(re.escape(m) for m in sorted(_month_names(), key=len, reverse=True))
    day_first = re.compile(
        rf"(?i)(?<![\d.])(\d{{1,2}})(?:\.|st|nd|rd|th|er)?\s+(?:de\s+|of\s+)?({months})\.?"
        rf"(?:\s+(?:de\s+)?(\d{{4}}))?\b")
    month_first = re.compile(
        rf"(?i)\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
    return day_first, month_first


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _without_year(today: dt.date, month: int, day: int) -> dt.date | None:
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _upcoming(today: dt.date, weekday: int) -> dt.date:
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _next_week(today: dt.date, weekday: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    return monday + dt.timedelta(days=weekday)


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _SMALL_NUMBERS:
        return _SMALL_NUMBERS[word.lower()]
    value = parse_chinese_number(word)
    return int(value) if value is not None else None


def _resolve(kind: str, match: re.Match[str], today: dt.date, language: str) -> dt.date | None:
    g = match.groups()
    if kind == "iso":
        return _safe_date(int(g[0]), int(g[1]), int(g[2]))
    if kind == "zh_full":
        if g[0]:
            return _safe_date(int(g[0]), int(g[1]), int(g[2]))
        return _without_year(today, int(g[1]), int(g[2]))
    if kind == "numeric":
        first, sep, second, year = int(g[0]), g[1], int(g[2]), g[3]
        if sep == "." and year is None and language in ("en", "zh"):
            return None  # "2.5" is a number in English
        day, month = (second, first) if language == "en" and first <= 12 else (first, second)
        if not year:
            # "1/2" may be a half: without a year, want "12/03" or a cue ("on 1/2").
            cue = _DATE_CUE.search(match.string[max(0, match.start() - 12):match.start()])
            if not (len(g[0]) == len(g[2]) == 2 or cue):
                return None
            return _without_year(today, month, day)
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full, month, day)
    if kind == "zh_next_week":
        return _next_week(today, _ZH_DAYS[g[0]])
    if kind == "zh_this_week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=_ZH_DAYS[g[0]])
    if kind == "zh_weekday":
        return _upcoming(today, _ZH_DAYS[g[0]])
    if kind == "next_week_day":
        return _next_week(today, WEEKDAYS[(g[0] or g[1]).lower()])
    if kind == "weekday":
        return _upcoming(today, WEEKDAYS[g[0].lower()])
    if kind in ("in_days", "zh_in_days"):
        count = _count(g[0].lower())
        unit = _UNIT_DAYS.get(g[1].lower())
        if count is None or unit is None or count > 400:
            return None
        return today + dt.timedelta(days=count * unit)
    if kind == "relative":
        ambiguous = g[0].lower() in ("morgen", "mañana", "manana")
        if ambiguous and _NOT_A_DATE.search(match.string[:match.start()]):
            return None
        days = _RELATIVE_DAYS.get(g[0].lower())
        return None if days is None else today + dt.timedelta(days=days)
    return None


def find_dates(text: str, language: str, today: dt.date) -> list[tuple[int, int, dt.date]]:
    """Find dates in ``text``.

    Args:
        text: The message.
        language: ISO 639-1 code (decides ``03/04`` day-first or month-first).
        today: The reference day for relative expressions.

    Returns:
        ``(start, end, date)`` for each date, in order of appearance.
    """
    found: list[tuple[int, int, dt.date]] = []

    def add(start: int, end: int, value: dt.date | None) -> None:
        if value is not None and not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, value))

    day_first, month_first = _month_patterns()
    months = _month_names()
    for match in day_first.finditer(text):
        month = months[match.group(2).lower().rstrip(".")]
        year = match.group(3)
        value = (_safe_date(int(year), month, int(match.group(1))) if year
                 else _without_year(today, month, int(match.group(1))))
        add(match.start(), match.end(), value)
    for match in month_first.finditer(text):
        month = months[match.group(1).lower().rstrip(".")]
        year = match.group(3)
        value = (_safe_date(int(year), month, int(match.group(2))) if year
                 else _without_year(today, month, int(match.group(2))))
        add(match.start(), match.end(), value)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            add(match.start(), match.end(), _resolve(kind, match, today, language))
    found.sort(key=lambda item: item[0])
    return found
