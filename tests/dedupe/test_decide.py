"""decide_duplicate and assign_story as pure functions (issue 5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from monitor.dedupe import assign_story, decide_duplicate, fingerprint
from monitor.models import CandidateArticle, CleanArticle, DedupVerdict, StoryCandidate, Tagging

from .conftest import text

IST = timezone(timedelta(hours=5, minutes=30))
NOON = datetime(2024, 10, 14, 12, 0, tzinfo=IST)


def article(name: str, source: str = "Desk", when: datetime = NOON) -> CleanArticle:
    return CleanArticle(source=source, url=f"https://{source.lower()}.example/{name}",
                        text=text(name), published=when)


def stored(id_: int, name: str, duplicate_of: int | None = None, url: str | None = None
           ) -> CandidateArticle:
    fp = fingerprint(text(name))
    return CandidateArticle(id=id_, canonical_url=url, content_hash=fp.content_hash,
                            source="Other", title=None, published=NOON,
                            duplicate_of=duplicate_of, signature=fp.signature)


def decide(name: str, by_url=None, by_hash=(), near=()) -> DedupVerdict:
    a = article(name)
    fp = fingerprint(a.text)
    return decide_duplicate(a, fp, "https://desk.example/x", by_url, list(by_hash), list(near))


def test_same_canonical_url_is_an_update() -> None:
    v = decide("wire-syndicated", by_url=stored(7, "wire-original"))
    assert (v.update_of, v.duplicate_of, v.method) == (7, None, "url")


def test_exact_copy_points_at_the_root_of_its_group() -> None:
    # The stored match is itself a copy of article 3: the new one points at 3.
    v = decide("wire-original", by_hash=[stored(9, "wire-original", duplicate_of=3)])
    assert (v.duplicate_of, v.method, v.similarity) == (3, "exact", 1.0)


def test_syndicated_copy_is_a_near_duplicate() -> None:
    v = decide("wire-syndicated", near=[stored(4, "report-agency-a"), stored(5, "wire-original")])
    assert v.duplicate_of == 5 and v.method == "minhash"
    assert v.similarity is not None and 0.6 < v.similarity < 1.0


def test_verdict_carries_the_fingerprint() -> None:
    fp = fingerprint(text("wire-original"))
    v = decide("wire-original")
    assert (v.content_hash, v.signature, v.band_keys) == (fp.content_hash, fp.signature,
                                                           fp.band_keys)
    assert v.duplicate_of is None and v.update_of is None and v.method is None


def test_template_twin_is_not_a_duplicate() -> None:
    assert decide("market-day2", near=[stored(2, "market-day1")]).duplicate_of is None


def test_independent_report_is_not_a_duplicate() -> None:
    assert decide("report-own-b", near=[stored(2, "report-agency-a")]).duplicate_of is None


def candidate(id_: int, story: int, name: str, when: datetime = NOON,
              concepts: tuple[str, ...] = ()) -> StoryCandidate:
    return StoryCandidate(article_id=id_, story_id=story, title=None, published=when,
                          concepts=concepts, signature=fingerprint(text(name)).signature)


def story_for(name: str, cands: list[StoryCandidate], when: datetime = NOON,
              concepts: tuple[str, ...] = (), kinds: dict[str, str] | None = None):
    a = article(name, when=when)
    v = decide_duplicate(a, fingerprint(a.text), None, None, [], [])
    return assign_story(a, Tagging(concepts=concepts), v, cands, kinds)


def test_second_report_of_an_event_joins_its_story() -> None:
    s = story_for("report-own-b", [candidate(1, 11, "market-day1"),
                                   candidate(2, 12, "report-agency-a")],
                  when=NOON + timedelta(hours=5))
    assert (s.story_id, s.method, s.with_article) == (12, "similar", 2)


def test_nothing_alike_starts_a_new_story() -> None:
    s = story_for("report-own-b", [candidate(1, 11, "market-day1")])
    assert (s.story_id, s.method) == (None, "new")


def test_same_report_days_apart_is_another_story() -> None:
    s = story_for("report-own-b", [candidate(2, 12, "report-agency-a")],
                  when=NOON + timedelta(days=3))
    assert s.story_id is None


def test_next_days_market_report_is_another_story() -> None:
    s = story_for("market-day2", [candidate(1, 11, "market-day1")],
                  when=NOON + timedelta(days=1))
    assert s.story_id is None


def test_encounters_in_two_districts_are_two_stories() -> None:
    kinds = {"Kulgam": "place", "Sopore": "place", "Militancy": "topic"}
    s = story_for("encounter-sopore",
                  [candidate(1, 11, "encounter-kulgam", concepts=("Kulgam", "Militancy"))],
                  concepts=("Militancy", "Sopore"), kinds=kinds)
    assert s.story_id is None


def test_a_duplicate_joins_its_originals_story() -> None:
    a = article("wire-syndicated")
    v = DedupVerdict(canonical_url=None, content_hash="h", duplicate_of=2, method="minhash",
                     similarity=0.8)
    s = assign_story(a, Tagging(), v, [candidate(2, 12, "wire-original")])
    assert (s.story_id, s.method, s.with_article) == (12, "duplicate", 2)


BOILERPLATE = (
    "Subscribe to our newsletter to get the top headlines delivered to your inbox every "
    "morning. We value your privacy and will never share your email address with third "
    "parties. Follow us on social media for breaking news, live updates and exclusive "
    "interviews with newsmakers. Our journalism is independent and funded by readers like "
    "you; consider supporting us with a small monthly contribution. Download our app for a "
    "faster reading experience with offline access and personalised alerts on the stories "
    "you follow."
)


def test_two_stubs_under_one_long_template_are_not_duplicates() -> None:
    # Each short report names its own place; the shared words are the site's footer.
    road = ("Snowfall closed the Mughal Road on Friday and stranded dozens of trucks near "
            "Poonch, officials said.\n\n" + BOILERPLATE)
    bail = ("A court in Jammu granted bail to a businessman accused of tax evasion in a "
            "case filed two years ago.\n\n" + BOILERPLATE)
    first = fingerprint(road)
    old = CandidateArticle(id=1, canonical_url=None, content_hash=first.content_hash,
                           source="Desk", title=None, published=NOON, duplicate_of=None,
                           signature=first.signature)
    new = CleanArticle(source="Desk", url="https://desk.example/bail", text=bail,
                       published=NOON)
    v = decide_duplicate(new, fingerprint(bail), None, None, [], [old])
    assert v.duplicate_of is None
    # the same stub again under the same footer is still a copy
    again = CleanArticle(source="Desk", url="https://desk.example/road2", text=road,
                         published=NOON)
    v = decide_duplicate(again, fingerprint(road + " Updated."), None, None, [], [old])
    assert v.duplicate_of == 1
