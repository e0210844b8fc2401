"""A real browser (Debian's Chromium, headless, driven by Playwright) uses the staff console."""

import os
import shutil
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import bootstrap
from bot.web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TRADEBOT_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts"))


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_staff_logs_in_claims_replies_and_resolves(browser, settings_factory, live_server):
    from playwright.sync_api import expect

    container = bootstrap(settings_factory())
    token = container.accounts.add("alice")
    with live_server(create_app(container)) as server:
        say = lambda text: httpx.post(f"{server.url}/webhooks/rest",  # noqa: E731
                                      json={"sender": "merchant-b", "message": text,
                                            "metadata": {"locale": "fr"}}).json()
        cid = say("je veux parler à une personne")["conversation_id"]
        page = browser.new_page()
        page.goto(f"{server.url}/staff")
        page.fill("#name", "alice")
        page.fill("#token", token)
        page.click("#login")
        page.wait_for_selector("tr.case")
        assert "fr" in page.inner_text("#queue") and "rest" in page.inner_text("#queue")
        page.click("tr.case")
        page.wait_for_selector("#case:not([hidden])")
        assert "je veux parler à une personne" in page.inner_text("#messages")
        page.click("#claim")
        expect(page.locator("#case-meta")).to_contain_text("claimed by alice", timeout=10000)
        page.fill("#reply-text", "Bonjour, ici Alice. Comment puis-je vous aider ?")
        page.click("#send")
        expect(page.locator("#messages")).to_contain_text("ici Alice", timeout=10000)
        # the merchant writes while staff own the conversation: it appears live, without reload
        assert say("Merci !")["replies"] == []
        expect(page.locator("#messages")).to_contain_text("Merci !", timeout=10000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-console.png"), full_page=True)
        page.click("#resolve")
        expect(page.locator("#case-meta")).to_contain_text("handed back to bot", timeout=10000)
        polled = httpx.get(f"{server.url}/webhooks/rest/merchant-b/messages").json()["messages"]
        assert [m["from"] for m in polled] == ["staff", "bot"]
        assert polled[0]["text"] == "Bonjour, ici Alice. Comment puis-je vous aider ?"
        assert say("bonjour")["replies"][0]["text"].startswith("Bonjour")  # the bot answers again
    container.close()
    assert (ARTIFACTS / "staff-console.png").stat().st_size > 5000
