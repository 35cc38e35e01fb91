"""Structured logs: one line per decision or event, as JSON or logfmt, to a text stream."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO


def _logfmt_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if text == "" or any(c in text for c in ' ="\\'):
        return json.dumps(text)
    return text


class EventLog:
    """Writes ``{"ts": ..., "level": ..., "event": ..., **fields}`` one line at a time.

    Keeps the last ``keep`` records in memory (``records``) so tests and the replay can read
    what was decided without parsing text.
    """

    def __init__(self, stream: TextIO | None = None, fmt: str = "json", keep: int = 10_000,
                 quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.fmt = fmt
        self.keep = keep
        self.quiet = quiet
        self.records: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, event: str, level: str = "info", **fields: Any) -> dict[str, Any]:
        """Log one event; returns the record."""
        record: dict[str, Any] = {"ts": round(time.time(), 3), "level": level, "event": event}
        record.update({k: v for k, v in fields.items() if v is not None})
        with self._lock:
            self.records.append(record)
            if len(self.records) > self.keep:
                del self.records[: len(self.records) - self.keep]
            if not self.quiet:
                self.stream.write(self.format(record) + "\n")
                self.stream.flush()
        return record

    def format(self, record: dict[str, Any]) -> str:
        """One line of text for a record."""
        if self.fmt == "logfmt":
            return " ".join(f"{k}={_logfmt_value(v)}" for k, v in record.items())
        return json.dumps(record, default=str, separators=(",", ":"))

    def events(self, name: str) -> list[dict[str, Any]]:
        """The kept records of one event name."""
        with self._lock:
            return [r for r in self.records if r["event"] == name]
