"""Structured log lines: one JSON object or one logfmt line per event, kept in memory too."""

from __future__ import annotations

import io
import json

from backstop.keeper.logs import EventLog


def test_json_lines_one_per_event():
    out = io.StringIO()
    log = EventLog(out, "json")
    log("enter", auction=7, pool="0xabc", why="lot allows", skipped=None)
    log("rpc_error", level="warning", error="refused")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["event"] == "enter" and first["auction"] == 7 and first["level"] == "info"
    assert "skipped" not in first  # None fields are left out
    assert json.loads(lines[1])["level"] == "warning"
    assert [r["event"] for r in log.events("enter")] == ["enter"]


def test_logfmt_quotes_what_needs_it():
    out = io.StringIO()
    EventLog(out, "logfmt")("dropped", reason="simulation reverted: Pool/ceased", auction=3)
    line = out.getvalue().strip()
    assert ' event=dropped ' in line
    assert 'reason="simulation reverted: Pool/ceased"' in line
    assert line.endswith("auction=3")


def test_quiet_keeps_records_and_bounds_them():
    out = io.StringIO()
    log = EventLog(out, quiet=True, keep=3)
    for i in range(5):
        log("tick", auction=i)
    assert out.getvalue() == ""
    assert [r["auction"] for r in log.records] == [2, 3, 4]
