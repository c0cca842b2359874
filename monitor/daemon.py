"""`monitor run`: the daemon. Every source polled on its schedule; the notify jobs beside.

On APScheduler 3 (`BackgroundScheduler`; the main thread only waits for signals):
* one job per source at its interval, with jitter (a tenth of the interval, at most
  a minute), `max_instances=1` and `coalesce=True`: a slow source never runs twice
  at once, and runs missed while the machine slept become one. The job itself skips
  a source in backoff (`next_due_at`) or paused (`monitor sources pause`);
* the notify jobs (issue 7) `dispatch_pending` every 30 s, `send_due_digest` every
  minute, `check_health` every 5 minutes, imported defensively: until they exist
  the daemon logs once that they are missing and runs without them;
* a heartbeat every `HEARTBEAT` seconds in `meta` ("daemon"), and each notify job's
  last run ("job:<name>"), which `monitor status` reads;
* a WAL checkpoint every `DURABLE_EVERY` seconds (`Store.checkpoint`): what a power cut
  may undo is at most that much of the daemon's commits;
* every job is wrapped: an exception is logged and the daemon lives on.

Signals: SIGTERM/SIGINT stop it: no new job starts, fetches in hand stop at the
next item, and the daemon waits up to `STOP_GRACE` seconds for running jobs (each
write is one transaction, so whatever is cut short is simply redone next time).
SIGHUP reloads the configuration (once, when a burst of them has ended): sources
added, removed or changed take effect without a restart; a configuration that does
not validate is logged and the old one kept. One daemon per database: an exclusive
`flock` on `<database>.lock`. A database file deleted or replaced under it stops it,
with exit status 1, within `GUARD_EVERY` (its writes would go nowhere); a lock file
deleted under it is taken again as soon.
"""

from __future__ import annotations

import fcntl
import logging
import os
import platform
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from .app import App
from .config import Settings, Source, load_settings
from .errors import AlreadyRunning, MonitorError
from .fetch import Fetcher
from .process import pid_alive
from .timeutil import iso, now_utc

__all__ = ["HEARTBEAT", "NOTIFY_JOBS", "Daemon", "daemon_status", "lock_path"]

log = logging.getLogger(__name__)

HEARTBEAT = 10.0
DURABLE_EVERY = 60.0  # seconds between WAL checkpoints: what a power cut may undo
STOP_GRACE = 7.0
RELOAD_SETTLE = 0.5  # seconds without SIGHUP before a reload: a burst is one reload
RELOAD_SETTLE_MAX = 5.0  # ...but a steady stream of them still reloads this often
GUARD_EVERY = 1.0  # seconds between checks that the database and lock are still ours
NOTIFY_JOBS = (  # (function name in monitor.notify, every seconds, takes `now`)
    ("dispatch_pending", 30, False),
    ("send_due_digest", 60, True),
    ("check_health", 300, True),
)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class _Lock:
    """An exclusive, non-blocking flock held for the daemon's life (released on exit)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = open(self.path, "a+")  # noqa: SIM115 (held open)
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.seek(0)
            owner = self._file.read().strip() or "unknown"
            self._file.close()
            self._file = None
            raise AlreadyRunning(
                f"another monitor daemon (pid {owner}) is already running on {database}; "
                "stop it first, or give this one another --db"
            ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def held(self) -> bool:
        """Whether this daemon still holds the lock file at the path: one deleted under
        it (a "stale lock" cleanup after a crash) let a second daemon start on the same
        database. It takes the file now at the path again if it is free; False if
        another daemon holds that one."""
        if self._file is None:
            return False
        mine = os.fstat(self._file.fileno())
        if _identity(self.path) == (mine.st_dev, mine.st_ino):
            return True
        try:
            fresh = _Lock(self.database)
        except AlreadyRunning:
            return False
        log.warning("lock file %s was deleted or replaced; locked it again", self.path)
        self.release()
        self._file, fresh._file = fresh._file, None
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _processes(settings: Settings) -> int:
    """Parse in worker processes only when there are cores and sources enough for it."""
    cores = os.cpu_count() or 1
    return cores if cores > 1 and len(settings.sources) >= 20 else 0


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _every(source: Source, settings: Settings) -> float:
    """Seconds between a source's runs: its own interval, else [fetch] interval."""
    return settings.interval_of(source).total_seconds()


