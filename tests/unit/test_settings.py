import pytest

from bot.settings import Settings, SettingsError, load_settings


def test_defaults_follow_interfaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert (s.host, s.port, s.default_locale) == ("127.0.0.1", 8080, "en")
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.whatsapp_api_url == "https://graph.facebook.com/v21.0"
    assert s.resolved_database_url.startswith("sqlite:///") and s.resolved_database_url.endswith("var/tradebot.sqlite3")
    assert s.webhook_secret is None and s.llm is None


def test_environment_prefix_and_secret_hidden(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEBOT_WEBHOOK_SECRET", "s3cr3t-value")
    monkeypatch.setenv("TRADEBOT_DEFAULT_LOCALE", "de-AT")
    monkeypatch.setenv("TRADEBOT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    s = load_settings()
    assert s.webhook_secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(s)
    assert s.default_locale == "de"
    assert s.resolved_database_url == "postgresql+psycopg://u@h/db"


def test_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TRADEBOT_PORT=9191\nTRADEBOT_DEFAULT_LOCALE=zh\n")
    s = load_settings()
    assert s.port == 9191 and s.default_locale == "zh"


@pytest.mark.parametrize("env, needle", [
    ({"TRADEBOT_PORT": "eighty"}, "TRADEBOT_PORT"),
    ({"TRADEBOT_DEFAULT_LOCALE": "ru"}, "TRADEBOT_DEFAULT_LOCALE"),
    ({"TRADEBOT_DATABASE_URL": "mysql://x"}, "TRADEBOT_DATABASE_URL"),
    ({"TRADEBOT_ENVIRONMENT": "production", "TRADEBOT_WEBHOOK_SECRET": "changeme"}, "placeholder"),
])
def test_bad_values_give_readable_errors(monkeypatch, tmp_path, env, needle):
    monkeypatch.chdir(tmp_path)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert needle in str(info.value)
    assert "Invalid configuration" in str(info.value)


def test_loopback_detection():
    s = Settings(_env_file=None)
    assert s.binds_loopback("127.0.0.1") and s.binds_loopback("::1") and s.binds_loopback("localhost")
    assert not s.binds_loopback("0.0.0.0") and not s.binds_loopback("192.0.2.1")
