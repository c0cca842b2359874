"""The application object: settings plus the store, taxonomy and pipeline built from them.

Commands and the daemon get everything through one `App`, built once from the
global options (datasette's app object, sqlite-utils' `Database`). Parts are built on
first use, so `monitor check` opens no database and `monitor stats` loads no taxonomy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from .config import PACKAGE_TAXONOMY, Settings, Source, check_rule_concepts, load_settings
from .errors import ConfigError
from .models import DateContext
from .pipeline import Pipeline
from .store import Store
from .tagging import Taxonomy, load_taxonomy
from .timeutil import now_utc

__all__ = ["App"]

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    _closers: list[Store] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, config: str | Path | None = None, db: str | Path | None = None) -> App:
        return cls(load_settings(config, db))

    @cached_property
    def store(self) -> Store:
        store = Store(self.settings.monitor.database)
        self._closers.append(store)
        return store

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return _taxonomy(self.settings)

    def reconfigure(self, settings: Settings) -> None:
        """Take new settings (the daemon's SIGHUP) with their taxonomy, read now; if the
        taxonomy does not load or an alert rule names no concept of it, raise ConfigError
        and keep the running settings and taxonomy: a daemon must not be left with
        settings whose taxonomy fails only later, inside a job (or kills it)."""
        taxonomy = _taxonomy(settings)
        check_rule_concepts(settings, taxonomy.concept_names)
        self.settings = settings
        self.__dict__["taxonomy"] = taxonomy  # what `cached_property` would have stored

    def pipeline(self, *, alerts: bool = True) -> Pipeline:
        check_rule_concepts(self.settings, self.taxonomy.concept_names)
        return Pipeline(self.store, self.taxonomy, self.settings.alerts, alerts=alerts)

    def date_context(
        self, source: Source | None = None, now: datetime | None = None
    ) -> DateContext:
        """How to read one source's dates: its zone and order, else the monitor's."""
        tz = (source.timezone if source else None) or self.settings.monitor.timezone
        order = (source.date_order if source else None) or self.settings.monitor.date_order
        return DateContext(timezone=tz, now=now or now_utc(), date_order=order)

    def close(self) -> None:
        for store in self._closers:
            store.close()
        self._closers.clear()


def _taxonomy(settings: Settings) -> Taxonomy:
    path = settings.monitor.taxonomy
    if not path.is_file() and path != PACKAGE_TAXONOMY:
        raise ConfigError(str(settings.path or "(defaults)"), "monitor.taxonomy",
                          f"taxonomy file {path} not found")
    return load_taxonomy(path)
