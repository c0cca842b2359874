"""Configuration: one TOML file validated once into a frozen `Settings` (STYLE.md 11).

Precedence (PRODUCT.md): the command-line option, then the environment
(`MONITOR_CONFIG`, `MONITOR_DB`), then the config file, then the default. Without a
config file the defaults are embedded: no sources, database `data/monitor.db` under
the current directory. Relative paths inside a config file resolve against that
file's folder. Secrets are written `"env:NAME"` and read from the environment only
when a channel is used (`resolve_secret`). This module is the only one that reads
the environment.

Every key is declared below with its default and a description; `monitor check` and
the docs test read the same declarations.
"""

from __future__ import annotations

import difflib
import os
import ssl
import tomllib
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from .config_errors import key_path, message
from .config_values import (
    Section,
    check_address,
    check_clock,
    check_zone,
    parse_duration,
    url_problem,
)
from .errors import ConfigError

__all__ = [
    "DEFAULT_CONFIG",
    "PACKAGE_TAXONOMY",
    "AlertRule",
    "Channel",
    "Settings",
    "Source",
    "check_rule_concepts",
    "load_settings",
    "parse_duration",
    "resolve_secret",
    "url_problem",
]

DEFAULT_CONFIG = Path("config/monitor.toml")
# The taxonomy shipped beside the package (repo checkout, Docker image).
PACKAGE_TAXONOMY = Path(__file__).resolve().parent.parent / "config" / "taxonomy.toml"


class MonitorSection(Section):
    database: Path = Field(Path("data/monitor.db"), description="SQLite corpus file")
    timezone: str = Field("Asia/Kolkata", description="digests are per local day in this zone")
    date_order: Literal["DMY", "MDY"] = Field(
        "DMY", description="ambiguous numeric dates (03/04/2024) where a source sets none"
    )
    taxonomy: Path = Field(PACKAGE_TAXONOMY, description="taxonomy TOML file")
    user_agent: str = Field(
        "kashmir-monitor/0.1 (+https://example.org/contact)", description="HTTP User-Agent"
    )
    _zone = field_validator("timezone")(check_zone)


class FetchSection(Section):
    interval: timedelta = Field(timedelta(minutes=15), description="default poll interval")
    concurrency: int = Field(16, ge=1, le=256, description="requests in flight overall")
    per_host: int = Field(2, ge=1, le=32, description="requests in flight per host")
    host_spacing: timedelta = Field(
        timedelta(seconds=1), description="minimum time between two requests to one host"
    )
    timeout: timedelta = Field(timedelta(seconds=20), description="total time for one request")
    connect_timeout: timedelta = Field(timedelta(seconds=10), description="time to connect")
    max_bytes: int = Field(10_000_000, ge=1024, description="body cap, after decompression")
    max_redirects: int = Field(5, ge=0, le=20, description="redirects followed per request")
    allow_private_addresses: bool = Field(
        False, description="allow loopback/private targets (tests, intranet sources)"
    )
    proxy: str = Field("", description="proxy URL; HTTPS_PROXY is honoured too")
    robots: bool = Field(True, description="honour robots.txt for article pages")


class Source(Section):
    name: str = Field(min_length=1, description="the outlet's name, unique")
    url: str = Field(description="feed, sitemap or section page URL")
    kind: Literal["feed", "sitemap", "page"] = Field("feed", description="what the URL is")
    interval: timedelta | None = Field(None, description="poll interval (default: [fetch])")
    full_text: bool = Field(True, description="fetch and clean each linked article page")
    timezone: str | None = Field(None, description="zone of the source's zone-less dates")
    date_order: Literal["DMY", "MDY"] | None = Field(
        None, description="ambiguous numeric dates (default: [monitor] date_order)"
    )
    _zone = field_validator("timezone")(check_zone)

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        """Said in words: the regex pattern this used to be was shown to the user as is."""
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value


