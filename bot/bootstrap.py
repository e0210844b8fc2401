"""The composition root: builds every adapter from the settings; tests pass overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot.conversation import ConversationService
from bot.i18n import Translator
from bot.metrics import Metrics
from bot.settings import Settings
from bot.skills.base import Skill, SkillRegistry
from bot.skills.greeting import GreetingSkill
from bot.skills.handoff import HandoffSkill
from bot.skills.language import LanguageSkill
from bot.skills.out_of_scope import OutOfScopeSkill
from bot.store.conversations import ConversationStore
from bot.store.db import make_engine, migrate
from bot.store.handoffs import HandoffStore
from bot.store.outbox import OutboxStore
from bot.staff.accounts import StaffAccounts
from bot.staff.desk import StaffDesk
from bot.understanding import CommandRecognizer, Recognizer


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
    accounts: StaffAccounts
    desk: StaffDesk
    handoffs: HandoffStore
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, recognizer: Recognizer | None = None,
              skills: list[Skill] | None = None, engine: Engine | None = None,
              run_migrations: bool = True) -> Container:
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
    registry = SkillRegistry(skills if skills is not None else default_skills(), fallback=OutOfScopeSkill())
    service = ConversationService(store, registry, recognizer or CommandRecognizer(), translator,
                                  default_language=settings.default_locale, metrics=metrics)
    handoffs = HandoffStore(engine)
    desk = StaffDesk(store, handoffs, service, translator, push_channels=push_channels(settings))
    return Container(settings=settings, engine=engine, store=store, outbox=OutboxStore(engine),
                     service=service, metrics=metrics, translator=translator,
                     accounts=StaffAccounts(engine), desk=desk, handoffs=handoffs)


def push_channels(settings: Settings) -> set[str]:
    """Channels that deliver out-of-band messages by push in this configuration."""
    channels = set()
    if settings.rest_callback_url:
        channels.add("rest")
    if settings.telegram_token:
        channels.add("telegram")
    if settings.whatsapp_access_token and settings.whatsapp_phone_number_id:
        channels.add("whatsapp")
    return channels


def default_skills() -> list[Skill]:
    return [GreetingSkill(), LanguageSkill(), HandoffSkill()]
