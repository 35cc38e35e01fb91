"""`backstop gas`: the benchmark runs in-process and prints what the issue asks for (the figures
themselves are a benchmark, not asserted here)."""

from __future__ import annotations

import json

import pytest

from backstop.cli.main import main

KEYS = ("enlist_first", "enlist", "enlist_with_permit", "enter_auction", "finalize_won",
        "finalize_outbid", "defect", "defect_10_active", "defect_100_active", "deploy_pool",
        "create_pool")


def test_gas_json_has_every_key_as_a_positive_integer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gas", "--json", "--flopper", "current"]) == 0
    gas = json.loads(capsys.readouterr().out)
    assert set(KEYS) <= set(gas)
    assert all(isinstance(v, int) and v > 21_000 for v in gas.values())
    # defect must not grow with the number of active auctions (flat is the design)
    assert gas["defect_100_active"] == gas["defect_10_active"]


def test_gas_table_prints_the_2020_figures_and_the_targets(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gas", "--flopper", "2019"]) == 0
    out = capsys.readouterr().out
    enlist = next(line for line in out.splitlines() if line.startswith("enlist "))
    assert "116,023" in enlist and "<= 60%" in enlist
    defect = next(line for line in out.splitlines() if line.startswith("defect_100_active"))
    assert "1,144,905" in defect and "<= 25%" in defect
    assert "Flopper: 2019" in out
