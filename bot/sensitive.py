"""Topics the bot must not advise on alone: legal questions about sanctions and export controls."""

from __future__ import annotations

import re

# Legal advice on sanctions or export control is for people, not for a bot.
_CONTROLS = re.compile(
    r"sanction|embargo|dual[- ]use|export control|ofac|sdn|itar|ear99|"
    r"sanktion|embargo|ausfuhrkontrolle|dual-use|"
    r"制裁|禁运|两用|出口管制|"
    r"sanci[oó]n|control de exportaci|doble uso|"
    r"sanction|contr[ôo]le des exportations|double usage", re.I)
_LEGAL = re.compile(
    r"\b(legal|lawyer|liable|allowed|permitted|is it legal|can i (still )?(sell|ship|export)|"
    r"rechtlich|erlaubt|anwalt|darf ich|legal|permitido|abogado|puedo (vender|exportar)|"
    r"légal|autorisé|avocat|ai-je le droit|puis-je (vendre|exporter))\b|合法|允许|律师|可以(出口|卖)", re.I)



def mentions_controls(text: str) -> bool:
    """The message is about sanctions, embargoes or export controls."""
    return bool(_CONTROLS.search(text))


def asks_legal_advice_on_controls(text: str) -> bool:
    """The merchant asks whether something is legal under sanctions or export controls."""
    return mentions_controls(text) and bool(_LEGAL.search(text))
