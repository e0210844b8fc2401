"""The composition root: builds every adapter from the settings; tests pass overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from connectors.client import HttpPlatformClient
from knowledge.service import KnowledgeService

from bot.conversation import ConversationService
from bot.i18n import Translator
from bot.metrics import Metrics
from bot.settings import Settings
from bot.skills.base import Skill, SkillRegistry
from bot.skills.greeting import GreetingSkill
from bot.skills.classify import ClassifySkill
from bot.skills.handoff import HandoffSkill
from bot.skills.knowledge import KnowledgeSkill
from bot.skills.language import LanguageSkill
from bot.skills.out_of_scope import OutOfScopeSkill
from bot.store.conversations import ConversationStore
from bot.store.db import make_engine, migrate
from bot.store.handoffs import HandoffStore
from bot.store.outbox import OutboxStore
from bot.staff.accounts import StaffAccounts
from bot.staff.desk import StaffDesk
from bot.understanding import Recognizer


PLATFORM_PREFIX = "/platform/v1"
SANDBOX_BASE = "http://sandbox.internal"


@dataclass
class Container:
    """The wired application: what channels and commands need."""

    settings: Settings
    engine: Engine
    store: ConversationStore
    outbox: OutboxStore
    service: ConversationService
    metrics: Metrics
    translator: Translator
    platform: HttpPlatformClient
    knowledge: KnowledgeService
    platform_app: Any | None  # the built-in sandbox (mounted at /platform/v1) when no URL is set
    accounts: StaffAccounts
    desk: StaffDesk
    handoffs: HandoffStore
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()
        state = getattr(getattr(self.platform_app, "state", None), "platform", None)
        if state is not None:
            state.dispose()


def bootstrap(settings: Settings, *, recognizer: Recognizer | None = None,
              skills: list[Skill] | None = None, engine: Engine | None = None,
              run_migrations: bool = True, knowledge: KnowledgeService | None = None) -> Container:
    """Wire the application for ``settings``.

    Args:
        settings: the configuration.
        recognizer: replaces the default recognizer (tests, or the NLU engine).
        skills: replaces the default skill list.
        engine: replaces the database engine built from the settings.
        run_migrations: bring the schema up to date before returning.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine or make_engine(settings.resolved_database_url)
    if run_migrations:
        migrate(engine)
    metrics = Metrics()
    translator = Translator()
    store = ConversationStore(engine)
    platform, platform_app = make_platform(settings)
    knowledge = knowledge or KnowledgeService(settings.resolved_index_dir, settings.chroma_url,
                                              embedder=shared_embedder())
    llm = llm_components(settings, metrics, knowledge)
    deps = SkillDeps(settings=settings, engine=engine, platform=platform, translator=translator,
                     knowledge=knowledge, llm=llm)
    registry = SkillRegistry(skills if skills is not None else default_skills(deps), fallback=OutOfScopeSkill())
    recognizer = recognizer or default_recognizer(settings)
    service_class = ConversationService
    if llm is not None:  # LLM mode: the model helps on doubt, the offline engine stays underneath
        recognizer, service_class = llm.wrap_recognizer(recognizer), llm.service_class
    service = service_class(store, registry, recognizer, translator,
                            default_language=settings.default_locale, metrics=metrics)
    handoffs = HandoffStore(engine)
    desk = StaffDesk(store, handoffs, service, translator, push_channels=push_channels(settings))
    return Container(settings=settings, engine=engine, store=store, outbox=OutboxStore(engine),
                     service=service, metrics=metrics, translator=translator,
                     accounts=StaffAccounts(engine), desk=desk, handoffs=handoffs,
                     platform=platform, platform_app=platform_app, knowledge=knowledge,
                     extras={"llm": llm} if llm is not None else {})


def make_platform(settings: Settings) -> tuple[HttpPlatformClient, Any | None]:
    """The platform client: to ``TRADEBOT_PLATFORM_URL``, or to the built-in sandbox in-process."""
    if settings.platform_url:
        return HttpPlatformClient(settings.platform_url), None
    import httpx

    from connectors.sandbox.app import create_platform_app

    db = f"sqlite:///{(settings.data_dir / 'platform.sqlite3').resolve()}"
    app = create_platform_app(db)
    client = HttpPlatformClient(f"{SANDBOX_BASE}{PLATFORM_PREFIX}", transport=httpx.ASGITransport(app=app, root_path=PLATFORM_PREFIX))
    return client, app


def llm_components(settings: Settings, metrics: Metrics, knowledge: KnowledgeService):  # noqa: ANN201
    """LLM mode's parts (``bot.llm``, imported only then) when ``TRADEBOT_LLM`` is set, else None."""
    if not settings.llm:
        return None
    from bot.llm import build_llm

    return build_llm(settings, metrics, search=knowledge.search)


def push_channels(settings: Settings) -> set[str]:
    """Channels that deliver out-of-band messages by push in this configuration."""
    channels = set()
    if settings.rest_callback_url:
        channels.add("rest")
    if settings.telegram_token:
        channels.add("telegram")
    if settings.whatsapp_access_token and settings.whatsapp_phone_number_id and settings.whatsapp_app_secret:
        channels.add("whatsapp")
    return channels


_SHARED: dict[str, Any] = {}  # per process: read-only after loading and thread-safe


def shared_embedder():  # noqa: ANN201
    """The multilingual sentence encoder, loaded once and shared by NLU and retrieval."""
    if "embedder" not in _SHARED:
        from knowledge.embeddings import make_embedder

        _SHARED["embedder"] = make_embedder("default")
    return _SHARED["embedder"]


def _nlu_engine(cache_dir: Path):  # noqa: ANN202
    if "nlu" not in _SHARED:
        from bot.nlu import NluEngine
        from bot.nlu_recognizer import SharedEmbedder

        _SHARED["nlu"] = NluEngine(cache_dir=cache_dir, embedder=SharedEmbedder(shared_embedder()))
    return _SHARED["nlu"]


def default_recognizer(settings: Settings) -> Recognizer:
    """The offline NLU engine (loaded lazily, shared by every container of this process)."""
    from bot.flows.commands import FlowCommands
    from bot.nlu_recognizer import NluRecognizer

    return FlowCommands(NluRecognizer(_nlu_engine((settings.data_dir / "nlu-cache").resolve())))


@dataclass
class SkillDeps:
    """What skills may be built with (adapters only; skills never build their own)."""

    settings: Settings
    engine: Engine
    platform: HttpPlatformClient
    translator: Translator
    knowledge: KnowledgeService
    llm: Any = None  # bot.llm.LlmComponents in LLM mode; flows may use ``llm.listing_text``


def default_skills(deps: SkillDeps) -> list[Skill]:
    """Every skill of the product, one per intent (plus the language command)."""
    composer = deps.llm.composer if deps.llm is not None else None
    skills: list[Skill] = [GreetingSkill(), LanguageSkill(), HandoffSkill(),
                           KnowledgeSkill(deps.knowledge, composer), ClassifySkill(deps.knowledge)]
    from bot.flows import flow_skills  # merchant flows: find buyers, listing, shipping, tracking

    skills += flow_skills(deps)
    return skills
