"""The conversation service end to end over a real database (no HTTP)."""

import asyncio

from bot.bootstrap import bootstrap
from bot.messages import InboundMessage


def _container(settings_factory, database_url):
    return bootstrap(settings_factory(database_url=database_url))


async def test_language_flow_survives_a_new_service(settings_factory, database_url):
    c1 = _container(settings_factory, database_url)
    turn = await c1.service.handle(InboundMessage("rest", "u1", "/lang"))
    assert [b.payload for b in turn.replies[0].buttons] == ["/lang en", "/lang de", "/lang zh", "/lang es", "/lang fr"]
    c1.close()
    c2 = _container(settings_factory, database_url)  # a "restart": new engine, new service
    turn = await c2.service.handle(InboundMessage("rest", "u1", "Español"))
    assert turn.language == "es" and "español" in turn.replies[0].text
    turn = await c2.service.handle(InboundMessage("rest", "u1", "hello"))
    assert turn.language == "es" and turn.intent == "greeting" and turn.replies[0].text.startswith("¡Hola")
    c2.close()


async def test_cancel_and_unknown_command(settings_factory, database_url):
    c = _container(settings_factory, database_url)
    await c.service.handle(InboundMessage("rest", "u2", "/lang"))
    turn = await c.service.handle(InboundMessage("rest", "u2", "/cancel"))
    assert "stopped" in turn.replies[0].text
    turn = await c.service.handle(InboundMessage("rest", "u2", "/cancel"))
    assert "nothing to cancel" in turn.replies[0].text
    turn = await c.service.handle(InboundMessage("rest", "u2", "/teleport"))
    assert turn.intent == "out_of_scope" and "/teleport" in turn.replies[0].text
    c.close()


async def test_locale_hint_then_sticky(settings_factory, database_url):
    c = _container(settings_factory, database_url)
    turn = await c.service.handle(InboundMessage("telegram", "42", "/start", locale="de-DE"))
    assert turn.language == "de" and turn.replies[0].text.startswith("Hallo")
    turn = await c.service.handle(InboundMessage("telegram", "42", "/help", locale="fr"))
    assert turn.language == "de"  # sticky until the merchant switches
    c.close()


async def test_concurrent_duplicates_process_once(settings_factory, database_url):
    c = _container(settings_factory, database_url)
    msg = InboundMessage("rest", "u3", "/help", message_id="m-1")
    turns = await asyncio.gather(*[c.service.handle(msg) for _ in range(10)])
    assert len({t.conversation_id for t in turns}) == 1
    assert all(t == turns[0] for t in turns)
    transcript = c.store.transcript(turns[0].conversation_id)
    assert [e.direction for e in transcript] == ["in", "out"]
    c.close()


async def test_cancel_word_in_each_language_and_stale_flow_expiry(settings_factory, database_url, monkeypatch):
    c = _container(settings_factory, database_url)
    for word in ("abbrechen", "取消", "cancelar", "Annuler !"):
        await c.service.handle(InboundMessage("rest", "u5", "/lang"))
        turn = await c.service.handle(InboundMessage("rest", "u5", word))
        assert turn.replies[0].text == c.translator.text("cancel.done", turn.language), word
    await c.service.handle(InboundMessage("rest", "u6", "/lang"))
    import bot.conversation as conversation
    monkeypatch.setattr(conversation, "FLOW_TTL_SECONDS", -1)  # the flow is now stale
    turn = await c.service.handle(InboundMessage("rest", "u6", "Deutsch"))
    assert "Deutsch" not in turn.replies[0].text  # not taken as the flow's answer
    assert c.store.find("rest", "u6").state.get("language_explicit") is None
    c.close()
