"""`backstop gas --core`: each Maker core call's gas beside dss's, as a table or JSON."""

from __future__ import annotations

import json

import pytest

from backstop.cli.main import main
from backstop.maker.gas import CORE_CALLS, DSS, TOLERANCE


def test_gas_core_json_gives_ours_and_dss_per_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gas", "--core", "--json", "--flopper", "2019"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["2019"]
    assert list(out["2019"]) == [key for key, _ in CORE_CALLS]
    for key, row in out["2019"].items():
        assert row["dss"] == DSS["flopper_2019"][key]
        assert abs(row["ours"] / row["dss"] - 1) <= TOLERANCE, key


def test_gas_core_table_says_what_dss_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gas", "--core", "--flopper", "current"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Flopper: current")
    dent = next(line for line in out.splitlines() if "flopper_dent_first" in line)
    assert f"{DSS['flopper']['flopper_dent_first']:,}" in dent
    assert "Solidity 0.5.12" in out and "OVER 2%" not in out
