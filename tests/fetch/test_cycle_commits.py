"""A cycle's fetch threads hand their items to the committer's thread and go on.

`run_cycle` must not hold a fetch thread while its items wait for a transaction (the
workers ran out of feeds to parse, issue 3); what is stored, the results and their
order, and a store failure reaching the caller stay as they were.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest

from monitor.errors import StoreError
from monitor.fetch.commits import Committer
from monitor.fetch.cycle import Fetcher
from monitor.pipeline import Analysis, Outcome, Pipeline
from monitor.timeutil import now_utc

from .feeds import rss
from .server import LoopbackServer
from .test_commits import analysed, statuses


class HeldFor(Pipeline):
    """The real pipeline, except that one source's items wait for `release`."""

    def __init__(self, pipeline: Pipeline, source: str) -> None:
        super().__init__(pipeline.store, pipeline.taxonomy)
        self.source = source
        self.holding = threading.Event()
        self.release = threading.Event()

    def commit(self, analysis: Analysis, fetched_at: datetime | None = None) -> Outcome:
        if analysis.article.source == self.source:
            self.holding.set()
            assert self.release.wait(30), "never released"
        return super().commit(analysis, fetched_at)


def serve_feeds(server: LoopbackServer, names: str, items: int = 2) -> list[dict[str, object]]:
    for n in names:
        server.serve(f"/{n}.xml", body=rss(n, items).encode(), etag=f'"{n}"')
    return [{"name": n, "url": server.url(f"/{n}.xml"), "full_text": False} for n in names]


def wait_for(check: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_fetch_threads_go_on_while_items_wait_to_be_stored(server: LoopbackServer,
                                                            make_fetcher) -> None:  # type: ignore[no-untyped-def]
    # One fetch thread: had it waited for a's commit, it would not fetch b; had it read
    # b's known entries behind a's transaction, it would not fetch c or d.
    fetcher: Fetcher = make_fetcher(serve_feeds(server, "abcd"), concurrency=1)
    held = HeldFor(fetcher.pipeline, "a")
    fetcher.committer = Committer(fetcher.app.store, held, linger=0)
    got: list[object] = []
    cycle = threading.Thread(target=lambda: got.extend(fetcher.run_cycle()))
    cycle.start()
    try:
        assert held.holding.wait(20)
        assert wait_for(lambda: all(server.hits(f"/{n}.xml") for n in "bcd")), \
            "the fetch thread waited for a's transaction"
    finally:
        held.release.set()
        cycle.join(30)
    assert [r.source for r in got] == list("abcd")  # type: ignore[attr-defined]
    assert [r.counts["new"] for r in got] == [2, 2, 2, 2]  # type: ignore[attr-defined]
    store = fetcher.app.store
    assert len(list(store.export_records())) == 8
    assert all(store.source_state(n)["etag"] == f'"{n}"' for n in "abcd")


def test_a_store_failure_after_the_commit_reaches_the_caller(server: LoopbackServer,
                                                             make_fetcher, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fetcher: Fetcher = make_fetcher(serve_feeds(server, "ab"))
    store = fetcher.app.store
    apply_fetch = store.apply_fetch

    def failing(name: str, update: dict[str, object], log: dict[str, object]) -> None:
        if name == "b":
            raise StoreError("disk full")
        apply_fetch(name, update, log)

    monkeypatch.setattr(store, "apply_fetch", failing)
    done: list[BaseException] = []

    def run() -> None:
        try:
            fetcher.run_cycle()
        except BaseException as e:
            done.append(e)

    cycle = threading.Thread(target=run)
    cycle.start()
    cycle.join(30)
    assert not cycle.is_alive(), "the cycle waits for a turn that will never end"
    assert len(done) == 1 and isinstance(done[0], StoreError)
    assert store.source_state("a")["etag"] == '"a"'  # a's turn was recorded all the same


@pytest.fixture
def fetcher(make_fetcher) -> Fetcher:  # type: ignore[no-untyped-def]
    return make_fetcher([{"name": n, "url": f"http://127.0.0.1:9/{n}.xml"} for n in "abc"])


def test_submitted_turns_are_stored_in_order_and_told(fetcher: Fetcher) -> None:
    committer = Committer(fetcher.app.store, fetcher.pipeline, linger=0)
    told: list[tuple[str, object]] = []
    with committer.background():
        for s in "abc":
            committer.submit(s, analysed(fetcher, s, 2), [(f"{s}-seen", None)], now_utc(),
                             then=lambda o, e, s=s: told.append((s, e or statuses(o))))
    assert told == [(s, ["new", "new"]) for s in "abc"]
    assert fetcher.app.store.known_entries("b", ["b-seen"]) == {"b-seen"}


def test_submit_waits_while_the_backlog_is_full(fetcher: Fetcher) -> None:
    held = HeldFor(fetcher.pipeline, "a")
    committer = Committer(fetcher.app.store, held, group_items=2, linger=0)
    committer.backlog = 2
    told: list[str] = []
    submitted: list[str] = []
    with committer.background():
        committer.submit("a", analysed(fetcher, "a", 2), [], now_utc(),
                         then=lambda o, e: told.append("a"))
        assert held.holding.wait(10)  # a is being stored; b fills the backlog

        def more() -> None:
            for s in "bc":
                committer.submit(s, analysed(fetcher, s, 2), [], now_utc(),
                                 then=lambda o, e, s=s: told.append(s))
                submitted.append(s)

        t = threading.Thread(target=more)
        t.start()
        assert wait_for(lambda: submitted == ["b"])
        time.sleep(0.2)
        assert submitted == ["b"], "c went past a full backlog"
        held.release.set()
        t.join(10)
    assert told == ["a", "b", "c"]


def test_submit_needs_the_committing_thread(fetcher: Fetcher) -> None:
    committer = Committer(fetcher.app.store, fetcher.pipeline)
    with pytest.raises(RuntimeError):
        committer.submit("a", analysed(fetcher, "a", 1), [], now_utc(),
                         then=lambda o, e: None)
    told: list[object] = []
    committer.submit("a", [], [], now_utc(), then=lambda o, e: told.append(o))
    assert told == [[]]  # nothing to store: told at once
