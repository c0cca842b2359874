"""Plain INSERT, UPDATE and SELECT statements for the hot paths.

sqlite-utils' `Table.insert`/`update` inspect the table's schema on every call, and
its `query` wraps every read in a savepoint of its own (three statements a lookup);
on a path that writes per article or per fetch that was most of the cost. The column
names come from our own code, never from input.
"""

from __future__ import annotations

import sqlite3
from typing import Any

__all__ = ["insert_row", "select_rows", "update_row"]


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" * len(row))
    cur = conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
    return int(cur.lastrowid or 0)


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
