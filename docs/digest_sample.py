"""Build the sample digest shown in `docs/digest.png` (issue 7).

Writes a throw-away database of invented articles (English, Hindi, Urdu; fourteen
days of background coverage and one busy day, 10 March 2024), renders that day's
digest to `docs/digest-sample.html` and prints the Chromium command that makes the
screenshot. Every headline here was written for this sample.

    .venv/bin/python docs/digest_sample.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.app import App  # noqa: E402
from monitor.models import Body, RawItem  # noqa: E402
from monitor.notify import build_digest, render_digest  # noqa: E402

DAY = date(2024, 3, 10)
BACKGROUND = [  # (concept phrase, place) for the fortnight before
    ("Article 370", "Srinagar"), ("the Line of Control", "Uri"), ("Article 370", "Jammu"),
    ("the Line of Control", "Kupwara"), ("the Hurriyat Conference", "Srinagar"),
]
STORIES = [  # (outlets, title, text, language)
    (["greater-kashmir", "kashmir-observer", "the-hindu-national", "dawn"],
     "Mehbooba Mufti leads march in Srinagar over Article 370 anniversary",
     "Mehbooba Mufti led a march through Srinagar on Sunday to mark the anniversary of "
     "the changes to Article 370, as police closed roads around Lal Chowk.", "en"),
    (["bbc-urdu", "express-tribune-pakistan"],
     "لائن آف کنٹرول پر فائرنگ، پونچھ میں دو شہری زخمی",
     "لائن آف کنٹرول پر رات گئے فائرنگ کے تبادلے میں پونچھ کے دو شہری زخمی ہو گئے، حکام نے "
     "بتایا کہ جموں و کشمیر میں سرحدی دیہات کے لوگ بنکروں میں منتقل ہو گئے۔", "ur"),
    (["bbc-hindi", "hindustan-times-india"],
     "जम्मू-कश्मीर: गुलमर्ग में बर्फ़बारी के बाद पर्यटकों की भीड़",
     "जम्मू-कश्मीर के गुलमर्ग में ताज़ा बर्फ़बारी के बाद रविवार को पर्यटकों की भीड़ उमड़ी। "
     "श्रीनगर से गुलमर्ग जाने वाली सड़क पर लंबा जाम लगा रहा।", "hi"),
    (["bbc-urdu"],
     "سرینگر میں آرٹیکل 370 پر سیمینار، طلبہ کی بڑی تعداد شریک",
     "سرینگر میں آرٹیکل 370 کی تاریخ پر ایک سیمینار منعقد ہوا جس میں کشمیر یونیورسٹی کے طلبہ "
     "نے شرکت کی۔", "ur"),
    (["the-hindu-national"],
     "Omar Abdullah says <statehood> talks & polls must go together",
     "Omar Abdullah said in Ganderbal that talks on statehood for Jammu and Kashmir and "
     "assembly elections must go together, and criticised the delay.", "en"),
    (["bbc-hindi"],
     "अनुच्छेद 370 पर किताब का विमोचन, जम्मू में चर्चा",
     "जम्मू में अनुच्छेद 370 के इतिहास पर एक नई किताब का विमोचन हुआ और विशेषज्ञों ने "
     "चर्चा की।", "hi"),
]


def raw(app: App, source: str, title: str, text: str, when: datetime, lang: str,
        url: str) -> RawItem:
    return RawItem(source=source, body=Body.TEXT, content=text, dates=app.date_context(),
                   url=url, title=title, published=when.isoformat(), language=lang,
                   origin="feed")


def build(db: Path) -> App:
    """A sample corpus in `db`; returns the App over it."""
    config = db.parent / "monitor.toml"
    config.write_text(f'[monitor]\ndatabase = "{db.name}"\ntimezone = "Asia/Kolkata"\n',
                      encoding="utf-8")
    app = App.load(config)
    pipe = app.pipeline(alerts=False)
    start = datetime(2024, 2, 26, 11, 0, tzinfo=UTC)
    for d in range(13):
        for k in range(1 + (d * 7) % 4):
            phrase, place = BACKGROUND[(d + k) % len(BACKGROUND)]
            when = start + timedelta(days=d, hours=k)
            text = (f"Officials in {place} spoke about {phrase} on day {d} of the month's "
                    f"coverage, report {k}, as residents across Kashmir waited for news "
                    "from Jammu and Kashmir's administration.")
            pipe.ingest(raw(app, "wire", f"{place} update {d}.{k}", text, when, "en",
                            f"https://wire.example/{d}/{k}"))
    for i, (outlets, title, text, lang) in enumerate(STORIES):
        for j, outlet in enumerate(outlets):
            when = datetime(2024, 3, 10, 3 + i, 10 * j, tzinfo=UTC)
            pipe.ingest(raw(app, outlet, title, text, when, lang,
                            f"https://{outlet}.example/2024/03/10/{i}"))
    app.store.sync_sources([("dawn", "https://www.dawn.com/feeds/home", "feed")])
    app.store.db["sources"].update("dawn", {
        "status": "needs_attention", "consecutive_failures": 12,
        "last_success_at": "2024-03-08T04:10:00+00:00", "last_error_kind": "http_status",
        "last_error_message": "HTTP 403 from https://www.dawn.com/feeds/home"})
    return app


def main() -> None:
    out = ROOT / "docs" / "digest-sample.html"
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp) / "sample.db")
        digest = build_digest(app, DAY, now=datetime(2024, 3, 11, 2, 30, tzinfo=UTC))
        out.write_text(render_digest(digest, "html"), encoding="utf-8")
        app.close()
    print(f"wrote {out}")
    print("chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
          "--disable-component-update --disable-sync --no-first-run "
          "--user-data-dir=$(mktemp -d) --screenshot=docs/digest.png --window-size=1000,1400 "
          f"file://{out}")


if __name__ == "__main__":
    main()
