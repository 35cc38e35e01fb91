"""The CLI's shared helpers: amounts, addresses, deployment files, RPC URL, revert words."""

import argparse
import json

import pytest

from backstop.cli.common import (
    explain_revert,
    parse_address,
    parse_amount,
    read_deployment,
    rpc_url_of,
)
from backstop.cli.errors import UserError
from backstop.cli.main import build_parser
from backstop.units import Wad

CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize(("text", "raw"), [
    ("1.5", 15 * 10**17), ("50000", 50_000 * 10**18), ("0.000000000000000001", 1),
    (" 7 ", 7 * 10**18), ("1_000", 1_000 * 10**18),
])
def test_amounts_are_exact_to_the_wei(text, raw):
    assert parse_amount(text) == Wad(raw)


@pytest.mark.parametrize(("text", "words"), [
    ("-1", "is negative"), ("1.0000000000000000001", "more than 18 decimals"),
    ("1e", "is not a number"), ("1e-19", "more than 18 decimals"), ("1e999", "is not a number"),
    ("", "is not a number"), ("0.0", "is zero"),
    ("all", "is not a number"),
])
def test_bad_amounts_are_usage_errors(text, words):
    with pytest.raises(UserError) as err:
        parse_amount(text)
    assert words in str(err.value) and err.value.exit_code == 2


@pytest.mark.parametrize(("text", "wad"), [
    ("1e3", 1000 * 10**18), ("1E3", 1000 * 10**18), ("2.5e-3", 25 * 10**14), ("1e-18", 1),
    ("1.5e1", 15 * 10**18),
])
def test_exponent_notation_is_exact(text, wad):
    assert parse_amount(text).raw == wad


def test_all_only_where_allowed():
    assert parse_amount("ALL", allow_all=True) is None
    with pytest.raises(UserError, match='or "all"'):
        parse_amount("most", allow_all=True)


def test_addresses():
    assert parse_address(CHECKSUMMED.lower()) == CHECKSUMMED
    assert parse_address(CHECKSUMMED) == CHECKSUMMED
    i = next(i for i, c in enumerate(CHECKSUMMED) if i >= 2 and c.isalpha())
    wrong_case = CHECKSUMMED[:i] + CHECKSUMMED[i].swapcase() + CHECKSUMMED[i + 1:]
    with pytest.raises(UserError, match="wrong checksum"):
        parse_address(wrong_case)
    with pytest.raises(UserError, match="is not an address"):
        parse_address("0x1234")


def test_deployment_file_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_deployment(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="is not JSON"):
        read_deployment(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(UserError, match="not a backstop deployment file"):
        read_deployment(other)


def test_rpc_url_precedence(tmp_path, monkeypatch):
    dep = tmp_path / "d.json"
    dep.write_text(json.dumps({"rpc_url": "http://from-file:1", "pool": CHECKSUMMED}))
    args = argparse.Namespace(rpc_url=None, deployment=dep)
    monkeypatch.delenv("BACKSTOP_RPC_URL", raising=False)
    assert rpc_url_of(args) == "http://from-file:1"
    monkeypatch.setenv("BACKSTOP_RPC_URL", "http://from-env:2")
    assert rpc_url_of(args) == "http://from-env:2"
    args.rpc_url = "http://from-flag:3"
    assert rpc_url_of(args) == "http://from-flag:3"


def test_pool_reasons_in_words():
    assert explain_revert("Pool/ceased").startswith(
        "the pool is deactivated (cease-fire): it takes no deposits")
    assert "waits for the positions" in explain_revert("Pool/request-pending")
    assert explain_revert("Vat/not-allowed") == \
        "the Vat contract refused: not allowed (Vat/not-allowed)"


def test_every_command_has_help_and_json():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("devnet", "deploy", "pools", "status", "auctions", "position", "enlist",
                 "defect", "demo", "bench"):
        assert name in sub.choices, name
        assert "--json" in sub.choices[name].format_help()


@pytest.mark.parametrize(("argv", "words"), [
    (["enlist"], "the following arguments are required: AMOUNT"),
    (["nosuch"], "invalid choice: 'nosuch'"),
    (["defect", "5", "--pool"], "--pool: expected one argument"),
])
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, words):
    from backstop.cli.main import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and words in err[0]
    assert "--help" in err[0]


def test_help_exits_0(capsys):
    from backstop.cli.main import main

    assert main(["enlist", "--help"]) == 0
    assert "DAI's permit" in capsys.readouterr().out


def test_every_pool_revert_code_has_words():
    import re
    from pathlib import Path

    import backstop

    source = (Path(backstop.__file__).parent / "contracts/pool/pool.vy").read_text()
    codes = set(re.findall(r'"(Pool/[a-z-]+)', source)) - {"Pool/"}
    assert codes  # the contract's own codes, read from its source
    for code in sorted(codes):
        words = explain_revert(code)
        assert not words.startswith("the Pool contract refused") and code not in words, code
