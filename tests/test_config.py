"""Configuration: each kind of error exits 2 naming the file and the key; precedence."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import PACKAGE_TAXONOMY, load_settings, parse_duration
from monitor.errors import ConfigError

from .conftest import ROOT

GOOD = """
[monitor]
database = "data/x.db"
timezone = "Asia/Kolkata"

[fetch]
interval = "15m"

[[sources]]
name = "feed-a"
url = "https://example.org/rss.xml"
interval = "10m"

[[channels]]
name = "desk"
kind = "console"

[[alerts]]
name = "a370"
concepts = ["Article 370"]
channels = ["desk"]

[digest]
channels = ["desk"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('interval = "15m"', 'interval = "15m"\nretries = 3', "fetch.retries", "unknown key"),
        ('interval = "15m"', 'interval = "15m"\nconcurrency = "lots"', "fetch.concurrency",
         "must be a whole number"),
        ('interval = "10m"', 'interval = "ten minutes"', 'sources[0] ("feed-a").interval',
         "not a duration"),
        ('timezone = "Asia/Kolkata"', 'timezone = "Asia/Atlantis"', "monitor.timezone",
         "unknown time zone"),
        ('concepts = ["Article 370"]\nchannels = ["desk"]',
         'concepts = ["Article 370"]\nchannels = ["desk-slack"]', "alerts[0].channels",
         "'desk-slack' is not defined"),
        ('[digest]\nchannels = ["desk"]', '[digest]\nchannels = ["mail"]', "digest.channels",
         "not defined"),
        ('url = "https://example.org/rss.xml"', 'url = "ftp://example.org/rss.xml"',
         'sources[0] ("feed-a").url', "expected an http:// or https:// URL"),
        ('kind = "console"', 'kind = "pager"', 'channels[0] ("desk").kind', "'slack'"),
        ('kind = "console"', 'kind = "slack"', 'channels[0] ("desk")', "needs `webhook_url`"),
    ],
)
def test_each_config_error_names_file_and_key(tmp_path, run, old, new, key, words):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    result = run("check", config=path, expect=2)
    message = result.output
    assert str(path) in message
    assert key in message
    assert words in message
    assert "Traceback" not in message


def test_bad_toml_and_missing_file(tmp_path, run):
    broken = _write(tmp_path, GOOD + "\n[[sources]\n")
    assert "not valid TOML" in run("check", config=broken, expect=2).output
    missing = tmp_path / "nope.toml"
    out = run("check", config=missing, expect=2).output
    assert str(missing) in out and "not found" in out


def test_unreadable_taxonomy_is_a_config_error(tmp_path, run):
    bad = tmp_path / "tax.toml"
    bad.write_text("[[concepts]\nname=", encoding="utf-8")
    path = _write(tmp_path, GOOD.replace('timezone = "Asia/Kolkata"',
                                         'timezone = "Asia/Kolkata"\ntaxonomy = "tax.toml"'))
    out = run("check", config=path, expect=2).output
    assert "tax.toml" in out
    missing = _write(tmp_path, GOOD.replace('timezone = "Asia/Kolkata"',
                                            'timezone = "Asia/Kolkata"\ntaxonomy = "none.toml"'))
    assert "none.toml" in run("check", config=missing, expect=2).output


def test_missing_secret_is_reported_by_check(tmp_path, run, monkeypatch):
    monkeypatch.delenv("HOOK_TOKEN_FOR_TEST", raising=False)
    text = GOOD + '\n[[channels]]\nname = "hook"\nkind = "webhook"\nurl = "https://h.example/"\n' \
                  'secret = "env:HOOK_TOKEN_FOR_TEST"\n'
    out = run("check", config=_write(tmp_path, text), expect=2).output
    assert "env HOOK_TOKEN_FOR_TEST is not set" in out
    monkeypatch.setenv("HOOK_TOKEN_FOR_TEST", "s3cret")
    assert run("check", config=_write(tmp_path, text)).output.rstrip().endswith("ok")


def test_relative_paths_resolve_against_the_config_folder(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    settings = load_settings(_write(sub, GOOD))
    assert settings.monitor.database == (sub / "data" / "x.db").resolve()


def test_precedence_option_then_env_then_file(tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD)
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    assert load_settings(path).monitor.database == tmp_path / "env.db"
    assert load_settings(path, db=tmp_path / "opt.db").monitor.database == tmp_path / "opt.db"
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match=r"absent\.toml"):
        load_settings()
    assert load_settings(path).path == path  # the option beats the environment