class Daemon:
    """Build with the global options; `run()` blocks until SIGTERM/SIGINT."""

    def __init__(self, config: str | None = None, db: str | None = None) -> None:
        self.config, self.db = config, db
        self.app = App.load(config, db)
        self.stopping = threading.Event()
        self._reload = threading.Event()
        self._lock = _Lock(self.app.settings.monitor.database)
        self._db_file: tuple[int, int] | None = None  # the file held open, from run()
        self.exit_code = 0  # 1 when it stopped on its own, for the service manager
        self._running = 0
        self._running_cond = threading.Condition()
        self._missing_logged: set[str] = set()
        self.started_at = now_utc()
        self.fetcher = Fetcher(self.app, processes=_processes(self.app.settings))
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(self.app.settings.fetch.concurrency + 4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # -- life cycle ---------------------------------------------------------------------

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, lambda *_: self._reload.set())
        try:
            self.fetcher.sync()
            self._heartbeat(state="running")
            # Only now: a new database file exists once something has been written.
            self._db_file = _identity(self.app.settings.monitor.database)
            self._schedule_sources()
            self._schedule_fixed()
            self.scheduler.start()
            log.info("daemon started pid=%d sources=%d database=%s", os.getpid(),
                     len(self.app.settings.sources), self.app.settings.monitor.database)
            checked = time.monotonic()
            while not self.stopping.is_set():
                if self._reload.wait(0.2) and self._settle_reloads():
                    self.reload()
                if time.monotonic() - checked >= GUARD_EVERY:  # two stat calls
                    checked = time.monotonic()
                    self._guard()
        finally:
            self.shutdown()

    def _on_stop(self, signum: int, frame: Any) -> None:
        log.info("daemon stopping (signal %d)", signum)
        self.stopping.set()

    def _settle_reloads(self) -> bool:
        """Let a burst of SIGHUPs end before reloading once; False if stopping meanwhile.

        Each reload replaces the fetcher: its jobs in hand stop and its worker processes
        go, new ones are spawned. A burst (a config tool signalling on every file it
        writes, ten HUPs in a second) reloaded eight times: a score of worker processes
        spawning at once on a small host, fetches stopped before they stored anything,
        and a SIGTERM then waited out STOP_GRACE for jobs stuck behind them.
        """
        deadline = time.monotonic() + RELOAD_SETTLE_MAX
        while self._reload.is_set() and time.monotonic() < deadline:
            self._reload.clear()
            if self.stopping.wait(RELOAD_SETTLE):
                return False
        self._reload.clear()
        return True

    def shutdown(self) -> None:
        """Stop scheduling, let jobs in hand finish their writes, release the lock."""
        self.fetcher.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + STOP_GRACE
        with self._running_cond:
            while self._running and time.monotonic() < deadline:
                self._running_cond.wait(0.1)
        with self.app.store.lock:  # no transaction is open once we hold it
            self._heartbeat(state="stopped")
            self.fetcher.close()
            self.app.close()
        self._lock.release()
        log.info("daemon stopped (%d job(s) still in flight abandoned)", self._running)

    def reload(self) -> None:
        """SIGHUP: read the configuration again; keep the old one if the new is bad."""
        old = self.app.settings
        try:
            new = load_settings(self.config, self.db)
            if new.monitor.database != old.monitor.database:
                log.error("reload: the database cannot change while running; restart instead")
                return
            # The taxonomy too is read and checked here, before anything is swapped: read
            # later (by the new fetcher) a broken one escaped this handler and stopped
            # the daemon.
            self.app.reconfigure(new)
        except MonitorError as e:
            log.error("reload failed, keeping the running configuration: %s", e)
            return
        fetcher = Fetcher(self.app, processes=_processes(new))
        fetcher.sync()
        old_fetcher, self.fetcher = self.fetcher, fetcher
        # Closed once its jobs in hand are done (their HTTP timeouts bound the wait);
        # closing it under a running job would fail that job. The loop goes on meanwhile.
        threading.Thread(target=old_fetcher.retire, name="retire-fetcher", daemon=True).start()
        self._reschedule(old, new)
        log.info("configuration reloaded: %d source(s)", len(new.sources))

    # -- jobs -----------------------------------------------------------------------------

    def _schedule_sources(self) -> None:
        for i, source in enumerate(self.app.settings.sources):
            self._add_source_job(source, first_in=1.0 + i * 0.2)

    def _add_source_job(self, source: Source, first_in: float = 1.0) -> None:
        every = _every(source, self.app.settings)
        self.scheduler.add_job(
            self._wrapped(f"source:{source.name}", self._fetch_job, source.name, record=False),
            "interval", seconds=every, jitter=min(every / 10, 60), id=f"source:{source.name}",
            name=f"fetch {source.name}", replace_existing=True,
            next_run_time=datetime.now(UTC) + timedelta(seconds=first_in),
        )

    def _reschedule(self, old: Settings, new: Settings) -> None:
        # A source's job is its settings *and* what its trigger takes from [fetch]: a
        # source without an interval of its own looked unchanged when [fetch] interval
        # changed, and kept polling at the old one.
        before = {s.name: (s, _every(s, old)) for s in old.sources}
        after = {s.name: (s, _every(s, new)) for s in new.sources}
        for name in before.keys() - after.keys():
            self.scheduler.remove_job(f"source:{name}")
            log.info("source removed: %s", name)
        for name, (source, every) in after.items():
            if before.get(name) != (source, every):
                self._add_source_job(source)
                log.info("source %s: %s", "changed" if name in before else "added", name)

    def _schedule_fixed(self) -> None:
        self.scheduler.add_job(self._wrapped("heartbeat", self._heartbeat, record=False),
                               "interval", seconds=HEARTBEAT, id="heartbeat")
        self.scheduler.add_job(self._wrapped("checkpoint", self.app.store.checkpoint,
                                             record=False),
                               "interval", seconds=DURABLE_EVERY, id="checkpoint")
        for name, every, with_now in NOTIFY_JOBS:
            self.scheduler.add_job(self._wrapped(name, self._notify_job, name, with_now),
                                   "interval", seconds=every, id=name, name=name,
                                   next_run_time=datetime.now(UTC) + timedelta(seconds=5))

    def _fetch_job(self, name: str) -> None:
        source = self.app.settings.source(name)
        with self.fetcher.in_use() as fetcher:
            if source is not None and not (self.stopping.is_set() or fetcher.stop.is_set()):
                fetcher.fetch_source(source)

    def _notify_job(self, name: str, with_now: bool) -> None:
        func = self._notify_function(name)
        if func is not None:
            func(self.app, now_utc()) if with_now else func(self.app)

    def _notify_function(self, name: str) -> Callable[..., None] | None:
        try:
            from . import notify  # issue 7 may not have landed: run without it
            func = getattr(notify, name)
        except (ImportError, AttributeError) as e:
            if name not in self._missing_logged:
                self._missing_logged.add(name)
                log.warning("notify job %s is not available yet (%s); skipping it", name, e)
            return None
        return func  # type: ignore[no-any-return]

    def _wrapped(self, name: str, func: Callable[..., None], *args: Any,
                 record: bool = True) -> Callable[[], None]:
        def job() -> None:
            if self.stopping.is_set():
                return
            with self._running_cond:
                self._running += 1
            started, error = now_utc(), None
            try:
                func(*args)
            except Exception as e:  # a job's bug is logged; the daemon lives on
                error = f"{type(e).__name__}: {e}"
                log.exception("job %s failed", name)
            finally:
                with self._running_cond:
                    self._running -= 1
                    self._running_cond.notify_all()
            if record:
                self._record_job(name, started, error)

        return job

    def _record_job(self, name: str, started: datetime, error: str | None) -> None:
        try:
            self.app.store.set_meta(f"job:{name}", {
                "last_run": iso(started), "ok": error is None, "error": error,
                "seconds": round((now_utc() - started).total_seconds(), 3)})
        except MonitorError:
            log.exception("could not record job %s", name)

    def _guard(self) -> None:
        """Stop (exit status 1) if the database file is no longer the one held open, or
        the lock file at the path is another daemon's. Checked every GUARD_EVERY seconds
        by the main thread: a heartbeat's 10 s of writes into a deleted file were lost."""
        database = self.app.settings.monitor.database
        if _identity(database) != self._db_file:
            # Deleted or replaced under us: SQLite goes on writing into the unlinked
            # file, which vanishes at exit, while `monitor status` reads the new (or no)
            # file and says NOT RUNNING. Stop with an error: a restart opens the path.
            problem = (f"database {database} was deleted or replaced while the daemon ran; "
                       "its writes since are lost; stopping (restart to open it again)")
        elif not self._lock.held():
            problem = (f"lock file {self._lock.path} was deleted and another daemon now "
                       "holds the new one; stopping this one (one daemon per database)")
        else:
            return
        log.error("%s", problem)
        self.exit_code = 1
        self.stopping.set()

    def _heartbeat(self, state: str = "running") -> None:
        self.app.store.set_meta("daemon", {
            "pid": os.getpid(), "host": platform.node(), "state": state,
            "started_at": iso(self.started_at), "heartbeat_at": iso(now_utc()),
            "interval": HEARTBEAT, "sources": len(self.app.settings.sources),
        })


