"""The one typed settings object (environment variables prefixed ``TRADEBOT_``, plus ``.env``)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_LANGUAGES = ("en", "de", "zh", "es", "fr")
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "xxx", "todo", "placeholder", "your-secret"}


class SettingsError(ValueError):
    """Raised with a readable message when the configuration is invalid."""


class Settings(BaseSettings):
    """Configuration of one tradebot process; names follow INTERFACES.md."""

    model_config = SettingsConfigDict(
        env_prefix="TRADEBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./var")
    index_dir: Path | None = None  # the knowledge index; default: the data dir
    database_url: str | None = None
    chroma_url: str | None = None
    platform_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_secret: SecretStr | None = None

    webhook_secret: SecretStr | None = None
    rest_callback_url: str | None = None
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=10 * 1024 * 1024)
    max_message_chars: int = Field(4000, ge=16, le=100_000)
    rate_limit_per_minute: int = Field(60, ge=0, le=100_000)  # per (channel, sender); 0: off

    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_template: str | None = None  # approved template for replies outside the 24-hour window

    llm: str | None = None
    llm_base_url: str | None = None  # an OpenAI-compatible server, or the Ollama host
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(8.0, gt=0, le=300)  # per LLM call; then the offline engine answers
    llm_input_usd_per_mtok: float = Field(0.0, ge=0)  # prices for the cost metric (0: a local model)
    llm_output_usd_per_mtok: float = Field(0.0, ge=0)
    default_locale: str = "en"
    log_level: str = "INFO"
    environment: str = "development"

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        code = value.strip().lower().replace("_", "-").split("-")[0]
        if code not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}, got {value!r}")
        return code

    @field_validator("database_url", "chroma_url", "platform_url", "rest_callback_url",
                     "telegram_webhook_url", "llm", "llm_base_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm")
    @classmethod
    def _provider_and_model(cls, value: str | None) -> str | None:
        if value is not None:
            provider, sep, model = value.partition(":")
            if not sep or not provider.strip() or not model.strip():
                raise ValueError("must be provider:model, e.g. openai:gpt-4o-mini or ollama:qwen2.5")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> "Settings":
        if self.environment != "development":
            for name in ("webhook_secret", "telegram_secret", "whatsapp_app_secret", "telegram_token",
                         "llm_api_key"):
                secret = getattr(self, name)
                if secret is not None and secret.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"TRADEBOT_{name.upper()} is a placeholder; set a real secret")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tradebot.sqlite3').resolve()}"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir

    def binds_loopback(self, host: str | None = None) -> bool:
        """Whether ``host`` (default: the configured host) is a loopback address."""
        host = host or self.host
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one readable :class:`SettingsError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"TRADEBOT_{field.upper()}" if err["loc"] else field
            problems.append(f"  {name}: {err['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(problems)) from None
