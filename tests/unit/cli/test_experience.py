"""The command line's own behaviour without a chain: --version, --help's imports, typos, JSON
errors, a server that is not a node, addresses in tables, the wording of deposits, defect's
limits and the devnet's keys (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest

from backstop.cli import cmd_defect, cmd_devnet
from backstop.cli.common import (
    add_address_column,
    check_price,
    deposits_words,
    fmt,
    fmt_price,
)
from backstop.cli.errors import UserError
from backstop.cli.main import main
from backstop.pool import rules
from backstop.units import Wad

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("backstop 0.")


def test_help_imports_no_chain_library():
    """`backstop --help` builds every sub-parser; none may import web3, eth-account,
    titanoboa or rich (they take seconds): each command imports them inside run()."""
    code = (
        "import sys\nfrom backstop.cli.main import build_parser\nbuild_parser()\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'web3', 'eth_account', 'eth_utils', 'boa', 'vyper', 'rich', 'requests'})\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


@pytest.mark.parametrize(
    ("typo", "meant"), [("enlst", "enlist"), ("posiiton", "position"), ("ceasefire", "cease-fire")]
)
def test_a_typo_gets_did_you_mean(capsys, typo, meant):
    code, _, err = run(capsys, typo)
    assert code == 2 and f"did you mean '{meant}'?" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "enlist", "x"],
        ["enlist", "x", "--json"],
        ["--json", "enlst"],
        ["--json", "defect"],
    ],
)
def test_json_errors_are_json_on_stderr_with_the_same_exit_code(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    doc = json.loads(line)
    assert doc["exit_code"] == 2 and doc["error"]


def test_plain_errors_stay_plain(capsys):
    code, _, err = run(capsys, "enlist", "x")
    assert code == 2 and err.startswith("error: AMOUNT 'x' is not a number")


@pytest.fixture
def not_a_node():
    """An HTTP server that answers every POST with a web page (404)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = b"<html>not found</html>"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_web_server_is_not_a_node(capsys, not_a_node):
    code, _, err = run(capsys, "status", "--rpc-url", not_a_node, "--pool", ADDRESS)
    assert code == 1
    assert "something answers at" in err and "not an Ethereum JSON-RPC node (HTTP 404)" in err


def test_nobody_listening_is_no_node(capsys):
    code, _, err = run(capsys, "status", "--rpc-url", "http://127.0.0.1:9", "--pool", ADDRESS)
    assert code == 1 and "no node answers at http://127.0.0.1:9" in err


def test_addresses_are_never_cut_in_an_80_column_table():
    from rich.console import Console
    from rich.table import Table

    table = Table()
    add_address_column(table, "pool")
    for col in ("DAI/MKR", "status", "shares", "DAI", "free DAI", "MKR", "bids"):
        table.add_column(col)
    table.add_row(
        ADDRESS, "100", "accepting deposits", "1,000.00", "1,000.00", "1,000.00", "0.0000", "0"
    )
    console = Console(width=80, record=True, force_terminal=False)
    console.print(table)
    assert ADDRESS in console.export_text()


def test_piped_output_is_not_wrapped(capsys):
    from backstop.cli.common import console

    console().print(f"pool {ADDRESS} " + "x" * 200)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and ADDRESS in out


def test_prices_print_every_significant_decimal():
    assert fmt_price(Wad(1)) == "0.000000000000000001"
    assert fmt_price(Wad.parse("1234.5")) == "1,234.5"
    assert fmt_price(Wad.parse("100")) == "100"


def test_tiny_amounts_never_show_as_zero():
    assert fmt(Wad(1)) == "0.000000000000000001"
    assert fmt(Wad.parse("1.5")) == "1.5000" and fmt(Wad(0)) == "0.0000"


@pytest.mark.parametrize(
    "price", [Wad(1), Wad.parse("0.99"), Wad(rules.MAX_PRICE + 1), Wad(10**80)])
def test_price_bounds_in_one_place(price):
    with pytest.raises(UserError) as err:
        check_price(price)
    assert err.value.exit_code == 2 and "is out of range" in str(err.value)


