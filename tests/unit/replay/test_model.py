"""The replay's pure-Python simulation: strategies, Flopper rules, history and counterfactual."""

from collections import Counter

import pytest

from backstop.replay import model, scenario
from backstop.replay.model import POOL, VOW, AuctionView, ModelEngine, legal, outside_bid
from backstop.replay.scenario import FIRM, AuctionParams, Style
from backstop.units import WAD, Wad

P = AuctionParams()


def price2(raw: int) -> str:
    """A price rounded to cents, as the record states them."""
    return Wad(raw).format(2, thousands=False)


@pytest.fixture(scope="module")
def history():
    return model.simulate(scenario.history())


@pytest.fixture(scope="module")
def crash():
    # deposits closed once the pool bids: the 2020 baseline the figures below describe
    return model.simulate(scenario.counterfactual_closed())


# ---- strategies -----------------------------------------------------------------------------

def test_step_bidder_asks_the_largest_legal_lot():
    lot = outside_bid(Style.STEP, 300 * WAD, 250 * WAD, P)
    assert lot is not None and legal(lot, 250 * WAD, P)
    assert not legal(lot + 1, 250 * WAD, P)  # one wei more MKR would break beg


def test_step_bidder_stops_above_its_valuation():
    # one step from 250 MKR is 206 DAI/MKR (a hair above, the lot rounded down)
    assert outside_bid(Style.STEP, 205 * WAD, 250 * WAD, P) is None
    assert outside_bid(Style.STEP, 206 * WAD + 10**6, 250 * WAD, P) is not None


def test_quote_bidder_bids_exactly_its_valuation_rounded_in_its_favour():
    lot = outside_bid(Style.QUOTE, 265 * WAD, 250 * WAD, P)
    assert lot == 188_679_245_283_018_867_925  # 50,000 / 265 rounded up: never above 265
    assert P.bid_wad * WAD // lot < 265 * WAD <= P.bid_wad * WAD // (lot - 1)


def test_quote_bidder_does_not_bid_when_beg_forbids():
    current = outside_bid(Style.QUOTE, 260 * WAD, 250 * WAD, P)  # 260 DAI/MKR
    assert outside_bid(Style.QUOTE, 265 * WAD, current, P) is None  # 265 < 260 * 1.03
    assert outside_bid(Style.QUOTE, 268 * WAD, current, P) is not None


# ---- Flopper rules in the model -------------------------------------------------------------

def _engine_with_one_auction():
    e = ModelEngine(scenario.history(quick=True))
    e.fund_bidder("bidder", 10 * P.sump)
    e.fund_bidder("other", 10 * P.sump)
    (auction_id,) = e.kick(1)
    return e, auction_id


def test_dent_moves_dai_and_refunds_the_outbid_bidder():
    e, i = _engine_with_one_auction()
    assert e.dent("bidder", i, 240 * WAD)
    assert e.vat["bidder"] == 9 * P.sump
    assert not e.dent("other", i, 239 * WAD)  # less than beg
    assert e.dent("other", i, 233 * WAD)
    assert e.vat["bidder"] == 10 * P.sump and e.vat["other"] == 9 * P.sump


def test_no_bid_after_the_bid_expired_and_deal_only_then():
    e, i = _engine_with_one_auction()
    assert e.dent("bidder", i, 240 * WAD)
    assert not e.deal("bidder", i)
    e.advance(P.ttl + 1)
    assert not e.dent("other", i, 200 * WAD)
    assert e.deal("bidder", i)
    assert e.auctions([i])[i].dealt


def test_keeper_ticks_only_expired_unbid_auctions():
    e, i = _engine_with_one_auction()
    e.keeper_step()
    assert e.auctions([i])[i].lot == P.dump
    e.advance(P.tau + 1)
    e.keeper_step()
    v = e.auctions([i])[i]
    assert v.lot == 300 * WAD and v.guy == VOW and v.end == e.now() + P.tau


# ---- the history ----------------------------------------------------------------------------