def daemon_status(app: App) -> dict[str, Any]:
    """What `monitor status` reports; `healthy` is False when no live daemon beats."""
    store, now = app.store, now_utc()
    beat = store.get_meta("daemon") or {}
    at = beat.get("heartbeat_at")
    age = (now - datetime.fromisoformat(at)).total_seconds() if at else None
    # A beat from the future is no sign of life either: one written while the clock ran
    # ahead, by a daemon since dead, read as "0 s ago" (alive) until the clock caught up;
    # a live daemon beats again with the right time within HEARTBEAT.
    alive = (beat.get("state") == "running" and age is not None
             and -3 * HEARTBEAT < age < 3 * HEARTBEAT)
    if alive and beat.get("host") == platform.node():
        alive = pid_alive(int(beat.get("pid") or 0))
    jobs = {name: store.get_meta(f"job:{name}") for name, _, _ in NOTIFY_JOBS}
    configured = [s.name for s in app.settings.sources]
    rows = [r for r in store.source_rows(configured) if not r["paused"]]
    attention = [r["name"] for r in rows if r["status"] == "needs_attention"]
    # Failing (backing off, still polled) is what the digest lists beside needing
    # attention: a desk asking "what needs attention" wants both, with why.
    failing = [{"name": r["name"], "error_kind": r["last_error_kind"],
                "error": r["last_error_message"], "failures": r["consecutive_failures"],
                "last_success_at": r["last_success_at"]}
               for r in rows if r["status"] == "failing"]
    return {
        "healthy": alive, "daemon": {**beat, "alive": alive,
                                     "heartbeat_age_seconds": None if age is None else round(age)},
        "jobs": jobs, "sources_needing_attention": attention, "sources_failing": failing,
        "checked_at": iso(now),
    }
