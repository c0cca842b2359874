"""The daemon's threads share one Store: reads beside a writer's batch (review finding).

The fetch cycle writes in batch transactions (a savepoint per article) while the
notify jobs read the outbox and the heartbeat from other threads. A read must neither
break the writer's transaction nor commit half of it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from monitor.store import Store


def test_reads_from_another_thread_leave_the_writers_batches_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    errors: list[BaseException] = []
    stop = threading.Event()
    at = "2024-10-14T00:00:00+00:00"

    def reader() -> None:
        while not stop.is_set():
            try:
                store.due_deliveries(at)
                store.in_flight()
                store.get_meta("daemon")
            except BaseException as e:  # collected for the assertion
                errors.append(e)

    thread = threading.Thread(target=reader)
    thread.start()
    batches, deadline = 0, time.monotonic() + 2.0
    try:
        while time.monotonic() < deadline:
            with store.batch():
                for i in range(5):
                    store.queue_delivery("alert", f"k{batches}-{i}", "console", at)
                    store.set_meta(f"m{i}", batches)
            batches += 1
    finally:
        stop.set()
        thread.join(10)
    assert errors == []
    rows = store.db.execute("SELECT count(*) FROM deliveries").fetchone()[0]
    assert rows == batches * 5
    store.close()
