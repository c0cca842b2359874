"""The `monitor` command line: parse options, call one library function, print.

Global options come before the command. Errors are mapped in one place
(`group.pass_app`, STYLE.md 9): a configuration or usage error exits 2, any other
expected error exits 1, both as one line with no traceback; unexpected exceptions
keep theirs. Commands live in the modules below, grouped by what they serve.
"""

from __future__ import annotations

from . import backfill_cmd, corpus, daemon_cmds, deliver, ops  # noqa: F401  (commands register on import)
from .group import cli, main, pass_app

__all__ = ["cli", "main", "pass_app"]
