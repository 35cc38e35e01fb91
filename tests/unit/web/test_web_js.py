"""Run the page's JavaScript unit tests (exact amounts, ABI encoding) with Node's test runner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_page_helpers_in_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make setup` needs Node.js for anvil anyway")
    proc = subprocess.run([node, "--test", str(HERE / "js_units.test.mjs")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "# fail 0" in proc.stdout and "# pass 7" in proc.stdout, proc.stdout
