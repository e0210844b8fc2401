"""Load the hand-written knowledge articles (``knowledge/corpus/articles/<lang>/<id>.md``).

Each article starts with a small front-matter block between ``---`` lines::

    ---
    id: incoterms-fob
    title: FOB — Free On Board (Incoterms 2020)
    jurisdiction: INT
    topic: incoterms
    language: en
    as_of: 2026-11-01
    sources:
      - title: ICC — Incoterms 2020
        url: https://iccwbo.org/...
    ---

The parser understands only this shape (scalar ``key: value`` lines and the ``sources``
list of ``title``/``url`` pairs); it needs no YAML library.

``split_sections`` cuts an article into retrievable passages, one per ``## `` heading
(the text before the first heading, if any, becomes a passage headed by the title).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
ARTICLES_DIR = CORPUS_DIR / "articles"

REQUIRED_KEYS = ("id", "title", "jurisdiction", "topic", "language", "as_of", "sources")
LANGUAGES = ("en", "de", "zh", "es", "fr")
TOPICS = (
    "incoterms",
    "documents",
    "payment",
    "hs",
    "eu-import",
    "us-import",
    "uk-import",
    "cn-export",
    "export-controls",
    "logistics",
    "platform",
)

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CorpusError(ValueError):
    """An article file that does not follow the expected format."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    jurisdiction: str
    topic: str
    language: str
    as_of: str
    sources: tuple[Source, ...]
    body: str
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Section:
    article_id: str
    title: str  # the article's title
    heading: str  # the section's own heading
    text: str  # the section's text (Markdown, without the heading line)
    language: str
    jurisdiction: str
    topic: str
    as_of: str
    sources: tuple[Source, ...]
    index: int = 0  # position of the section in its article, from 0

    @property
    def anchor(self) -> str:
        """A stable id for the passage: ``<article_id>#<index>``."""
        return f"{self.article_id}#{self.index}"


