"""Text normalisation and tokenisation shared by BM25, the alias matcher and answers.

Latin-script text is lowercased, accent-folded and crudely de-pluralised; Chinese runs
are segmented with jieba (loaded lazily, from the dictionary shipped in the wheel).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？；])\s+|(?<=[。！？；])")

_jieba = None
_jieba_lock = threading.Lock()

# Words that carry no product or regulation meaning, in the five supported languages.
STOPWORDS = frozenset(
    """
    a an and are as at be by can do does for from how i in is it my of on or our the this
    to what when which who why will with we you your me us
    der die das den dem des ein eine einer eines und oder fur mit von zu im in ist sind wie
    was wer wann welche welcher welches ich wir sie es auf aus bei nach uber
    el la los las un una unos unas y o de del en con para por que como cual es son mi mis
    le les des du au aux et ou en avec pour par que quel quelle est sont mon ma mes je nous
    cet cette ces quoi un une dans sur il elle on vous votre vos notre nos
    """.split()
)
# Chinese function words (particles, pronouns, auxiliaries, prepositions, question words).
CJK_STOPWORDS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 是 在 有 我 我们 你 你们 他 她 它 他们 这 那 这个 那个 这些 那些 "
    "吗 呢 吧 啊 就 都 也 还 要 会 能 可以 从 对 把 被 给 上 中 里 什么 怎么 怎样 如何 哪些 哪个 为什么 "
    "一个 一下 请问 请 谁 什么时候 时候 多少 多久 哪里 哪儿 几".split()
)


def has_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese characters."""
    return bool(_CJK_RE.search(text))


def fold(text: str) -> str:
    """Lowercase and strip accents (``Käse`` → ``kase``, ``é`` → ``e``); keeps CJK."""
    text = text.lower().replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _segmenter():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def stem(token: str) -> str:
    """A deliberately crude plural stripper for en/de/es/fr (``shoes`` → ``shoe``)."""
    if len(token) > 4 and token.endswith("es") and token[-3] in "sxzh":
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


@lru_cache(maxsize=4096)
def _segment_cjk(run: str) -> tuple[str, ...]:
    return tuple(w for w in _segmenter().lcut(run) if w.strip())


_NUMBER_UNIT_RE = re.compile(r"(\d+)([a-z]{1,3})|([a-z]{1,3})(\d+)")
_LETTER_HYPHEN_RE = re.compile(r"\b([a-z0-9])-(?=[a-z])")
_SLASH_ABBREV_RE = re.compile(r"\b([a-z])/([a-z])\b")  # d/p, d/a, b/l
# French elision: "l'IOSS", "qu'est-ce", "d'origine" (the article or pronoun is dropped).
_ELISION_RE = re.compile(r"\b(?:l|d|qu|c|j|n|s|m|t|jusqu|lorsqu|puisqu)['\u2019](?=[a-z0-9])|\best-ce\b")


def decompound(tokens: list[str], vocabulary) -> list[str]:
    """Split unknown compounds (German ``herrenpullover``) at a known head word.

    A token not in ``vocabulary`` is replaced by its longest known suffix (at least 4
    letters, leaving at least 3) plus the remaining prefix when that is known too.
    Compounds in German (and some Dutch-like product names) are head-final, so the
    suffix names the product.
    """
    out: list[str] = []
    for tok in tokens:
        if tok in vocabulary or len(tok) < 7 or has_cjk(tok):
            out.append(tok)
            continue
        for cut in range(3, len(tok) - 3):
            head = tok[cut:]
            if head in vocabulary:
                prefix = tok[:cut]
                if prefix in vocabulary:
                    out.append(prefix)
                elif prefix.endswith("s") and prefix[:-1] in vocabulary:  # Fugen-s
                    out.append(prefix[:-1])
                out.append(head)
                break
        else:
            out.append(tok)
    return out


def tokenize(text: str, *, stopwords: bool = True) -> list[str]:
    """Tokens for lexical matching: folded, stemmed Latin words and jieba-segmented Chinese.

    Args:
        text: any text in en/de/zh/es/fr.
        stopwords: drop common function words when True.

    Returns:
        The token list (may be empty).
    """
    out: list[str] = []
    # "t-shirt", "e-bike", "x-ray": a one-letter prefix belongs to the word.
    folded = _SLASH_ABBREV_RE.sub(r"\1\2", _LETTER_HYPHEN_RE.sub(r"\1", _ELISION_RE.sub(" ", fold(text))))
    for tok in _TOKEN_RE.findall(folded):
        if _CJK_RE.fullmatch(tok):
            out.extend(w for w in _segment_cjk(tok) if not (stopwords and w in CJK_STOPWORDS))
            continue
        if stopwords and tok in STOPWORDS:
            continue
        parts = _NUMBER_UNIT_RE.fullmatch(tok)
        if parts:  # "20ft" -> "20", "ft"; "un3480" -> "un", "3480"
            out.extend(p for p in parts.groups() if p)
            continue
        out.append(stem(tok))
    return out


def compact(text: str) -> str:
    """Folded text with everything but letters, digits and CJK removed (for substrings)."""
    return "".join(_TOKEN_RE.findall(fold(text)))


# A period that does not end a sentence: abbreviations ("z. B.", "e.g.", "Nr.") and German
# ordinal dates ("1. Juli 2021").
_ABBREVIATION_END_RE = re.compile(
    r"(?:^|[\s(])(?:z|Z|B|d|h|u|a|e\.g|i\.e|Nr|No|Art|Abs|ca|bzw|etc|vs|approx|resp|cf|Mio|Mrd|Dr|St|Ltd|Inc|Co|ggf|evtl|inkl|zzgl|max|min)\.$"
)
_GERMAN_MONTHS_RE = re.compile(
    r"^(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)


def sentences(text: str) -> list[str]:
    """Split prose into sentences (Latin and Chinese punctuation), keeping abbreviations
    and German ordinal dates inside their sentence."""
    out: list[str] = []
    for part in (p.strip() for p in _SENTENCE_RE.split(text.replace("\n", " "))):
        if not part:
            continue
        if out and (_ABBREVIATION_END_RE.search(out[-1])
                    or (re.search(r"(?:^|\s)\d{1,2}\.$", out[-1]) and _GERMAN_MONTHS_RE.match(part))):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out
