"""Exactly once: duplicated confirmations, platform outages and timeouts, restarts."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bot.flows.actions import ActionStore
from connectors.sandbox.faults import FaultConfig
from tests.flows.conftest import text_of
from tests.flows.conftest import listings_of, merchant_token
from tests.flows.test_listing import confirm_payload

ONE_MESSAGE = "I want to list green tea, 20 t at 4.20 USD/kg FOB, MOQ 2 t, lead time 14 days"


def to_summary(bot, sender: str) -> dict:
    bot.say(sender, ONE_MESSAGE)
    bot.say(sender, "Lotus Tea Ltd, China")
    bot.say(sender, "yes")
    summary = bot.say(sender, "-")
    assert "Shall I publish it?" in text_of(summary), text_of(summary)
    return summary


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_duplicated_confirmation_on_two_workers_creates_one_listing(bot_factory, sandbox, database_url):
    first, second = bot_factory(database_url=database_url), bot_factory(database_url=database_url)  # two workers
    payload = confirm_payload(to_summary(first, "dup-1"))
    with ThreadPoolExecutor(4) as pool:
        turns = list(pool.map(lambda args: args[0].say("dup-1", payload, message_id=args[1]),
                              [(first, "tap-1"), (second, "tap-2"), (first, "tap-3"), (second, "tap-4")]))
    assert any("is live" in text_of(t) for t in turns)
    listings = listings_of(sandbox, merchant_token(first, "dup-1"))
    assert len(listings) == 1
    for turn in turns:  # every answer that names a listing names the same one
        if "is live" in text_of(turn):
            assert listings[0].listing_id in text_of(turn)


def test_outage_keeps_the_confirmed_listing_and_a_restart_completes_it_once(bot_factory, sandbox, database_url):
    bot = bot_factory(database_url=database_url)
    payload = confirm_payload(to_summary(bot, "down-1"))
    sandbox.stop()  # the platform goes away between the summary and the confirmation
    queued = bot.say("down-1", payload)
    assert "not reachable" in text_of(queued) and "saved" in text_of(queued)
    assert "/human" in [b["payload"] for r in queued["replies"] for b in r["buttons"]]
    status = bot.say("down-1", "/status")
    assert "Waiting for the platform" in text_of(status) and "listing" in text_of(status)
    token = bot.container.accounts.add("alice")
    cid = queued["conversation_id"]
    summary = httpx.get(f"{bot.server.url}/api/staff/conversations/{cid}",
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert [a["kind"] for a in summary["pending_actions"]] == ["create_listing"]
    bot.stop()  # the bot restarts while the action is still pending

    sandbox.start()
    restarted = bot_factory(database_url=database_url)
    pushed = wait_for(lambda: [m for m in restarted.polled("down-1") if "is live" in m["text"]])
    assert pushed[0]["from"] == "bot"
    listings = listings_of(sandbox, merchant_token(restarted, "down-1"))
    assert len(listings) == 1 and listings[0].listing_id in pushed[0]["text"]
    snap = restarted.container.store.find("rest", "down-1")
    wait_for(lambda: "pending" not in restarted.container.store.find("rest", "down-1").state)
    assert "No requests waiting" in text_of(restarted.say("down-1", "/status"))
    assert snap.id == cid


def test_platform_timeout_after_the_write_does_not_create_a_second_listing(bot, sandbox):
    payload = confirm_payload(to_summary(bot, "slow-1"))
    # the first POST is handled but its answer held past the client's timeout; the retry
    # with the same idempotency key gets the stored answer
    sandbox.faults(FaultConfig(timeout_rate=0.5, hang_s=12, seed=1))
    done = bot.say("slow-1", payload)
    sandbox.faults(FaultConfig())
    assert "is live" in text_of(done), text_of(done)
    listings = listings_of(sandbox, merchant_token(bot, "slow-1"))
    assert len(listings) == 1 and listings[0].listing_id in text_of(done)


def test_crash_between_confirmation_and_platform_call_still_gives_exactly_one_listing(bot_factory, sandbox,
                                                                                       settings_factory,
                                                                                       knowledge, database_url):
    from bot.bootstrap import bootstrap, default_recognizer
    from bot.flows.commands import FlowCommands
    from bot.messages import InboundMessage

    first = bot_factory(database_url=database_url)
    payload = confirm_payload(to_summary(first, "crash-1"))
    first.stop()
    # A worker process takes the confirmation and dies while the platform call is in flight:
    # the turn is never committed, the confirmed action is already stored (and leased).
    doomed = bootstrap(settings_factory(platform_url=sandbox.url, database_url=database_url), knowledge=knowledge,
                       recognizer=FlowCommands(default_recognizer(settings_factory())))
    sandbox.faults(FaultConfig(latency_s=3))

    async def crash():
        msg = InboundMessage(channel="rest", sender="crash-1", text=payload, message_id="yes-1")
        try:
            await asyncio.wait_for(doomed.service.handle(msg), timeout=1.0)
        except asyncio.TimeoutError:
            return
        raise AssertionError("the turn finished before the simulated crash")

    asyncio.run(crash())
    doomed.close()
    pending = ActionStore(first.container.engine).for_merchant(_merchant_id(first, "crash-1"))
    assert [(a.kind, a.status) for a in pending] == [("create_listing", "pending")]
    time.sleep(3.5)  # the platform may still complete the abandoned request: the key covers that too
    sandbox.faults(FaultConfig())

    restarted = bot_factory(database_url=database_url)
    pushed = wait_for(lambda: [m for m in restarted.polled("crash-1") if "is live" in m["text"]], timeout=40)
    # the channel re-delivers the unanswered confirmation: answered, nothing created again
    again = restarted.say("crash-1", payload, message_id="yes-1")
    listings = listings_of(sandbox, merchant_token(restarted, "crash-1"))
    assert len(listings) == 1 and listings[0].listing_id in pushed[0]["text"]
    assert "is live" not in text_of(again) or listings[0].listing_id in text_of(again)


def _merchant_id(bot, sender: str) -> str:
    from bot.flows.merchants import MerchantDirectory

    snap = bot.container.store.find("rest", sender)
    return asyncio.run(MerchantDirectory(bot.container.engine, bot.container.platform).get(snap.id)).merchant_id
