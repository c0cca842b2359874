"""The progress bar: on the terminal that stderr is, never in the result on stdout."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from ..conftest import ROOT, env_without_monitor, write_jsonl


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side of the pty is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_bar_on_terminal_stderr_leaves_redirected_stdout_to_the_json(tmp_path, db):
    write_jsonl(tmp_path / "notes.jsonl", [
        {"url": f"https://notes.example/{n}", "text": f"Bus route {n} now stops at the depot."}
        for n in range(20)])
    env = {**env_without_monitor(), "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    terminal, stderr = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(db), "backfill", "notes.jsonl", "--json",
         "--jobs", "1"],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr)
    os.close(stderr)
    shown = _read_all(terminal)
    os.close(terminal)
    out = proc.stdout.read()
    assert proc.wait(timeout=120) == 0, shown
    assert out.startswith(b"{"), out[:200]  # nothing of the bar before the result
    assert json.loads(out)["new"] == 20
    assert b"backfill" in shown  # the bar was drawn where the user looks
