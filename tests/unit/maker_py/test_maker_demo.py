"""The debt-auction walk-through (`backstop demo --basic`): its story read back from the chain,
and the command's JSON, file and error behaviour through the real entry point."""

from __future__ import annotations

import json

import pytest

from backstop.cli.main import main
from backstop.maker import MakerParams
from backstop.maker.demo import run_debt_auction_demo
from backstop.units import Rad, Wad


@pytest.fixture(scope="module")
def demo():
    return run_debt_auction_demo()


def test_story_follows_the_flopper_rules(demo) -> None:
    assert [(s.auction, s.action) for s in demo.steps] == [
        (1, "kick"), (2, "kick"), (1, "dent"), (1, "dent"), (1, "dent"), (1, "deal"),
        (2, "tick"), (2, "tick"), (2, "dent"), (2, "deal")]
    kicks = [s for s in demo.steps if s.action == "kick"]
    assert all(s.lot == MakerParams().dump and s.price == Wad.from_number(200) for s in kicks)
    # each outbid bidder got the whole fixed bid back at once
    refunds = [(s.actor, s.refunded, s.refund) for s in demo.steps if s.refund is not None]
    assert refunds == [("bidder B", "bidder A", Rad.from_number(50_000)),
                       ("bidder C", "bidder B", Rad.from_number(50_000))]
    # unbid: each restart multiplies the lot by pad (1.2)
    ticks = [s.lot for s in demo.steps if s.action == "tick"]
    assert ticks == [Wad.from_number(300), Wad.from_number(360)]
    assert [s.hours for s in demo.steps if s.action == "tick"] == [72, 144]


def test_outcome(demo) -> None:
    assert demo.mkr_won == {"bidder C": Wad.from_number(225), "bidder A": Wad.from_number(340)}
    assert demo.mkr_minted == Wad.from_number(565)
    assert demo.dai_raised == demo.bad_debt == Rad.from_number(100_000)
    assert demo.debt_left == Rad(0)
    assert demo.transactions > 30
    data = demo.to_json()
    assert data["mkr_minted"] == "565" and data["debt_left_dai"] == "0"
    assert data["steps"][3]["refund_dai"] == "50000"


def test_cli_json_and_out_file(tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--basic", "--json", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads((out / "debt-auction.json").read_text())
    assert printed["mkr_won"] == {"bidder C": "225", "bidder A": "340"}
    assert written["steps"] == printed["steps"]


def test_cli_table(capsys) -> None:
    assert main(["demo", "--basic"]) == 0
    text = capsys.readouterr().out
    assert "50,000 → bidder A" in text and "MKR minted: 565.0" in text


def test_cli_unwritable_out_is_one_line(tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["demo", "--basic", "--out", str(blocker / "sub")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot create --out directory")
