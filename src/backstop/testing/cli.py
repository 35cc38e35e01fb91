"""Running `backstop` in process from tests, and checking what it printed."""

from __future__ import annotations

import json
from typing import Any


def cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run `backstop ARGV` in process; (exit code, stdout, stderr) as pytest's ``capsys``
    captured them."""
    from backstop.cli.main import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: Any, *argv: str) -> dict[str, Any]:
    """`backstop --json ARGV`, which must succeed; its JSON document."""
    code, out, err = cli(capsys, "--json", *argv)
    assert code == 0, err
    return json.loads(out)


def one_line_error(err: str) -> str:
    """The single error line of ``err`` (and nothing else: no traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]
