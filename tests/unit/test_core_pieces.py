import asyncio

from bot.locks import KeyedLocks
from bot.understanding import CommandRecognizer, parse_command
from bot.intents import Intent


def test_parse_command():
    assert parse_command("/lang de") == ("lang", "de")
    assert parse_command("/start@tradebot_bot") == ("start", "")
    assert parse_command("  /HELP ") == ("help", "")
    assert parse_command("what is /lang") is None
    assert parse_command("/") is None


def test_command_recognizer_knows_commands_and_greetings():
    r = CommandRecognizer()
    assert r.recognize("/help", language_prior=None).intent is Intent.GREETING
    unknown = r.recognize("/frobnicate", language_prior=None)
    assert unknown.intent is Intent.OUT_OF_SCOPE and unknown.command == "frobnicate"
    assert r.recognize("Guten Tag!", language_prior=None).intent is Intent.GREETING
    assert r.recognize("你好", language_prior=None).intent is Intent.GREETING
    assert r.recognize("how is the weather", language_prior=None).intent is Intent.OUT_OF_SCOPE


async def test_keyed_locks_are_fifo_and_released():
    locks = KeyedLocks()
    order: list[int] = []

    async def worker(i: int) -> None:
        async with locks.hold("c1"):
            order.append(i)
            await asyncio.sleep(0.001)

    tasks = []
    for i in range(30):
        tasks.append(asyncio.create_task(worker(i)))
        await asyncio.sleep(0)  # each task starts waiting in turn
    await asyncio.gather(*tasks)
    assert order == list(range(30))
    assert len(locks) == 0
