"""The `monitor` click group, the App hand-off and the one place errors are mapped.

Command modules import `cli` and `pass_app` from here and register themselves;
`monitor.cli` imports them all. Imports point one way: group <- commands <- package.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from .. import __version__
from ..app import App
from ..errors import ConfigError, MonitorError, UsageError

__all__ = ["ConfigProblem", "cli", "main", "pass_app"]

F = TypeVar("F", bound=Callable[..., Any])


class ConfigProblem(click.ClickException):
    exit_code = 2


class _Lazy:
    """Builds the App on first use so `--help` and usage errors need no configuration."""

    def __init__(self, config: str | None, db: str | None) -> None:
        self.config, self.db = config, db
        self.app: App | None = None

    def get(self) -> App:
        if self.app is None:
            self.app = App.load(self.config, self.db)
        return self.app


def pass_app(func: F) -> F:
    """Give the command the App as its first argument; translate our errors at the edge."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lazy: _Lazy = click.get_current_context().find_object(_Lazy)  # type: ignore[assignment]
        try:
            return func(lazy.get(), *args, **kwargs)
        except (ConfigError, UsageError) as e:
            raise ConfigProblem(str(e)) from None
        except MonitorError as e:
            raise click.ClickException(str(e)) from None
        finally:
            if lazy.app is not None:
                lazy.app.close()

    return wrapper  # type: ignore[return-value]


def _setup_logging(verbose: int, quiet: bool) -> None:
    levels = (logging.WARNING, logging.INFO, logging.DEBUG)
    level = logging.ERROR if quiet else levels[min(verbose, 2)]
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config", type=click.Path(dir_okay=False),
              help="Configuration file [default: env MONITOR_CONFIG, else "
                   "config/monitor.toml if present].")
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="SQLite database file [default: from the config; env MONITOR_DB].")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(version=__version__, prog_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, verbose: int, quiet: bool) -> None:
    """Media monitor: polls news sources, cleans, dedupes and tags articles, and alerts.

    Start with `monitor check`, then `monitor run` (the daemon) or `monitor demo`.
    """
    _setup_logging(verbose, quiet)
    ctx.obj = _Lazy(config, db)


def main() -> None:
    cli(prog_name="monitor")