class Channel(Section):
    name: str = Field(min_length=1, description="the channel's name, unique")
    kind: Literal["slack", "email", "webhook", "console"] = Field(
        description="slack | email | webhook | console"
    )
    # slack
    webhook_url: str | None = Field(None, description="slack: incoming webhook URL (secret)")
    # email
    host: str | None = Field(None, description="email: SMTP server")
    port: int | None = Field(
        None, ge=1, le=65535, description="email: SMTP port (default 587, 465 for ssl, 25)"
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="email: starttls | ssl | none (clear text, the login too); TLS always "
        "verifies the server's certificate and name",
    )
    ca_file: Path | None = Field(
        None,
        description="email: PEM file of the CAs to trust instead of the system store "
        "(an internal SMTP server)",
    )
    username: str | None = Field(None, description="email: login (secret)")
    password: str | None = Field(None, description="email: password (secret)")
    sender: str | None = Field(None, description="email: From address")
    to: tuple[Annotated[str, AfterValidator(check_address)], ...] = Field(
        (), description="email: recipients"
    )
    # webhook
    url: str | None = Field(None, description="webhook: endpoint URL")
    secret: str | None = Field(None, description="webhook: HMAC-SHA256 key (secret)")
    # console
    stream: Literal["stdout", "stderr"] = Field("stdout", description="console: where to print")

    @model_validator(mode="after")
    def _required_by_kind(self) -> Channel:
        needs = {
            "slack": ("webhook_url",),
            "email": ("host", "sender", "to"),
            "webhook": ("url",),
            "console": (),
        }[self.kind]
        for key in needs:
            if not getattr(self, key):
                raise ValueError(f"a {self.kind} channel needs `{key}`")
        if self.ca_file is not None and (self.kind != "email" or self.security == "none"):
            raise ValueError('`ca_file` needs an email channel with security = "starttls" '
                             'or "ssl"')
        return self

    @field_validator("webhook_url", "url")
    @classmethod
    def _usable_url(cls, value: str | None) -> str | None:
        """Fail at load, not with an hour of retries (an `env:` URL is checked at send)."""
        if value and not value.startswith("env:") and (problem := url_problem(value)):
            raise ValueError(problem)
        return value

    _sender = field_validator("sender")(check_address)

    @field_validator("ca_file")
    @classmethod
    def _readable_bundle(cls, value: Path | None) -> Path | None:
        """Fail at load, not at the first alert: the file must hold PEM certificates."""
        if value is not None:
            try:
                ssl.create_default_context(cafile=str(value))
            except OSError as e:  # ssl.SSLError is one too
                reason = "no PEM certificate in it" if isinstance(e, ssl.SSLError) \
                    else e.strerror or str(e)
                raise ValueError(f"not a usable CA bundle: {reason}") from None
        return value


class AlertRule(Section):
    name: str = Field(min_length=1, description="the rule's name, unique")
    concepts: tuple[str, ...] = Field((), description="any of these concepts")
    query: str | None = Field(None, description="full-text query (all words)")
    min_relevance: float = Field(0.0, ge=0, le=1, description="0 to 1, as in the export")
    sources: tuple[str, ...] = Field((), description="only these sources (empty: all)")
    title_only: bool = Field(False, description="the match must be in the title")
    max_per_hour: int = Field(10, ge=1, description="storm control, per rule and channel")
    channels: tuple[str, ...] = Field(min_length=1, description="where its alerts go")


class DigestSection(Section):
    at: str = Field("08:00", description="local time to send it, HH:MM (24-hour)")
    channels: tuple[str, ...] = Field((), description="where the daily digest goes")
    top_stories: int = Field(15, ge=1, le=100, description="stories listed in full")


    _clock = field_validator("at")(check_clock)


class HealthSection(Section):
    channels: tuple[str, ...] = Field(
        (), description="where alerts about failing or quiet sources go"
    )


class Settings(Section):
    """The whole configuration, validated. `path` is the file it came from (or None)."""

    monitor: MonitorSection = MonitorSection()
    fetch: FetchSection = FetchSection()
    sources: tuple[Source, ...] = ()
    channels: tuple[Channel, ...] = ()
    alerts: tuple[AlertRule, ...] = ()
    digest: DigestSection = DigestSection()
    health: HealthSection = HealthSection()
    path: Path | None = None

    @model_validator(mode="after")
    def _cross_references(self) -> Settings:
        for key, items in (("sources", self.sources), ("channels", self.channels),
                           ("alerts", self.alerts)):
            seen: set[str] = set()
            for i, item in enumerate(items):
                if item.name in seen:
                    raise _KeyError(f"{key}[{i}].name", f"duplicate name {item.name!r}")
                seen.add(item.name)
        channels = {c.name for c in self.channels}
        refs = [(f"alerts[{i}].channels", r.channels) for i, r in enumerate(self.alerts)]
        refs.append(("digest.channels", self.digest.channels))
        refs.append(("health.channels", self.health.channels))
        for key, names in refs:
            for name in names:
                if name not in channels:
                    known = ", ".join(sorted(channels)) or "none defined"
                    raise _KeyError(key, f"channel {name!r} is not defined (channels: {known})")
        return self

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)

    def interval_of(self, source: Source) -> timedelta:
        """How often `source` is polled: its own interval, else [fetch] interval."""
        return source.interval or self.fetch.interval


