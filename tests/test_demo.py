"""`monitor demo`: the offline tour runs the whole service on loopback and says so."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.demo import _fill

from .conftest import ROOT


@pytest.mark.timeout(120)
def test_demo_fetches_alerts_and_writes_the_digest(tmp_path, run):
    result = run("demo", config=ROOT / "config" / "monitor.toml")
    out = result.stdout
    for outlet in ("valley-herald", "frontier-times", "sarhad-samachar", "wadi-news"):
        assert f"{outlet}: ok" in out
    assert "Traders in Srinagar mark anniversary of Article 370" in out  # an alert printed
    assert "Riverside club" not in out.split("Sources:")[0]  # sport raises no alert
    digest = (tmp_path / "data" / "demo-digest.html").read_text(encoding="utf-8")
    assert "<html" in digest.lower() and "گلگت بلتستان" in digest and "डल झील" in digest
    with sqlite3.connect(tmp_path / "data" / "demo.db") as conn:
        conn.row_factory = sqlite3.Row
        rows = {r["title"]: r for r in conn.execute("SELECT * FROM articles")}
    band = rows["Tribute band brings Led Zeppelin's Kashmir to the city stage"]
    assert band["related"] == 0 and json.loads(band["concepts"]) == []
    copies = [r for r in rows.values() if r["duplicate_of"] is not None]
    assert len(copies) == 1  # the wire story that two outlets ran
    originals = [r for r in rows.values() if r["id"] == copies[0]["duplicate_of"]]
    for row in (copies[0], *originals):
        assert "Line of Control" in json.loads(row["concepts"])
    assert "<nav" not in digest and "Accept" not in band["text"]  # boilerplate cleaned away


def test_demo_runs_twice_from_scratch(tmp_path, run):
    run("demo", config=ROOT / "config" / "monitor.toml")
    again = run("demo", config=ROOT / "config" / "monitor.toml").stdout
    assert "Corpus: 8 articles, 1 duplicate(s)" in again


@pytest.mark.parametrize(("utc", "expected_hours_ago"), [
    (datetime(2026, 11, 21, 6, 30, tzinfo=UTC), 8.0),  # noon in Srinagar: as written
    (datetime(2026, 11, 21, 19, 15, tzinfo=UTC), 0.75 * 8 / 9),  # 00:45: squeezed into today
])
def test_demo_news_is_of_the_desks_day_at_any_hour(utc, expected_hours_ago):
    """The demo's digest is of the desk's local day: its sample news ("8 hours ago") must
    fall on that day even just after local midnight, or the digest comes out empty."""
    ist = ZoneInfo("Asia/Kolkata")
    moment = datetime.fromisoformat(_fill("{{ISO:-8}}", "", "Asia/Kolkata", now=utc))
    assert moment.astimezone(ist).date() == utc.astimezone(ist).date()
    assert abs((utc - moment) - timedelta(hours=expected_hours_ago)) < timedelta(seconds=1)