def test_embedded_defaults_without_a_config(tmp_path):
    settings = load_settings()  # cwd is tmp_path: no config/monitor.toml here
    assert settings.path is None
    assert settings.sources == ()
    assert str(settings.monitor.database) == "data/monitor.db"


def test_shipped_config_is_valid(run):
    out = run("check", config=ROOT / "config" / "monitor.toml").output
    assert "ok" in out and "sources" in out


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h30m", 5400),
                                                ("500ms", 0.5), ("2d", 172800), (30, 30)])
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "10 minutes", "-5m", "0s", "m"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_an_alert_rule_naming_an_unknown_concept_is_a_config_error(tmp_path, run):
    path = _write(tmp_path, GOOD.replace('concepts = ["Article 370"]', 'concepts = ["Artcle 370"]'))
    out = run("check", config=path, expect=2).output
    assert 'alerts[0] ("a370").concepts[0]' in out
    assert '"Artcle 370" is not a concept' in out and 'did you mean "Article 370"' in out
    (tmp_path / "a.jsonl").write_text('{"url": "https://a.example/1", "text": "Leh."}\n')
    assert "Artcle 370" in run("backfill", str(tmp_path / "a.jsonl"), config=path,
                               expect=2).output


@pytest.mark.parametrize(("old", "new", "key"), [
    ('interval = "15m"', 'interval = "15m"\nallow_private_addresses = "yes"',
     "fetch.allow_private_addresses"),
    ('interval = "15m"', 'interval = "15m"\nconcurrency = "16"', "fetch.concurrency"),
    ('interval = "10m"', 'interval = "10m"\nfull_text = "no"', 'sources[0] ("feed-a").full_text'),
    ('kind = "console"', 'kind = "console"\nstream = 1', 'channels[0] ("desk").stream'),
])
def test_scalars_are_not_silently_converted(tmp_path, run, old, new, key):
    out = run("check", config=_write(tmp_path, GOOD.replace(old, new)), expect=2).output
    assert key in out


def test_a_number_of_seconds_is_a_duration(tmp_path):
    settings = load_settings(_write(tmp_path, GOOD.replace('interval = "15m"', "interval = 900")))
    assert settings.fetch.interval.total_seconds() == 900


def test_a_folder_as_the_database_is_a_config_error(tmp_path, monkeypatch):
    (tmp_path / "adir").mkdir()
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "adir"))
    with pytest.raises(ConfigError, match="is a folder, not a database file"):
        load_settings()
    path = _write(tmp_path, GOOD.replace('database = "data/x.db"', 'database = "adir"'))
    monkeypatch.delenv("MONITOR_DB")
    with pytest.raises(ConfigError, match=r"monitor\.database"):
        load_settings(path)


def test_version_without_installing(run):
    assert run("--version").output.startswith("monitor, version ")


@pytest.mark.parametrize("value", ["inf", "nan", "1e20", '"99999999999d"', '"3000000d"'])
def test_a_duration_too_long_to_hold_is_a_config_error(tmp_path, run, value):
    # TOML has inf and nan; timedelta holds under 10**9 days, and 3000000 days from now
    # is past year 9999: each was an OverflowError traceback and exit 1.
    path = _write(tmp_path, GOOD.replace('interval = "15m"', f"interval = {value}"))
    out = run("check", config=path, expect=2).output
    assert "fetch.interval" in out and "Traceback" not in out


def test_tilde_in_paths_is_the_home_folder(tmp_path, monkeypatch):
    # "~/x.db" was taken for a relative path and became "<config folder>/~/x.db".
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (home / "tax.toml").write_bytes(PACKAGE_TAXONOMY.read_bytes())
    conf = tmp_path / "conf"
    conf.mkdir()
    path = _write(conf, GOOD.replace('database = "data/x.db"',
                                     'database = "~/x.db"\ntaxonomy = "~/tax.toml"'))
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 0, result.output
    assert f"database       {home / 'x.db'}\n" in result.output
    assert f"taxonomy       {home / 'tax.toml'} (" in result.output
    assert not (conf / "~").exists()
    # The shell leaves `~` alone in `--db=~/...` and in variables set by systemd or Docker.
    result = CliRunner().invoke(cli, ["--config=~/../conf/monitor.toml", "--db=~/opt.db", "stats"])
    assert result.exit_code == 0, result.output
    assert (home / "opt.db").is_file() and not (tmp_path / "~").exists()
    monkeypatch.setenv("MONITOR_DB", "~/env.db")
    assert load_settings(path).monitor.database == home / "env.db"
    monkeypatch.delenv("MONITOR_DB")
    me = pwd.getpwuid(os.getuid())  # "~user" is that user's home, whatever HOME says
    owner = _write(conf, GOOD.replace('database = "data/x.db"', f'database = "~{me.pw_name}/x.db"'))
    assert load_settings(owner).monitor.database == Path(me.pw_dir) / "x.db"


