"""The dashboard's input checks, revert explanations and `backstop serve` usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backstop.cli.main import main
from backstop.units import Wad
from backstop.web.dashboard import InputError, checked_address, checked_amount
from backstop.web.simulate import explain_revert, fmt

DEPOSITOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_checked_address_accepts_any_case_and_refuses_junk() -> None:
    assert checked_address(DEPOSITOR.lower()) == DEPOSITOR
    with pytest.raises(InputError, match="is not an address"):
        checked_address("0x1234", "address")
    with pytest.raises(InputError, match="wrong checksum"):
        checked_address(DEPOSITOR.replace("C51812", "c51812"))


def test_checked_amount_is_exact_and_positive() -> None:
    assert checked_amount("1.5") == Wad.parse("1.5")
    for bad, msg in (("-1", "more than zero"), ("0", "more than zero"), ("x", "not a number"),
                     ("1." + "0" * 19, "at most 18")):
        with pytest.raises(InputError, match=msg):
            checked_amount(bad)
    with pytest.raises(InputError, match="decimal string"):
        checked_amount(1.5)


def test_revert_reasons_in_words() -> None:
    assert explain_revert("Dai/insufficient-balance") == "your wallet does not hold enough for this"
    assert "already used" in explain_revert("Dai/invalid-nonce")
    assert explain_revert("Vat/not-allowed") == \
        "the Vat contract refused: not allowed (Vat/not-allowed)"
    assert explain_revert("Pool/request-pending").startswith(
        "the request waits for the positions that were open when it was made")
    assert "1,500 DAI" in explain_revert("Pool/some-code: 1500000000000000000000 wei of DAI")
    assert "no reason given" in explain_revert("")
    assert fmt(Wad.parse("1234567.5")) == "1,234,567.5"


def test_serve_with_an_unreachable_node_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--rpc-url", "http://127.0.0.1:9", "--factory", DEPOSITOR])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith("error: no node answers at http://127.0.0.1:9")


def test_serve_with_a_deployment_file_naming_nothing(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deployment.json"
    path.write_text(json.dumps({"chain_id": 31337}))
    code = main(["serve", "--rpc-url", "http://127.0.0.1:9", "--deployment", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err == [f"error: {path} is not a backstop deployment file "
                                 "(no factory or pool in it)"]
    path.write_text("{not json")
    assert main(["serve", "--rpc-url", "x", "--deployment", str(path)]) == 1
    assert "is not JSON" in capsys.readouterr().err


def test_serve_needs_to_know_which_pools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--rpc-url", "http://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: say which pools to show: --factory ADDR, --pools ADDR[,ADDR...] or "
        "--deployment FILE")
    assert main(["serve", "--factory", "0x12"]) == 2
    assert "is not an address" in capsys.readouterr().err
    assert main(["serve", "--factory", DEPOSITOR, "--pools", DEPOSITOR]) == 2
    assert "not both" in capsys.readouterr().err


def test_serve_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--factory", DEPOSITOR, "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: --port 70000 is not a port; use 1-65535 (or 0 for any free port)")
