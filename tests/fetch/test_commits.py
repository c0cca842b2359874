"""Group commit: the sources ready at once share a transaction, and keep their own errors."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from monitor.fetch.commits import Committer
from monitor.fetch.cycle import Fetcher
from monitor.models import Body, RawItem
from monitor.pipeline import Analysis, Outcome, Pipeline, analyse
from monitor.timeutil import now_utc

from .feeds import summary

Turns = dict[str, list[tuple[str, Analysis]]]


def analysed(fetcher: Fetcher, source: str, n: int) -> list[tuple[str, Analysis]]:
    app = fetcher.app
    return [(f"guid:{source}-{i}", analyse(RawItem(
        source=source, body=Body.TEXT, content=summary(f"{source}-{i}"),
        dates=app.date_context(), url=f"http://news.example/{source}/{i}",
        title=f"Story {i} of {source}", origin="feed"), app.taxonomy)) for i in range(n)]


class FailingFor(Pipeline):
    """The real pipeline, except that one source's items raise (a bug in a stage)."""

    def __init__(self, pipeline: Pipeline, source: str) -> None:
        super().__init__(pipeline.store, pipeline.taxonomy)
        self.bad = source

    def commit(self, analysis: Analysis, fetched_at: datetime | None = None) -> Outcome:
        if analysis.article.source == self.bad:
            raise ValueError(f"stage failed on {self.bad}")
        return super().commit(analysis, fetched_at)


def commit_together(committer: Committer, turns: Turns) -> dict[str, object]:
    """Queue every turn while the store is held, so that one thread commits them all."""
    got: dict[str, object] = {}

    def one(source: str) -> None:
        try:
            got[source] = committer.commit(source, turns[source], [(f"{source}-seen", None)],
                                           now_utc())
        except Exception as e:
            got[source] = e

    threads = [threading.Thread(target=one, args=(s,)) for s in turns]
    with committer.store.lock:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while committer.waiting < len(turns) and time.monotonic() < deadline:
            time.sleep(0.01)
    for t in threads:
        t.join(10)
    return got


def statuses(outcomes: object) -> list[str]:
    assert isinstance(outcomes, list), outcomes
    return [o.status for o in outcomes]


@pytest.fixture
def fetcher(make_fetcher) -> Fetcher:  # type: ignore[no-untyped-def]
    return make_fetcher([{"name": n, "url": f"http://127.0.0.1:9/{n}.xml"} for n in "abc"])


def test_sources_ready_at_once_share_one_transaction(fetcher: Fetcher) -> None:
    turns = {s: analysed(fetcher, s, 4) for s in "abc"}
    got = commit_together(fetcher.committer, turns)
    assert fetcher.committer.transactions == 1
    store = fetcher.app.store
    for source, items in turns.items():
        assert statuses(got[source]) == ["new"] * 4
        keys = {k for k, _ in items} | {f"{source}-seen"}
        assert store.known_entries(source, keys) == keys
    assert len(list(store.export_records())) == 12


def test_one_source_failing_in_a_group_costs_the_others_nothing(fetcher: Fetcher) -> None:
    committer = Committer(fetcher.app.store, FailingFor(fetcher.pipeline, "b"))
    turns = {s: analysed(fetcher, s, 3) for s in "abc"}
    got = commit_together(committer, turns)
    assert isinstance(got["b"], ValueError)
    assert statuses(got["a"]) == statuses(got["c"]) == ["new"] * 3
    store = fetcher.app.store
    assert {r["source"] for r in store.export_records()} == {"a", "c"}
    assert store.known_entries("b", [k for k, _ in turns["b"]] + ["b-seen"]) == set()
    assert store.known_entries("c", ["c-seen"]) == {"c-seen"}


def test_a_ready_turn_waits_for_a_turn_being_analysed(fetcher: Fetcher) -> None:
    committer = Committer(fetcher.app.store, fetcher.pipeline, linger=30)
    turns = {s: analysed(fetcher, s, 2) for s in "ab"}
    got: dict[str, object] = {}
    analysing = threading.Event()
    queued = threading.Event()

    def b() -> None:
        with committer.coming() as coming:  # b's items are being analysed
            analysing.set()
            queued.wait(10)
            got["b"] = committer.commit("b", turns["b"], [], now_utc(), coming=coming)

    tb = threading.Thread(target=b)
    tb.start()
    analysing.wait(10)
    ta = threading.Thread(target=lambda: got.setdefault(
        "a", committer.commit("a", turns["a"], [], now_utc())))
    ta.start()
    deadline = time.monotonic() + 10
    while committer.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    queued.set()  # a is waiting: b's analysis ends, b joins a's transaction
    ta.join(10)
    tb.join(10)
    assert statuses(got["a"]) == statuses(got["b"]) == ["new"] * 2
    assert committer.transactions == 1


def test_a_ready_turn_stops_waiting_when_the_other_turn_fails(fetcher: Fetcher) -> None:
    committer = Committer(fetcher.app.store, fetcher.pipeline, linger=30)
    got: list[object] = []
    with committer.coming():  # an analysis that will fail: nothing comes of it
        t = threading.Thread(target=lambda: got.append(
            committer.commit("a", analysed(fetcher, "a", 1), [], now_utc())))
        t.start()
        deadline = time.monotonic() + 10
        while committer.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    t.join(10)  # well before the 30 s linger
    assert not t.is_alive()
    assert statuses(got[0]) == ["new"]
    assert committer.transactions == 1
