"""Plain INSERT, UPDATE and SELECT statements for the hot paths.

sqlite-utils' `Table.insert`/`update` inspect the table's schema on every call, and
its `query` wraps every read in a savepoint of its own (three statements a lookup);
on a path that writes per article or per fetch that was most of the cost. The column
names come from our own code, never from input.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["KEPT_IDS", "atomic", "id_floor_key", "ids_past_floors", "insert_new", "insert_row",
           "present_keys", "select_rows", "update_row"]

# SQLite allows 999 bound parameters in older builds: stay well under it.
_CHUNK = 500


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    cur = conn.execute(_insert_sql(table, tuple(row)), tuple(row.values()))
    return int(cur.lastrowid or 0)


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """The INSERT for these columns, written once: the hot paths insert the same few
    column sets article after article."""
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


# Tables whose ids people and the delivery ledger hold on to: never reused (`insert_new`).
KEPT_IDS = ("articles", "stories")


def id_floor_key(table: str) -> str:
    """The `meta` key holding the highest id `table` ever had before a prune."""
    return f"id_floor:{table}"


def insert_new(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    """`insert_row` for a table whose ids people and the ledger hold on to (articles,
    stories): the new id is past every id the table ever held.

    SQLite gives a new row the highest id + 1, so once `prune` deleted the newest rows
    their ids came back: a new story took a pruned story's id, its alert's dedupe key
    (`alert:rule:channel:story:ID`) was already in the ledger, and the alert was
    dropped; `show ID` named another article than the one exported before. `prune`
    records the highest id in `meta` (`id_floor_key`) before it deletes.
    """
    cur = conn.execute(_insert_new_sql(table, tuple(row)), tuple(row.values()))
    return int(cur.lastrowid or 0)


def ids_past_floors(conn: sqlite3.Connection, tables: tuple[str, ...]) -> bool:
    """Whether SQLite's own next id (highest + 1) is already past every floor of these
    tables, so that `insert_row` gives the same ids as `insert_new`, without its two
    lookups an insert (~10 us each, measured on the writer)."""
    checks = " AND ".join(f"{_top(t)} >= {_floor(t)}" for t in tables)
    return bool(conn.execute(f"SELECT {checks}").fetchone()[0])


def _top(table: str) -> str:
    """SQL: the table's highest id now (0 when empty)."""
    return f"coalesce((SELECT max(id) FROM {table}), 0)"


def _floor(table: str) -> str:
    """SQL: the highest id the table had before a prune (0 when never pruned)."""
    return (f"coalesce((SELECT CAST(value AS INTEGER) FROM meta "
            f"WHERE key = '{id_floor_key(table)}'), 0)")


@functools.lru_cache(maxsize=16)
def _insert_new_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    new_id = f"(SELECT max({_top(table)}, {_floor(table)}) + 1)"
    return (f"INSERT INTO {table} (id, {names}) "
            f"VALUES ({new_id}, {', '.join('?' * len(columns))})")


def select_rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    """A read statement's rows as dicts (column name -> value), as `Database.query` gives."""
    cur = conn.execute(sql, params)
    keys = [d[0] for d in cur.description]
    return [dict(zip(keys, row, strict=True)) for row in cur]


def update_row(
    conn: sqlite3.Connection, table: str, key: str, value: Any, fields: dict[str, Any]
) -> None:
    if not fields:
        return
    sets = ", ".join(f'"{c}" = ?' for c in fields)
    conn.execute(f'UPDATE {table} SET {sets} WHERE "{key}" = ?', [*fields.values(), value])


def present_keys(
    conn: sqlite3.Connection, table: str, column: str, scope: tuple[str, Any],
    keys: Iterable[str],
) -> set[str]:
    """Which of `keys` are stored in `table.column` for rows where `scope[0] = scope[1]`.

    Asked in chunks of bound parameters, however many keys there are.
    """
    wanted = list(keys)
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in conn.execute(
                f'SELECT "{column}" FROM {table} WHERE "{scope[0]}" = ? '
                f'AND "{column}" IN ({marks})',
                [scope[1], *chunk],
            )
        )
    return found


@contextmanager
def atomic(conn: sqlite3.Connection, *, immediate: bool = False) -> Iterator[None]:
    """sqlite-utils' `Database.atomic` with one savepoint name for every level.

    Its names are random, so each SAVEPOINT/RELEASE was a new statement for sqlite3
    to prepare, twice an article in a backfill. Reusing a name nests correctly:
    RELEASE and ROLLBACK TO act on the innermost savepoint of that name.
    `immediate`: take the write lock at BEGIN, for a transaction that reads before it
    writes; a deferred one fails at once ("database is locked") if another process
    commits between its first read and its first write, instead of waiting its turn.
    """
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        return
    conn.execute("SAVEPOINT monitor_save")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # an error may have ended the transaction already
            conn.execute("ROLLBACK TO SAVEPOINT monitor_save")
            conn.execute("RELEASE SAVEPOINT monitor_save")
        raise
    conn.execute("RELEASE SAVEPOINT monitor_save")
