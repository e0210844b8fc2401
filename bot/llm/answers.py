"""Knowledge answers written by the model from retrieved passages only, cited by passage id.

The offline composer (``knowledge.answers``) decides first whether retrieval found
anything relevant; only then does the model see those passages (plus the next best
relevant hits, and the offline answer's structured data, e.g. an Incoterms rule rendered
from our tables) and write an answer in the merchant's language. Its output is checked —
every cited id must be one of the blocks it was given, the text carries no links or
contacts, and it is in the merchant's language — or the offline answer is used.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Sequence

from knowledge.answers import FRAMING, Answer, is_relevant
from knowledge.retrieval import Passage

from bot.llm.guard import DATA_RULES, GuardViolation, check_free_text, fence, function_tool, only_tool_call
from bot.llm.runtime import LlmError, LlmRuntime

log = logging.getLogger(__name__)
PURPOSE = "answer"
TOOL = "cite_answer"
STRUCTURED_ID = "data:structured"  # the citation id of the structured-data block
MAX_PASSAGES = 8
PASSAGE_CHARS = 1500
ANSWER_CHARS = 1500
EXTRA_HITS = 6
LANGUAGE_NAMES = {"en": "English", "de": "German", "zh": "Simplified Chinese", "es": "Spanish", "fr": "French"}
WRONG_LANGUAGE_CONFIDENCE = 0.7

ANSWER_TOOL = function_tool(
    TOOL, "Give the merchant the answer, grounded in the passages, with the ids of the passages used.",
    {"supported": {"type": "boolean",
                   "description": "false when the passages do not contain the answer"},
     "answer": {"type": "string", "description": "the answer text; empty when not supported"},
     "citations": {"type": "array", "items": {"type": "string"},
                   "description": "ids of the passages the answer is based on"}},
    ["supported", "answer", "citations"])

Search = Callable[[str, str, int], Sequence[Passage]]
LanguageCheck = Callable[[str], tuple[str, float]]


def default_language_check(text: str) -> tuple[str, float]:
    from bot.nlu.language import detect_language

    return detect_language(text)


def system_prompt(language: str) -> str:
    name = LANGUAGE_NAMES.get(language, "English")
    return (
        "You write answers for tradebot, an assistant for small exporters. Answer the merchant's question "
        "using only facts stated in the passages. Do not add facts, numbers or advice from elsewhere. "
        f"Write the answer in {name}, even when the passages are in English: translate faithfully and keep "
        "codes, numbers, dates and names unchanged. At most 150 words, plain text. Structured data, when "
        f"given, is exact: prefer it. Call {TOOL} with the ids of every block you used. If the passages do "
        f"not answer the question, call {TOOL} with supported=false, an empty answer and no citations.\n\n"
        + DATA_RULES)


def user_prompt(question: str, passages: Sequence[Passage], structured: str = "") -> str:
    blocks = [fence("structured_data", structured, ident=STRUCTURED_ID, limit=PASSAGE_CHARS)] if structured else []
    blocks += [fence("passage", f"{p.title}\n{p.heading}\n{p.text}", ident=p.id, limit=PASSAGE_CHARS)
               for p in passages]
    return "Passages:\n" + "\n".join(blocks) + "\n\nThe merchant's question:\n" + fence("message", question)


def structured_part(offline: Answer) -> tuple[str, list[dict[str, Any]]]:
    """The offline answer's structured-data text (without its source line) and its sources."""
    if not getattr(offline, "structured", ""):
        return "", []
    return offline.text.rsplit("\n\n", 1)[0], list(offline.sources)