@pytest.mark.parametrize("price", ["100.001", "1.000000000000000001"])
def test_prices_are_whole_cents(price):
    with pytest.raises(UserError, match="not a whole number of cents"):
        check_price(Wad.parse(price))


def test_price_bounds_include_their_ends():
    low, high = Wad(rules.MIN_PRICE), Wad(rules.MAX_PRICE)
    assert check_price(low) == low and check_price(high) == high


def test_deposits_wording_comes_from_one_function():
    from backstop.pool import PoolStatus

    assert deposits_words(PoolStatus.IDLE) == "accepting deposits (shares at once)"
    # a pool with open bids or MKR still takes deposits; never "try again when finalized"
    open_bids = deposits_words(PoolStatus.POSITIONS_OPEN)
    assert open_bids.startswith("accepting deposits") and "finalized" not in open_bids
    closed = deposits_words(PoolStatus.CEASED, as_error=True)
    assert "no deposits" in closed and "withdrawals and claims stay open" in closed


@pytest.mark.parametrize(
    ("name", "takes", "words"),
    [
        ("IDLE", True, "accepting deposits"),
        ("POSITIONS_OPEN", True, "becomes shares when those bids are settled"),
        ("CEASED", False, "deactivated"),
    ],
)
def test_deposits_wording_knows_the_statuses(name, takes, words):
    from backstop.cli.common import deposits_open
    from backstop.pool.handles import PoolStatus

    status = PoolStatus[name]
    assert deposits_open(status) is takes and words in deposits_words(status)


# ---- defect's limits (a pool stand-in answering the pool's previews) -------------------------


class FakePool:
    """The pool's defect rule: shares pay their part of the liquid DAI now (L / W each,
    rounded down) plus what the member is owed; the part of open bids comes later."""

    def __init__(self, total: int, liquid: int, owed_dai: int = 0, owed_mkr: int = 0,
                 bids_open: bool = False) -> None:
        self.total, self.liquid, self.bids_open = total, liquid, bids_open
        self.owed = (Wad(owed_dai), Wad(owed_mkr))

    def defect_amount(self, shares: Wad):
        dai = shares.raw * self.liquid // self.total
        return SimpleNamespace(dai=Wad(dai), mkr=Wad(0), redeemable=shares.raw <= self.total)

    def preview_claim(self, _member):
        return self.owed

    def preview_defect(self, _member, shares: Wad):
        dai = shares.raw * self.liquid // self.total + self.owed[0].raw
        return SimpleNamespace(dai=Wad(dai), mkr=self.owed[1],
                               request_weight=shares if self.bids_open else Wad(0),
                               reason="", ok=True)


def test_defect_limits_smallest_paying_amount():
    # 1,100 shares for 100 DAI liquid: one wei of shares pays 0
    pool = FakePool(total=1_100 * 10**18, liquid=100 * 10**18)
    limits = cmd_defect.defect_limits(pool, Wad(1_100 * 10**18), ADDRESS)
    assert limits.min_paying == Wad(11)  # ceil(1100 / 100) wei of shares pays 1 wei of DAI
    assert pool.defect_amount(limits.min_paying).dai.raw == 1
    assert pool.defect_amount(limits.min_paying - Wad(1)).dai.raw == 0
    # with DAI or MKR owed, any defect pays something
    owed = FakePool(total=1_100 * 10**18, liquid=100 * 10**18, owed_mkr=5)
    assert cmd_defect.defect_limits(owed, Wad(1_100 * 10**18), ADDRESS).min_paying == Wad(1)


def test_defect_that_pays_nothing_is_refused_before_sending(monkeypatch, capsys):
    pool = FakePool(total=1_100 * 10**18, liquid=100 * 10**18)
    pool.address = ADDRESS
    pool.shares_of = lambda _member: Wad(1_100 * 10**18)

    def defect(*_args):
        raise AssertionError("sent a defect that pays nothing")

    pool.defect = defect
    monkeypatch.setattr(cmd_defect, "load_signer", lambda _args: SimpleNamespace(address=ADDRESS))
    monkeypatch.setattr(cmd_defect, "open_pool", lambda _args: (None, pool))
    code, _, err = run(capsys, "defect", "0.000000000000000001", "--pool", ADDRESS)
    assert code == 1
    assert "0.000000000000000001 shares pay nothing now" in err
    assert "defect at least 0.000000000000000011 shares" in err