@pytest.mark.parametrize("quick", [False, True])
def test_each_wave_clears_at_the_recorded_prices(quick):
    s = scenario.history(quick)
    out = model.simulate(s)
    for wave in s.waves:
        got = Counter(price2(r.price) for r in out.by_wave()[wave.name])
        for price, lots in wave.history.items():
            assert got[price2(Wad.parse(price).raw)] == lots, (wave.name, price, got)
        assert sum(got.values()) == wave.auctions


def test_history_totals_match_the_record(history):
    mkr = sum(r.lot for r in history.auctions.values())
    dai = sum(r.bid for r in history.auctions.values())
    assert len(history.auctions) == 106 and dai == 5_300_000 * WAD
    assert abs(mkr - 20_980 * WAD) * 100 <= 20_980 * WAD  # within 1%
    wins = Counter(r.winner for r in history.auctions.values())
    assert wins[FIRM] == 72
    assert len(history.bidders) == 36


def test_history_pool_never_bids_and_members_get_their_dai_back(history):
    assert all(r.winner != POOL for r in history.auctions.values())
    assert all(r.restarts == 0 for r in history.auctions.values())
    assert len(history.members) == 129
    assert history.members[0].deposit == WAD  # a 1 DAI member
    assert all(m.dai_back == m.deposit and m.mkr_back == 0 for m in history.members)
    assert sum(m.deposit for m in history.members) == 412_345 * WAD


# ---- the counterfactual ---------------------------------------------------------------------

def test_crash_the_pool_buys_at_its_price_after_four_restarts(crash):
    bought = [r for r in crash.auctions.values() if r.winner == POOL]
    assert len(bought) == 8  # 412,345 DAI pays for 8 bids of 50,000
    assert all(r.lot == 500 * WAD and r.restarts == 4 for r in bought)
    others = [r for r in crash.auctions.values() if r.winner != POOL]
    assert all(r.price < 100 * WAD and r.restarts == 5 for r in others)


def test_crash_members_get_mkr_and_dai_pro_rata(crash):
    total = sum(m.deposit for m in crash.members)
    left_dai = total - 8 * 50_000 * WAD
    for m in crash.members:
        # rounding only: each earlier defect leaves at most a wei behind
        assert abs(4_000 * WAD * m.deposit // total - m.mkr_back) <= len(crash.members)
        assert abs(m.dai_back - left_dai * m.deposit // total) <= len(crash.members)
    assert sum(m.mkr_back for m in crash.members) > 4_000 * WAD - 130


def test_crash_valuations_are_below_the_pool_price():
    s = scenario.counterfactual()
    assert all(v < 100 * WAD for b in s.bidders for v in b.valuations.values())


def test_auction_view_states():
    v = AuctionView(1, P.sump, P.dump, VOW, 0, 1_000)
    assert v.biddable(999) and not v.biddable(1_000)
    assert v.expired_unbid(1_001) and not v.dealable(1_001)
    v.tic = 500
    assert v.dealable(501) and not v.biddable(501)


def test_without_ticks_the_crash_never_settles():
    from dataclasses import replace

    s = replace(scenario.counterfactual(quick=True), tick=False)
    with pytest.raises(RuntimeError, match="did not settle"):
        model.simulate(s)


def test_a_branched_driver_resumed_without_the_late_members_is_the_closed_run():
    """The comparison run goes on from a copy taken where the late members join (run.py): on
    the pure-Python engine (copied with it) it is the closed-deposits scenario played from its
    start, auction for auction and member for member."""
    import copy

    crash = scenario.counterfactual(quick=True)
    engine = ModelEngine(crash)
    branched = []

    def fork(driver):
        branched.append((driver.branch(), copy.deepcopy(engine)))

    driver = model.Driver(crash, engine)
    driver.fork = fork
    opened = driver.run()
    (clone, engine_then), = branched
    clone.e = engine_then
    closed = clone.resume(scenario.counterfactual_closed(quick=True))
    alone = model.simulate(scenario.counterfactual_closed(quick=True))
    assert opened.late_joined_at and not closed.late_joined_at
    assert closed.scenario == alone.scenario == "counterfactual-closed"
    assert closed.auctions == alone.auctions and closed.members == alone.members
    assert closed.auctions != opened.auctions  # the late members changed the open run