class LlmAnswerComposer:
    """Passages in, a cited answer out (or a refusal); any doubt keeps the offline answer.

    Args:
        runtime: the LLM runtime.
        search: ``KnowledgeService.search``-like ``(query, language, k)`` for extra passages.
        language_check: ``text → (language, confidence)``; None disables the check.
    """

    def __init__(self, runtime: LlmRuntime, search: Search | None = None, *,
                 language_check: LanguageCheck | None = default_language_check) -> None:
        self._runtime = runtime
        self._search = search
        self._language_check = language_check

    async def improve(self, question: str, language: str, offline: Answer) -> Answer | None:
        """The model's answer for a question the offline engine could answer.

        Returns:
            The model's cited answer; None when the model says the passages do not answer
            the question; ``offline`` itself after a timeout, provider error or bad output.
        """
        passages = await self._passages(question, language, offline.passages)
        structured, structured_sources = structured_part(offline)
        if not passages and not structured:
            return offline
        try:
            return await self.compose(question, language, passages, structured=structured,
                                      structured_sources=structured_sources)
        except LlmError as exc:
            self._runtime.fallback(PURPOSE, exc.reason)
        except GuardViolation as exc:
            self._runtime.fallback(PURPOSE, exc.reason)
        return offline

    async def compose(self, question: str, language: str, passages: Sequence[Passage], *,
                      structured: str = "", structured_sources: Sequence[dict[str, Any]] = ()) -> Answer | None:
        """Ask the model; validate; build the answer with our own source line.

        Args:
            question: the merchant's question.
            language: the merchant's language.
            passages: the retrieved passages the answer may use.
            structured: rendered structured data (cited as :data:`STRUCTURED_ID`), if any.
            structured_sources: the sources backing ``structured``.

        Returns:
            The cited answer, or None when the model says the data does not answer it.

        Raises:
            LlmError: the model could not be reached in time.
            GuardViolation: the output broke a rule (unknown citation, link, language ...).
        """
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(system_prompt(language)),
                    HumanMessage(user_prompt(question, passages, structured))]
        reply = await self._runtime.acall(PURPOSE, messages, tools=[ANSWER_TOOL], tool_choice=TOOL, stream=True)
        args = only_tool_call(reply, TOOL)
        if args.get("supported") is False:
            return None
        by_id = {p.id: p for p in passages}
        citations = args.get("citations")
        if not isinstance(citations, list) or not citations or not all(isinstance(c, str) for c in citations):
            raise GuardViolation("no_citation")
        known = set(by_id) | ({STRUCTURED_ID} if structured else set())
        unknown = [c for c in citations if c not in known]
        if unknown:
            raise GuardViolation("unknown_citation", ", ".join(unknown)[:200])
        source_text = "\n".join([structured, *(p.text for p in passages)])
        text = check_free_text(args.get("answer"), limit=ANSWER_CHARS, allowed_source=source_text)
        await self._check_language(text, language)
        cited = [by_id[c] for c in dict.fromkeys(citations) if c in by_id]
        data_sources = list(structured_sources) if STRUCTURED_ID in citations else []
        return _answer(text, language, cited, data_sources)

    async def _check_language(self, text: str, language: str) -> None:
        if self._language_check is None:
            return
        detected, confidence = await asyncio.to_thread(self._language_check, text)
        if detected != language and confidence >= WRONG_LANGUAGE_CONFIDENCE:
            raise GuardViolation("wrong_language", detected)

    async def _passages(self, question: str, language: str, offline: Sequence[Passage]) -> list[Passage]:
        chosen = list(offline)
        if self._search is not None:
            try:
                hits = await asyncio.to_thread(self._search, question, language, EXTRA_HITS)
            except Exception:  # extra context only: the offline answer's passages suffice
                log.warning("extra passages unavailable", exc_info=True)
                hits = []
            chosen += [p for p in hits if is_relevant(p)]
        unique = list({p.id: p for p in chosen}.values())
        return unique[:MAX_PASSAGES]


def _answer(text: str, language: str, cited: Sequence[Passage],
            data_sources: Sequence[dict[str, Any]] = ()) -> Answer:
    lang = language if language in FRAMING["sources"] else "en"
    sources: list[dict[str, Any]] = [{"id": s["id"], "title": s["title"]} for s in data_sources]
    cites: list[str] = [f"{s['title']} ({s['id']})" for s in data_sources]
    for p in cited:
        if all(s["id"] != p.article_id for s in sources):
            sources.append({"id": p.article_id, "title": p.title})
            date = f", {FRAMING['as_of'][lang]} {p.as_of}" if p.as_of else ""
            cites.append(f"{p.title} ({p.article_id}{date})")
    body = f"{text}\n\n{FRAMING['sources'][lang]}: {'; '.join(cites)}"
    return Answer(body, sources, lang, False, list(cited))