def test_a_defect_while_all_dai_is_in_bids_is_sent_for_its_redeem_request(monkeypatch, capsys):
    """No liquid DAI (all of it in bids): the defect pays nothing now but the pool opens a
    redeem request for the shares' part of the bids, so it is sent, not refused."""
    pool = FakePool(total=1_100 * 10**18, liquid=0, bids_open=True)
    pool.address = ADDRESS
    pool.shares_of = lambda _member: Wad(1_100 * 10**18)
    sent = []

    def defect(_account, shares):
        sent.append(shares)
        return SimpleNamespace(shares=shares, dai=Wad(0), mkr=Wad(0), request_id=7)

    pool.defect = defect
    monkeypatch.setattr(cmd_defect, "load_signer", lambda _args: SimpleNamespace(address=ADDRESS))
    monkeypatch.setattr(cmd_defect, "open_pool", lambda _args: (None, pool))
    code, out, _ = run(capsys, "defect", "all", "--pool", ADDRESS)
    assert code == 0 and sent == [Wad(1_100 * 10**18)]
    assert "redeem request #7" in out


# ---- the devnet's keys --------------------------------------------------------------------------


def test_devnet_prints_working_keys_for_its_accounts(capsys, tmp_path):
    from eth_account import Account

    from backstop.cli.common import Deployment

    accounts = [Account.from_key(k).address for k in cmd_devnet.DEV_ACCOUNT_KEYS]
    dep = Deployment(
        rpc_url="http://127.0.0.1:8545",
        chain_id=31337,
        maker={},
        factory=ADDRESS,
        pool=ADDRESS,
        pools=[ADDRESS],
        extra={"accounts": accounts, "funded_dai_each": "100000"},
    )
    args = SimpleNamespace(json=False, write=tmp_path / "devnet.json")
    cmd_devnet._announce(args, dep)
    out = capsys.readouterr().out
    for k, (address, key) in enumerate(
        zip(accounts, cmd_devnet.DEV_ACCOUNT_KEYS, strict=True), start=1
    ):
        assert f"{k}  {address}  {key}" in out  # whole, never truncated
    assert f"export BACKSTOP_PRIVATE_KEY={cmd_devnet.DEV_ACCOUNT_KEYS[0]}" in out


def test_docs_show_a_whole_dev_key():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "CLI.md").read_text()
    assert cmd_devnet.DEV_ACCOUNT_KEYS[0] in docs and "0x59c6...690d" not in docs


def test_no_key_points_at_the_devnet_keys(capsys, monkeypatch):
    monkeypatch.delenv("BACKSTOP_PRIVATE_KEY", raising=False)
    code, _, err = run(capsys, "enlist", "1", "--pool", ADDRESS)
    assert code == 2 and "no signing key" in err and "backstop devnet" in err


def test_devnet_json_is_ignored_by_git():
    from pathlib import Path

    ignore = (Path(__file__).resolve().parents[3] / ".gitignore").read_text().split()
    assert "devnet.json" in ignore


# ---- the keeper's options ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_keeper_poll_interval_names_the_option_that_exists(capsys, value):
    code, _, err = run(
        capsys,
        "keeper",
        "--poll-interval",
        value,
        "--rpc-url",
        "http://127.0.0.1:9",
        "--pools",
        ADDRESS,
    )
    assert code == 2 and f"--poll-interval {value}: give a positive number" in err
    assert "max-backoff" not in err


def test_keeper_refuses_a_malformed_journal(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("BACKSTOP_PRIVATE_KEY", cmd_devnet.DEV_ACCOUNT_KEYS[0])
    journal = tmp_path / "keeper.json"
    journal.write_text("{not json")
    code, _, err = run(
        capsys,
        "keeper",
        "--journal",
        str(journal),
        "--rpc-url",
        "http://127.0.0.1:9",
        "--pools",
        ADDRESS,
    )
    assert code == 2 and f"--journal {journal}: not a keeper journal" in err
    assert err.count("\n") == 1