@pytest.mark.parametrize(("text", "key", "words"), [
    ("monitor = 3\n", "monitor", "must be a table: write [monitor] with its keys"),
    ('[sources]\nname = "a"\nurl = "https://a.example/"\n', "sources",
     "must be a list of tables: write [[sources]] (double brackets)"),
    ("sources = [3]\n", "sources[0]", "must be a table: write [[sources]]"),
    ('[fetch]\nconcurrency = "16"\n', "fetch.concurrency",
     "must be a whole number without quotes, got '16'"),
    ('[digest]\nat = "25:99"\n', "digest.at", "expected HH:MM (24-hour), got '25:99'"),
    ('[monitor]\ntimezone = "Asia/Atlantis"\n', "monitor.timezone", "unknown time zone"),
    ("[monitor]\ntaxonomy = 3\n", "monitor.taxonomy", "must be a file path in quotes, got 3"),
    ('[[alerts]]\nname = "a"\nchannels = []\n', 'alerts[0] ("a").channels', "must not be empty"),
    ("[fetch]\nconcurrency = 0\n", "fetch.concurrency", "must be at least 1, got 0"),
    ('[[channels]]\nname = "a"\nkind = "pager"\n', 'channels[0] ("a").kind',
     "must be one of 'slack', 'email', 'webhook' or 'console', got 'pager'"),
])
def test_config_errors_say_what_is_expected_in_plain_words(tmp_path, run, text, key, words):
    # They said "instance of MonitorSection", "Input should be a valid tuple", showed the
    # regex of digest.at, and told the value twice: "not str '16' (got '16')".
    path = _write(tmp_path, text)
    out = run("check", config=path, expect=2).output
    assert f"{path}: {key}: {words}" in out
    for internal in ("Section", "tuple", "dictionary", "Input should", "pattern", "^", "<class",
                     " str ", "(got "):
        assert internal not in out
    value = text.rpartition("=")[2].strip()
    if value.startswith('"'):  # a text value is shown once, as the user wrote it
        # (counted past the file's path: pytest's folder "pytest-1116" holds a "16")
        assert out.replace(str(path), "").count(value.strip('"')) <= 1


EMAIL = """
[[channels]]
name = "mail"
kind = "email"
host = "smtp.example.org"
sender = "monitor@example.org"
to = ["desk@example.org"]
"""


@pytest.mark.parametrize(("old", "new", "key", "value"), [
    ('sender = "monitor@example.org"', 'sender = "monitor"', "sender", "'monitor'"),
    ('sender = "monitor@example.org"', 'sender = "Monitor <monitor>"', "sender",
     "'Monitor <monitor>'"),
    ('to = ["desk@example.org"]', 'to = ["desk@example.org", "editor"]', "to[1]", "'editor'"),
    ('to = ["desk@example.org"]', 'to = ["desk@example.org, ed@example.org"]', "to[0]",
     "'desk@example.org, ed@example.org'"),
])
def test_email_addresses_are_checked_at_load(tmp_path, run, old, new, key, value):
    # sender = "monitor" passed and made Message-IDs <...@monitor> that servers reject.
    path = _write(tmp_path, EMAIL.replace(old, new))
    out = run("check", config=path, expect=2).output
    assert f'{path}: channels[0] ("mail").{key}: expected one email address' in out
    assert out.rstrip().endswith(f"got {value}")


def test_an_address_with_a_display_name_is_a_sender(tmp_path, run):
    text = EMAIL.replace('sender = "monitor@example.org"',
                         'sender = "Desk Monitor <desk@example.org>"')
    assert run("check", config=_write(tmp_path, text)).output.rstrip().endswith("ok")