def _unquote(value: str) -> str:
    """Strip YAML-style quotes: ``"..."`` (with ``\\"`` and ``\\\\`` escapes) or ``'...'``
    (with ``''`` for a quote), so the front matter stays valid YAML for other tools."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def parse_front_matter(text: str, where: str = "<string>") -> tuple[dict, str]:
    """Split ``text`` into (metadata dict, body). ``sources`` becomes a list of dicts."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise CorpusError(f"{where}: missing front matter ('---' on the first line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise CorpusError(f"{where}: front matter is not closed by '---'") from None
    meta: dict = {}
    current_list: list | None = None
    for n, raw in enumerate(lines[1:end], start=2):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        stripped = raw.strip()
        if raw[0] not in " \t-":
            key, sep, value = raw.partition(":")
            if not sep:
                raise CorpusError(f"{where}:{n}: expected 'key: value'")
            key = key.strip()
            value = value.strip()
            if value:
                meta[key] = _unquote(value)
                current_list = None
            else:
                current_list = []
                meta[key] = current_list
            continue
        if current_list is None:
            raise CorpusError(f"{where}:{n}: indented line outside a list")
        if stripped.startswith("- "):
            current_list.append({})
            stripped = stripped[2:].strip()
        if not current_list:
            raise CorpusError(f"{where}:{n}: list item must start with '- '")
        key, sep, value = stripped.partition(":")
        if not sep:
            raise CorpusError(f"{where}:{n}: expected 'key: value' in list item")
        current_list[-1][key.strip()] = _unquote(value)
    body = "\n".join(lines[end + 1 :]).strip("\n")
    return meta, body


def parse_article(text: str, path: Path | None = None) -> Article:
    where = str(path) if path else "<string>"
    meta, body = parse_front_matter(text, where)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise CorpusError(f"{where}: missing keys {missing}")
    extra = sorted(set(meta) - set(REQUIRED_KEYS))
    if extra:
        raise CorpusError(f"{where}: unexpected keys {extra}")
    if not isinstance(meta["sources"], list) or not meta["sources"]:
        raise CorpusError(f"{where}: 'sources' must be a non-empty list")
    sources = []
    for item in meta["sources"]:
        if set(item) != {"title", "url"} or not item["title"] or not item["url"]:
            raise CorpusError(f"{where}: each source needs exactly 'title' and 'url'")
        sources.append(Source(item["title"], item["url"]))
    for key in REQUIRED_KEYS[:-1]:
        if not isinstance(meta[key], str) or not meta[key]:
            raise CorpusError(f"{where}: '{key}' must be a non-empty string")
    return Article(
        id=meta["id"],
        title=meta["title"],
        jurisdiction=meta["jurisdiction"],
        topic=meta["topic"],
        language=meta["language"],
        as_of=meta["as_of"],
        sources=tuple(sources),
        body=body,
        path=path,
    )


def validate_article(article: Article) -> list[str]:
    """Problems with an article's metadata (empty list when it is fine)."""
    problems = []
    if not _ID_RE.match(article.id):
        problems.append(f"id {article.id!r} is not kebab-case")
    if article.language not in LANGUAGES:
        problems.append(f"language {article.language!r} not in {LANGUAGES}")
    if article.topic not in TOPICS:
        problems.append(f"topic {article.topic!r} not in {TOPICS}")
    if not _DATE_RE.match(article.as_of):
        problems.append(f"as_of {article.as_of!r} is not an ISO date")
    if not re.match(r"^[A-Z]{2,3}$", article.jurisdiction):
        problems.append(f"jurisdiction {article.jurisdiction!r} is not a code like INT, EU, US")
    for s in article.sources:
        if not s.url.startswith(("https://", "http://")):
            problems.append(f"source url {s.url!r} is not http(s)")
    if article.path is not None:
        if article.path.stem != article.id:
            problems.append(f"file name {article.path.name} does not match id {article.id}")
        if article.path.parent.name != article.language:
            problems.append(f"folder {article.path.parent.name} does not match language {article.language}")
    if "## " not in article.body:
        problems.append("body has no '## ' section")
    return problems


def load_articles(root: str | Path | None = None) -> list[Article]:
    """Every article under ``root`` (default: ``knowledge/corpus/articles``; the corpus
    directory itself is accepted too), sorted by (language, id). Raises ``CorpusError`` for a
    malformed file. Files are ``<root>/<language>/<id>.md``."""
    base = Path(root) if root is not None else ARTICLES_DIR
    if (base / "articles").is_dir():  # also accept the corpus directory itself
        base = base / "articles"
    articles = [parse_article(p.read_text(encoding="utf-8"), p) for p in sorted(base.glob("*/*.md"))]
    articles.sort(key=lambda a: (a.language, a.id))
    return articles


_HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def split_sections(article: Article) -> list[Section]:
    """One ``Section`` per ``## `` heading (deeper headings stay inside their section).
    Text before the first ``## `` heading (other than a ``# `` title line) becomes a
    section headed by the article title. Empty sections are dropped."""
    chunks: list[tuple[str, list[str]]] = [(article.title, [])]
    in_code = False
    for line in article.body.split("\n"):
        if line.strip().startswith("```"):
            in_code = not in_code
        m = None if in_code else _HEADING_RE.match(line)
        if m and not line.startswith("###"):
            chunks.append((m.group(1).strip(), []))
        elif not in_code and line.startswith("# ") and not chunks[-1][1] and len(chunks) == 1:
            continue  # a top-level title line repeats the article title
        else:
            chunks[-1][1].append(line)
    sections = []
    for heading, body_lines in chunks:
        text = "\n".join(body_lines).strip()
        if not text:
            continue
        sections.append(
            Section(
                article_id=article.id,
                title=article.title,
                heading=heading,
                text=text,
                language=article.language,
                jurisdiction=article.jurisdiction,
                topic=article.topic,
                as_of=article.as_of,
                sources=article.sources,
                index=len(sections),
            )
        )
    return sections


def load_sections(root: str | Path | None = None) -> list[Section]:
    """All sections of all articles (convenience for indexing)."""
    return [s for a in load_articles(root) for s in split_sections(a)]
