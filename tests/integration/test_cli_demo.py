"""`backstop demo --quick`: the replay, shortened, on the in-process chain through the CLI.

The quick replay has 14 auctions in three waves and 12 syndicate members (412,345 DAI). The
chain run must equal the pure-Python model of the same scenario, reproduce the waves' recorded
clearing prices, and in the counterfactual show the pool buying as buyer of last resort.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter

import pytest

from backstop.cli.main import main
from backstop.replay import model, scenario
from backstop.units import Wad


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return _run(["--json", "demo", "--quick", "--out", str(out)]), out


def _run(argv):
    """`backstop ARGV` in process; its JSON output."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    assert code == 0
    return json.loads(buf.getvalue())


def cents(text: str) -> str:
    return Wad.parse(text).format(2, thousands=False)


def test_history_reproduces_the_recorded_wave_prices(demo):
    figs, _ = demo
    h = figs["history"]
    for wave in scenario.history(quick=True).waves:
        got = Counter(cents(a["price"]) for a in h["auctions"] if a["wave"] == wave.name)
        want = {cents(p): n for p, n in wave.history.items()}
        assert {p: got[p] for p in want} == want
        assert sum(got.values()) == wave.auctions


def test_history_totals_and_the_pool_never_bids(demo):
    figs, _ = demo
    total = figs["history"]["total"]
    assert total["auctions"] == total["dealt"] == 14
    assert total["dai_raised"] == "700000"
    assert total["pool_purchases"]["auctions"] == 0 and total["restarts"] == 0
    followed = figs["history"]["members"]["followed"]
    assert followed["1 DAI member"] == {"deposit": "1", "dai_back": "1", "mkr_back": "0"}
    assert followed["10,000 DAI member"]["dai_back"] == "10000"


def test_counterfactual_pool_buys_as_buyer_of_last_resort(demo):
    figs, _ = demo
    c = figs["counterfactual"]
    bought = [a for a in c["auctions"] if a["winner"] == "pool"]
    opened = figs["open_deposits"]
    # with deposits closed once it bids, 412,345 DAI pays for eight 50,000 DAI bids; members
    # who join after its first win (300,000 DAI) let it buy more
    assert opened["pool_lots_closed"] == 8 and opened["pool_lots_open"] == len(bought) > 8
    assert Wad.parse(opened["extra_mkr"]) == Wad.from_number(500 * (len(bought) - 8))
    assert all(a["lot"] == "500" and a["price"] == "100" and a["restarts"] >= 4 for a in bought)
    others = [a for a in c["auctions"] if a["winner"] != "pool"]
    assert all(Wad.parse(a["price"]) < Wad.parse("100") for a in others)
    members = c["members"]
    mkr = Wad.from_number(500 * len(bought))
    assert Wad(0) <= mkr - Wad.parse(members["mkr_back"]) < Wad(1_000)  # rounding only
    # every lot cost exactly 100 DAI/MKR: each member gets back its deposit's worth, early or
    # late, to rounding in the pool's favour
    for who in [*members["followed"].values(), opened["followed_late_member"]]:
        worth = Wad.parse(who["dai_back"]).raw + Wad.parse(who["mkr_back"]).raw * 100
        assert 0 <= Wad.parse(who["deposit"]).raw - worth < 10**6


def test_chain_equals_the_model(demo):
    figs, _ = demo
    for name, build in (("history", scenario.history), ("counterfactual",
                                                        scenario.counterfactual)):
        expected = model.simulate(build(quick=True))
        got = [(a["id"], a["winner"], a["lot"]) for a in figs[name]["auctions"]]
        assert got == [(r.id, r.winner, str(Wad(r.lot))) for r in
                       sorted(expected.auctions.values(), key=lambda r: r.id)]


def test_files_written(demo):
    figs, out = demo
    png = out / "march-2020.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert json.loads((out / "march-2020.json").read_text())["transactions"] == \
        figs["transactions"] > 300
