"""URL backfill against a real loopback site: sitemaps, robots.txt, dates, URL lists, feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime

from .conftest import article_html, build_news_site, make_article


def _summary(result) -> dict:
    return json.loads(result.stdout)


def test_site_root_reads_robots_sitemap_index_and_news_sitemaps(site, run, export, config):
    pages = build_news_site(site)
    result = run("backfill", site.root + "/", "--jobs", "1", "--json", config=config)
    summary = _summary(result)
    assert summary["new"] == 5
    assert summary["skipped"] == {"disallowed by robots.txt": 1}
    private = [p for p in pages if p.startswith("/private/")]
    assert site.hits[private[0]] == 0, "robots.txt disallows it: never requested"
    assert all(site.hits[p] == 1 for p in pages if not p.startswith("/private/"))
    assert site.hits["/robots.txt"] == 1  # read once, for Sitemap: lines and for rules
    records = {r["url"]: r for r in export()}
    for path, article in pages.items():
        if path.startswith("/private/"):
            continue
        record = records[site.url(path)]
        assert record["published"].startswith(article.published.isoformat())
        assert record["title"] == article.title
        assert record["source"] == "127.0.0.1"
        assert article.paragraphs[1][:60] in record["text"]
        assert "Valley Ledger. All rights" not in record["text"]


def test_since_until_skip_before_fetching(site, run, export, config):
    pages = build_news_site(site)
    result = run("backfill", site.url("/sitemap-index.xml"), "--since", "2024-03-11",
                 "--until", "2024-03-11", "--jobs", "1", "--json", config=config)
    summary = _summary(result)
    # The January sitemap was last modified before --since: not even requested.
    assert site.hits["/sitemap-2024-01.xml"] == 0
    assert summary["new"] == 1
    # 10 and 12 March, from their news dates (the 12th is also disallowed: never asked)
    assert summary["skipped"]["outside --since/--until"] == 2
    fetched = [p for p in pages if site.hits[p]]
    assert [pages[p].published.isoformat() for p in fetched] == ["2024-03-11"]
    assert [r["published"][:10] for r in export()] == ["2024-03-11"]


def test_url_list_with_pages_a_feed_and_failures(site, run, export, config, tmp_path):
    a, b, c = make_article(101), make_article(102), make_article(103)
    site.put("/a.html", article_html(a, site.url("/a.html"), size=15_000))
    site.put("/b.html", article_html(b, site.url("/b.html"), size=15_000))
    site.put("/c.html", article_html(c, site.url("/c.html"), size=15_000))
    when = format_datetime(datetime(2024, 5, 2, 8, 0, tzinfo=UTC))
    site.put("/feed.xml", f"""<?xml version="1.0"?><rss version="2.0"><channel>
        <title>Ledger</title><link>{site.root}</link><description>d</description>
        <item><title>{c.title}</title><link>{site.url("/c.html")}</link>
        <pubDate>{when}</pubDate><guid>c</guid></item></channel></rss>""",
             "application/rss+xml")
    site.put("/gone.html", "gone", "text/html", status=410)
    urls = tmp_path / "urls.txt"
    urls.write_text("# history to load\n" + "\n".join(site.url(p) for p in (
        "/a.html", "/b.html", "/feed.xml", "/missing.html", "/gone.html")) + "\n")
    result = run("backfill", "--urls", str(urls), "--source", "valley-ledger", "--jobs", "1",
                 config=config)
    out = result.stdout
    assert "new 3" in out and "failed 2" in out
    assert "http_status: HTTP 404" in out and "http_status: HTTP 410" in out
    assert "failed by reason: http_status 2" in out
    records = {r["url"]: r for r in export()}
    assert {r["source"] for r in records.values()} == {"valley-ledger"}
    # The feed's date wins over the page's and keeps its UTC offset.
    assert records[site.url("/c.html")]["published"] == "2024-05-02T08:00:00+00:00"
    # A page's own zone-less date would take the source's zone (Asia/Karachi): ours has one.
    assert records[site.url("/a.html")]["published"].startswith(a.published.isoformat())


def test_completed_run_again_fetches_no_article(site, run, config):
    pages = build_news_site(site)
    run("backfill", site.root, "--jobs", "1", config=config)
    again = _summary(run("backfill", site.root, "--jobs", "1", "--json", config=config))
    assert again["new"] == 0 and again["skipped"]["already loaded"] == 5
    assert all(site.hits[p] <= 1 for p in pages)


def test_not_a_document_is_a_failure(site, run, config):
    site.put("/data.bin", b"\x00\x01binary", "application/octet-stream")
    result = run("backfill", site.url("/data.bin"), "--jobs", "1", expect=1, config=config)
    assert "parse: not a feed, sitemap or HTML page" in result.stdout


ZONELESS = """<!doctype html><html><head><title>Dal lake weeds | Ledger</title>
<meta property="article:published_time" content="2024-05-03T10:00:00"></head><body>
<nav><a href="/">Home</a></nav><article><h1>Dal lake weeds cleared</h1>
<p>Harvesters removed two hundred tonnes of weeds from the lake over the spring, the
lakes authority said, and the boatmen's union asked for a second machine.</p>
<p>The authority said a tender for the machine would go out before the summer season
and that the cleared channels would be marked with buoys.</p></article></body></html>"""


def test_source_option_gives_its_zone_to_zoneless_page_dates(site, run, export, config):
    url = site.put("/dal.html", ZONELESS)
    run("backfill", url, "--source", "valley-ledger", "--jobs", "1", config=config)
    (record,) = export()
    assert record["source"] == "valley-ledger"
    assert record["published"] == "2024-05-03T10:00:00+05:00"  # the source's Asia/Karachi


def test_quiet_unless_alerts(site, run, config, tmp_path, db):
    from .conftest import write_config

    alerting = write_config(tmp_path / "alerts.toml", db,
                            '[[channels]]\nname = "console"\nkind = "console"\n\n'
                            '[[alerts]]\nname = "any-lake"\nquery = "lake"\n'
                            'channels = ["console"]\n')
    site.put("/dal.html", ZONELESS)
    site.put("/wular.html", ZONELESS.replace("Dal lake weeds cleared", "Wular lake survey")
             .split("<article>")[0] + "<article><h1>Wular lake survey</h1><p>Surveyors "
             "measured the depth of Wular lake at forty points and found the northern bays "
             "had silted up by a metre since the last survey.</p><p>Fishermen from Bandipora "
             "said their catch had halved and asked for dredging before the autumn."
             "</p></article></body></html>")
    run("backfill", site.url("/dal.html"), "--jobs", "1", config=alerting)
    assert run("alerts", "--json", config=alerting).stdout.strip() == "[]"
    run("backfill", site.url("/wular.html"), "--alerts", "--jobs", "1", config=alerting)
    assert json.loads(run("alerts", "--json", config=alerting).stdout)


def test_loopback_is_refused_without_allow_private_addresses(site, run, tmp_path, db):
    from .conftest import write_config

    strict = write_config(tmp_path / "strict.toml", db)
    strict.write_text(strict.read_text().replace("allow_private_addresses = true",
                                                 "allow_private_addresses = false"))
    url = site.put("/dal.html", ZONELESS)
    out = run("backfill", url, "--jobs", "1", expect=1, config=strict).stdout
    assert "blocked_address" in out and site.hits["/dal.html"] == 0


def test_gzipped_sitemap_and_feed_dates_skip_before_fetching(site, run, export, config):
    import gzip

    from .conftest import news_sitemap

    old, new = make_article(301), make_article(302)
    site.put("/old.html", article_html(old, site.url("/old.html"), size=15_000))
    site.put("/new.html", article_html(new, site.url("/new.html"), size=15_000))
    site.put("/news.xml.gz", gzip.compress(news_sitemap(site, [("/new.html", new)]).encode()),
             "application/x-gzip")
    def when(a):
        return format_datetime(datetime.combine(a.published, datetime.min.time(), UTC))

    feed_items = "".join(
        f"<item><title>{a.title}</title><link>{site.url(p)}</link><pubDate>{when(a)}"
        f"</pubDate><guid>{p}</guid></item>" for p, a in (("/old.html", old), ("/new.html", new)))
    site.put("/rss.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>L</title>'
             f"<link>{site.root}</link><description>d</description>{feed_items}</channel></rss>",
             "application/rss+xml")
    since = new.published.isoformat()
    summary = _summary(run("backfill", site.url("/rss.xml"), "--since", since, "--jobs", "1",
                           "--json", config=config))
    assert summary["new"] == 1 and summary["skipped"] == {"outside --since/--until": 1}
    assert site.hits["/old.html"] == 0 and site.hits["/new.html"] == 1
    summary = _summary(run("backfill", site.url("/news.xml.gz"), "--jobs", "1", "--json",
                           config=config))
    assert summary["skipped"] == {"already stored": 1}  # same canonical URL: no second fetch
    assert site.hits["/new.html"] == 1
    assert [r["url"] for r in export()] == [site.url("/new.html")]


def test_a_url_listed_twice_is_fetched_once(site, run, config):
    pages = build_news_site(site)
    page = next(p for p in pages if p.startswith("/news/2024-03/"))
    summary = _summary(run("backfill", site.root, site.url(page), site.url(page),
                           site.url("/robots.txt"), "--jobs", "1", "--json", config=config))
    assert summary["new"] == 5
    assert site.hits[page] == 1 and site.hits["/robots.txt"] == 1
    assert site.hits["/sitemap-index.xml"] == 1


BULLETINS = (
    "The Srinagar ring road opened its second lane near Pantha Chowk on Monday, the "
    "roads department said, two months after the first.",
    "Saffron growers in Pampore asked for a testing laboratory in the town, saying samples "
    "now travel to Jammu and come back weeks later.",
    "The Gulmarg gondola will close for maintenance for ten days in July, its operator "
    "said, and tickets already sold will be refunded.",
)


def test_feed_entries_without_a_page_are_stored_once_across_reruns(site, run, export, config):
    when = format_datetime(datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
    items = "".join(
        f'<item><title>Bulletin {i}</title><guid isPermaLink="false">bulletin-{i}</guid>'
        f"<pubDate>{when}</pubDate><description>{text}</description></item>"
        for i, text in enumerate(BULLETINS))
    url = site.put("/bulletins.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
                   f"<title>Bulletins</title><link>{site.root}</link><description>d"
                   f"</description>{items}</channel></rss>", "application/rss+xml")
    first = _summary(run("backfill", url, "--jobs", "1", "--json", config=config))
    assert first["new"] == 3
    again = _summary(run("backfill", url, "--jobs", "1", "--json", config=config))
    assert again["new"] == 0 and again["duplicates"] == 0
    assert again["skipped"] == {"already loaded": 3}
    assert sorted(r["title"] for r in export()) == ["Bulletin 0", "Bulletin 1", "Bulletin 2"]


def test_a_cut_short_sitemap_is_reported_and_its_cut_url_never_fetched(site, run, config):
    import gzip

    from .conftest import news_sitemap

    listed = [(f"/n/{i}.html", make_article(600 + i)) for i in range(10)]
    for path, article in listed:
        site.put(path, article_html(article, site.url(path), size=3_000))
    whole = news_sitemap(site, listed).encode()
    site.put("/cut.xml.gz", gzip.compress(whole)[: len(gzip.compress(whole)) // 2],
             "application/x-gzip")
    out = run("backfill", site.url("/cut.xml.gz"), "--jobs", "1", expect=1, config=config).stdout
    assert "failed 1" in out and "truncated" in out and site.url("/cut.xml.gz") in out
    assert not site.page_hits()  # nothing read from a damaged archive
    # Plain XML cut in the middle of the sixth <loc>: the five whole entries are loaded.
    site.put("/cut.xml", whole[: whole.index(b"/n/5.html") + len("/n/5.ht")], "application/xml")
    out = run("backfill", site.url("/cut.xml"), "--jobs", "1", config=config).stdout
    assert "new 5" in out and "failed 1" in out
    assert f"{site.url('/cut.xml')}: parse: damaged sitemap" in out
    assert set(site.hits) == {"/robots.txt", "/cut.xml.gz", "/cut.xml"} | {
        f"/n/{i}.html" for i in range(5)}


def test_a_child_sitemap_disallowed_by_robots_is_never_requested(site, run, config):
    from .conftest import news_sitemap, sitemap_index

    listed = [(f"/news/{i}.html", make_article(700 + i)) for i in range(2)]
    for path, article in listed:
        site.put(path, article_html(article, site.url(path), size=3_000))
    site.put("/private/sm.xml", news_sitemap(site, listed), "application/xml")
    site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    site.put("/idx.xml", sitemap_index(site, [("/private/sm.xml", "2024-01-01")]),
             "application/xml")
    summary = _summary(run("backfill", site.url("/idx.xml"), "--jobs", "1", "--json",
                           config=config))
    assert summary["skipped"] == {"disallowed by robots.txt": 1} and summary["new"] == 0
    assert site.hits["/private/sm.xml"] == 0 and not site.page_hits()


def test_url_list_saved_with_a_bom_and_crlf(site, run, export, config, tmp_path):
    # Notepad's "UTF-8" and Excel's CSV-as-text both start the file with a BOM.
    for number, path in ((121, "/a.html"), (122, "/b.html")):
        site.put(path, article_html(make_article(number), site.url(path), size=15_000))
    urls = tmp_path / "urls.txt"
    urls.write_bytes(("\ufeff" + site.url("/a.html") + "\r\n# second one\r\n\r\n"
                      + site.url("/b.html") + "\r\n").encode("utf-8"))
    summary = _summary(run("backfill", "--urls", str(urls), "--jobs", "1", "--json",
                           config=config))
    assert summary["new"] == 2 and summary["failed"] == [], summary
    assert {r["url"] for r in export()} == {site.url("/a.html"), site.url("/b.html")}


def test_url_list_not_in_utf8_is_a_usage_error(run, tmp_path):
    (tmp_path / "urls.txt").write_bytes("https://ledger.example/café\n".encode("cp1252"))
    result = run("backfill", "--urls", str(tmp_path / "urls.txt"), expect=2)
    assert "urls.txt: not UTF-8 text" in result.output
