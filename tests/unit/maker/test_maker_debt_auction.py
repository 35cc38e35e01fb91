"""End to end at the Vat level: bad debt -> fess -> flog after wait -> flop -> dents by
different bidders with immediate refunds -> deal -> MKR to the winner; and the restart path."""

from __future__ import annotations

import boa

from backstop.units import RAD, WAD

from .core import DUMP, PAD, SUMP, TAU, TTL, WAIT

ONE = 10**18


def test_debt_auction_end_to_end(any_core, bidders):
    core = any_core
    vow = core.vow.address
    # A liquidation leaves 120,000 DAI of bad debt and queues it in the Vow.
    bad = 120_000 * RAD
    era = boa.env.timestamp
    with boa.env.prank(core.deployer):
        core.vat.suck(vow, core.deployer, bad)
        core.vow.fess(bad)
    with boa.reverts("Vow/insufficient-debt"):  # queued debt cannot be auctioned yet
        core.vow.flop()
    boa.env.time_travel(seconds=WAIT)
    core.vow.flog(era)
    assert core.vow.Sin() == 0

    id_ = core.vow.flop()
    assert core.bid(id_) == (SUMP, DUMP, vow, 0, boa.env.timestamp + TAU)
    assert core.vow.Ash() == SUMP

    first, second, third = bidders
    for bidder in bidders:
        core.ready_bidder(bidder)

    # Each new high bidder pays the fixed 50,000 DAI; the one outbid is refunded at once.
    steps = [(first, 240 * WAD), (second, 230 * WAD), (third, 220 * WAD), (first, 210 * WAD)]
    previous = None
    for bidder, lot in steps:
        boa.env.time_travel(seconds=TTL // 2)
        with boa.env.prank(bidder):
            core.flopper.dent(id_, lot, SUMP)
        assert core.vat.dai(bidder) == 0
        if previous is not None:
            assert core.vat.dai(previous) == SUMP
        assert core.bid(id_)[1:4] == (lot, bidder, boa.env.timestamp + TTL)
        previous = bidder
    assert [core.vat.dai(b) for b in bidders] == [0, SUMP, SUMP]

    boa.env.time_travel(seconds=TTL)
    with boa.reverts("Flopper/not-finished"):  # now == tic
        core.flopper.deal(id_)
    boa.env.time_travel(seconds=1)
    core.flopper.deal(id_)
    assert core.mkr.balanceOf(first) == 210 * WAD
    assert core.mkr.balanceOf(second) == core.mkr.balanceOf(third) == 0
    assert core.mkr.totalSupply() == 210 * WAD
    assert core.bid(id_) == (0, 0, "0x" + "00" * 20, 0, 0)

    # The Vow received the 50,000 DAI. The current Flopper cancelled it against Ash at the first
    # dent; with the 2019 one it waits in the Vow until someone kisses it.
    if core.flopper_name == "flopper":
        assert (core.vow.Ash(), core.vat.dai(vow)) == (0, 0)
    else:
        assert (core.vow.Ash(), core.vat.dai(vow)) == (SUMP, SUMP)
        core.vow.kiss(SUMP)
    assert core.vat.sin(vow) == bad - SUMP


def test_restart_path_grows_the_lot_until_a_100_dai_bid_fits(any_core, bidders):
    """With no bid, each tick offers pad (20%) more MKR: 250, 300, 360, 432, 518.4. A bid at
    100 DAI/MKR (500 MKR for 50,000 DAI) fits only after four restarts (518.4 >= 1.03 * 500)."""
    core = any_core
    id_ = core.kick()
    bidder = bidders[0]
    core.ready_bidder(bidder)
    ask = SUMP // RAD * WAD // 100  # 500 MKR
    lots = [DUMP]
    for _ in range(4):
        with boa.env.prank(bidder), boa.reverts("Flopper/lot-not-lower"):  # 500 > lot
            core.flopper.dent(id_, ask, SUMP)
        boa.env.time_travel(seconds=TAU + 1)
        # Expired with no bid: nobody can bid until someone ticks.
        with boa.env.prank(bidder), boa.reverts("Flopper/already-finished-end"):
            core.flopper.dent(id_, ask, SUMP)
        core.flopper.tick(id_)
        lots.append(lots[-1] * PAD // ONE)
        assert core.bid(id_)[1] == lots[-1]
        assert core.bid(id_)[4] == boa.env.timestamp + TAU
    assert [lot * 10 // WAD for lot in lots] == [2500, 3000, 3600, 4320, 5184]
    with boa.env.prank(bidder):
        core.flopper.dent(id_, ask, SUMP)
    boa.env.time_travel(seconds=TTL + 1)
    core.flopper.deal(id_)
    assert core.mkr.balanceOf(bidder) == 500 * WAD