class _KeyError(ValueError):
    """A cross-reference error that knows its key (pydantic would lose it)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


_PATH_KEYS = {"monitor": ("database", "taxonomy"), "channels": ("ca_file",)}


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Relative paths in the file are relative to its folder, not to the working one.

    `~` and `~user` are expanded first: left as they were, "~/x.db" was taken for a
    relative path and became "<config folder>/~/x.db".
    """
    for section, keys in _PATH_KEYS.items():
        tables = data.get(section)
        for table in tables if isinstance(tables, list) else [tables]:
            if not isinstance(table, dict):
                continue
            for key in keys:
                value = table.get(key)
                if isinstance(value, str) and value:
                    value = os.path.expanduser(value)
                    table[key] = value if Path(value).is_absolute() \
                        else str((base / value).resolve())


def load_settings(
    config: str | Path | None = None, db: str | Path | None = None
) -> Settings:
    """Read and validate the configuration; raises ConfigError naming file and key."""
    env = os.environ
    chosen = config or env.get("MONITOR_CONFIG") or None
    path: Path | None
    if chosen is not None:
        # The shell expands `~` only at the start of a word: not in `--config=~/m.toml`,
        # nor in MONITOR_CONFIG set by systemd or Docker.
        path = Path(os.path.expanduser(chosen))
        if not path.is_file():
            raise ConfigError(str(path), None, "configuration file not found")
    else:
        path = DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(str(path), None, f"cannot read the file: {e}") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(str(path), None, f"not valid TOML: {e}") from e
        if "path" in data:
            raise ConfigError(str(path), "path", "unknown key")
        _resolve_paths(data, path.resolve().parent)
    database = db or env.get("MONITOR_DB")
    if database:
        data.setdefault("monitor", {})
        if isinstance(data["monitor"], dict):
            data["monitor"]["database"] = os.path.expanduser(database)  # as for --config
    try:
        settings = Settings.model_validate({**data, "path": path})
    except ValidationError as e:
        first = e.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, _KeyError):
            raise ConfigError(str(path or "(defaults)"), cause.key, str(cause)) from None
        raise ConfigError(str(path or "(defaults)"), key_path(first["loc"], data),
                          message(first, Settings)) from None
    if settings.monitor.database.is_dir():
        where = "--db / MONITOR_DB" if database else "monitor.database"
        raise ConfigError(str(path or "(defaults)"), where,
                          f"{settings.monitor.database} is a folder, not a database file")
    return settings


def check_rule_concepts(settings: Settings, known: Collection[str]) -> None:
    """Every concept an alert rule names must be one the taxonomy defines.

    A misspelt concept would make a rule that never fires, silently; this is
    checked once the taxonomy is loaded (`App.pipeline`, `monitor check`).
    """
    folded = {name.casefold(): name for name in known}
    for i, rule in enumerate(settings.alerts):
        for j, name in enumerate(rule.concepts):
            if name.casefold() in folded:
                continue
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ConfigError(
                str(settings.path or "(defaults)"),
                f'alerts[{i}] ("{rule.name}").concepts[{j}]',
                f'"{name}" is not a concept of the taxonomy{hint}',
            )


def resolve_secret(settings: Settings, channel: Channel, key: str) -> str | None:
    """The value of a channel's key, reading `"env:NAME"` from the environment now."""
    value = getattr(channel, key)
    if not isinstance(value, str) or not value.startswith("env:"):
        return value
    name = value[4:]
    secret = os.environ.get(name)
    if not secret:
        where = str(settings.path or "(defaults)")
        raise ConfigError(
            where,
            f'channels ("{channel.name}").{key}',
            f"env {name} is not set; export it or remove the channel",
        )
    return secret
