"""A dispatcher killed with SIGKILL in the middle of a delivery, then restarted: no
alert is lost, and the only repeat is the one message that was in flight."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from monitor.notify import Dispatcher

from .conftest import Endpoint, save_alerting

ROOT = Path(__file__).resolve().parents[2]


def webhook_config(url: str) -> str:
    return f"""
[[channels]]
name = "hook"
kind = "webhook"
url = "{url}"
secret = "env:TEST_HOOK_SECRET"

[[alerts]]
name = "status"
concepts = ["Article 370"]
max_per_hour = 100
channels = ["hook"]
"""


def _dispatcher(config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEST_HOOK_SECRET": "k"}
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config),
                             "alerts", "send"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_sigkill_mid_delivery_loses_nothing(make_app, endpoint: Endpoint,
                                            tmp_path: Path) -> None:
    app = make_app(webhook_config(endpoint.url))
    save_alerting(app, 10, "status", ("hook",))
    rows = app.store.deliveries()
    assert len(rows) == 10
    endpoint.delay = 0.4  # each delivery takes a while: a kill lands mid-request
    config = tmp_path / "monitor.toml"

    proc = _dispatcher(config)
    deadline = time.monotonic() + 30
    while len(endpoint.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no cleanup, no final write
    proc.wait()
    assert proc.returncode == -9

    in_flight = [r for r in app.store.deliveries() if r["status"] == "sending"]
    assert len(in_flight) == 1  # claimed, sent (the endpoint has it), never recorded
    sent_before = {r["id"] for r in app.store.deliveries() if r["status"] == "sent"}
    assert len(sent_before) == len(endpoint.requests) - 1

    endpoint.delay = 0.0
    restarted = _dispatcher(config)
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err.decode()
    assert "recovered after a crash 1" in out.decode()

    final = app.store.deliveries()
    assert {r["status"] for r in final} == {"sent"}
    keys = [r["headers"]["Idempotency-Key"] for r in endpoint.requests]
    expected = {f"monitor-{r['id']}-" for r in final}
    assert {k.rsplit("-", 1)[0] + "-" for k in keys} == expected  # none lost
    repeats = len(keys) - len(set(keys))
    assert repeats <= 1  # at most the message in flight at the kill
    if repeats:
        (twice,) = {k for k in keys if keys.count(k) == 2}
        assert twice.startswith(f"monitor-{in_flight[0]['id']}-")
    redone = next(r for r in final if r["id"] == in_flight[0]["id"])
    assert redone["attempts"] == 2


def test_a_timeout_after_the_server_took_it_repeats_with_the_same_key(
        make_app, endpoint: Endpoint, monkeypatch) -> None:
    """README guarantee 3: the other source of a repeat, and it carries the same key."""
    monkeypatch.setenv("TEST_HOOK_SECRET", "k")
    app = make_app(webhook_config(endpoint.url))
    save_alerting(app, 1, "status", ("hook",))
    endpoint.delay = 1.0  # the endpoint records the request, then answers too late
    now = datetime.now(UTC) + timedelta(seconds=5)
    with Dispatcher(app, client=httpx.Client(timeout=0.3)) as dispatcher:
        assert dispatcher.run(now).retrying == 1
        endpoint.delay = 0.0
        assert dispatcher.run(now + timedelta(minutes=1)).sent == 1
    keys = [r["headers"]["Idempotency-Key"] for r in endpoint.requests]
    assert len(keys) == 2 and keys[0] == keys[1]
    (row,) = app.store.deliveries()
    assert row["last_error"]["kind"] == "timeout"
