"""SQLite persistence for the emulator: JSON documents in a few tables, one writer at a time."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .ids import make_id

Doc = dict[str, Any]

# Kinds kept in the generic ``objects`` table: everything that is looked up by id and listed, but never
# queried by a field. Policies and runs get their own tables because the rules query them (per deployment,
# active runs, due schedules).
KINDS = (
    "deployment",
    "deploymentSettings",
    "dataset",
    "predictionEnvironment",
    "useCase",
    "user",
    "credential",
    "retrainingSettings",
    "job",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS policies (
    id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL, doc TEXT NOT NULL, next_fire_at REAL
);
CREATE INDEX IF NOT EXISTS policies_by_deployment ON policies (deployment_id);
CREATE INDEX IF NOT EXISTS policies_by_next_fire ON policies (next_fire_at);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, policy_id TEXT NOT NULL, deployment_id TEXT NOT NULL, active INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_policy ON runs (policy_id);
CREATE INDEX IF NOT EXISTS runs_active ON runs (active);
"""


def _dump(doc: Doc) -> str:
    return json.dumps(doc, separators=(",", ":"))


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _load(text: str) -> Doc:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


class Tx:
    """One transaction. Only ``Store.transaction`` creates these; every read and write of the world goes through one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- meta: counters, clock, switches --
    def meta_get(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def meta_set(self, key: str, value: Any) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def next_id(self) -> str:
        counter = int(self.meta_get("id_counter", 0)) + 1
        self.meta_set("id_counter", counter)
        return make_id(counter)

    # -- generic objects --
    def obj_get(self, kind: str, obj_id: str) -> Doc | None:
        row = self._conn.execute("SELECT doc FROM objects WHERE kind = ? AND id = ?", (kind, obj_id)).fetchone()
        return None if row is None else _load(row[0])

    def obj_put(self, kind: str, obj_id: str, doc: Doc) -> None:
        # UPSERT rather than REPLACE: REPLACE deletes and re-inserts, which would move the row to the end of
        # the rowid order that lists are sorted by.
        self._conn.execute(
            "INSERT INTO objects (kind, id, doc) VALUES (?, ?, ?) "
            "ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc",
            (kind, obj_id, _dump(doc)),
        )

    def obj_list(self, kind: str, offset: int = 0, limit: int = -1) -> list[Doc]:
        rows = self._conn.execute(
            "SELECT doc FROM objects WHERE kind = ? ORDER BY rowid LIMIT ? OFFSET ?", (kind, limit, offset)
        ).fetchall()
        return [_load(r[0]) for r in rows]

    def obj_count(self, kind: str) -> int:
        row = self._conn.execute("SELECT COUNT(*) FROM objects WHERE kind = ?", (kind,)).fetchone()
        return int(row[0])

    # -- policies --
    def policy_get(self, policy_id: str) -> tuple[str, Doc] | None:
        row = self._conn.execute("SELECT deployment_id, doc FROM policies WHERE id = ?", (policy_id,)).fetchone()
        return None if row is None else (row[0], _load(row[1]))

    def policy_insert(self, policy_id: str, deployment_id: str, doc: Doc, next_fire_at: float | None) -> None:
        self._conn.execute(
            "INSERT INTO policies (id, deployment_id, doc, next_fire_at) VALUES (?, ?, ?, ?)",
            (policy_id, deployment_id, _dump(doc), next_fire_at),
        )

    def policy_update(self, policy_id: str, doc: Doc, next_fire_at: float | None) -> None:
        self._conn.execute(
            "UPDATE policies SET doc = ?, next_fire_at = ? WHERE id = ?",
            (_dump(doc), next_fire_at, policy_id),
        )

    def policy_set_next_fire(self, policy_id: str, next_fire_at: float | None) -> None:
        self._conn.execute("UPDATE policies SET next_fire_at = ? WHERE id = ?", (next_fire_at, policy_id))

    def policy_delete(self, policy_id: str) -> None:
        self._conn.execute("DELETE FROM runs WHERE policy_id = ?", (policy_id,))
        self._conn.execute("DELETE FROM policies WHERE id = ?", (policy_id,))

    def policy_list(self, deployment_id: str, offset: int = 0, limit: int = -1) -> list[Doc]:
        rows = self._conn.execute(
            "SELECT doc FROM policies WHERE deployment_id = ? ORDER BY rowid LIMIT ? OFFSET ?",
            (deployment_id, limit, offset),
        ).fetchall()
        return [_load(r[0]) for r in rows]

    def policy_count(self, deployment_id: str) -> int:
        row = self._conn.execute("SELECT COUNT(*) FROM policies WHERE deployment_id = ?", (deployment_id,)).fetchone()
        return int(row[0])

    def policies_all(self) -> list[tuple[str, str, Doc]]:
        rows = self._conn.execute("SELECT id, deployment_id, doc FROM policies ORDER BY rowid").fetchall()
        return [(r[0], r[1], _load(r[2])) for r in rows]

    def policies_due(self, until: float) -> list[tuple[str, str, Doc]]:
        rows = self._conn.execute(
            "SELECT id, deployment_id, doc FROM policies "
            "WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? "
            "ORDER BY rowid",
            (until,),
        ).fetchall()
        return [(r[0], r[1], _load(r[2])) for r in rows]

    # -- runs --
    def run_insert(self, run_id: str, policy_id: str, deployment_id: str, doc: Doc, active: bool) -> None:
        self._conn.execute(
            "INSERT INTO runs (id, policy_id, deployment_id, active, doc) VALUES (?, ?, ?, ?, ?)",
            (run_id, policy_id, deployment_id, int(active), _dump(doc)),
        )

    def run_update(self, run_id: str, doc: Doc, active: bool) -> None:
        self._conn.execute("UPDATE runs SET doc = ?, active = ? WHERE id = ?", (_dump(doc), int(active), run_id))

    def run_get(self, policy_id: str, run_id: str) -> Doc | None:
        row = self._conn.execute("SELECT doc FROM runs WHERE id = ? AND policy_id = ?", (run_id, policy_id)).fetchone()
        return None if row is None else _load(row[0])

    def run_list(self, policy_id: str, offset: int = 0, limit: int = -1) -> list[Doc]:
        rows = self._conn.execute(
            "SELECT doc FROM runs WHERE policy_id = ? ORDER BY rowid LIMIT ? OFFSET ?",
            (policy_id, limit, offset),
        ).fetchall()
        return [_load(r[0]) for r in rows]

    def run_count(self, policy_id: str) -> int:
        row = self._conn.execute("SELECT COUNT(*) FROM runs WHERE policy_id = ?", (policy_id,)).fetchone()
        return int(row[0])

    def run_latest(self, policy_id: str) -> Doc | None:
        row = self._conn.execute(
            "SELECT doc FROM runs WHERE policy_id = ? ORDER BY rowid DESC LIMIT 1", (policy_id,)
        ).fetchone()
        return None if row is None else _load(row[0])

    def runs_active(self, policy_id: str | None = None) -> list[Doc]:
        if policy_id is None:
            rows = self._conn.execute("SELECT doc FROM runs WHERE active = 1 ORDER BY rowid").fetchall()
        else:
            rows = self._conn.execute(
                "SELECT doc FROM runs WHERE active = 1 AND policy_id = ? ORDER BY rowid", (policy_id,)
            ).fetchall()
        return [_load(r[0]) for r in rows]

    def wipe(self) -> None:
        for table in ("meta", "objects", "policies", "runs"):
            self._conn.execute(f"DELETE FROM {table}")


class Store:
    """A SQLite database (a file in WAL mode, or ``:memory:``) behind one lock.

    Every transaction takes the lock and ``BEGIN IMMEDIATE``: the lock serialises the threads of this process (the
    threadpool answering requests and the background ticker share one connection), ``BEGIN IMMEDIATE`` serialises
    processes sharing a file. Check-then-write rules such as the five-policy limit are therefore atomic. A
    transaction blocks, so it refuses to run on an event loop thread.
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so the transaction boundary is exactly ours.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across application crashes in WAL mode, and much faster than FULL.
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        if _on_event_loop():
            # A transaction blocks (on the lock, on SQLite, on another process's BEGIN IMMEDIATE): on the event
            # loop it would stall every request the server is answering meanwhile.
            raise RuntimeError("a store transaction must not run on the event loop; run it in the threadpool")
        with self._lock:
            if self._depth:
                # Re-entrant use (a rule calling another rule) joins the outer transaction.
                self._depth += 1
                try:
                    yield Tx(self._conn)
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()
