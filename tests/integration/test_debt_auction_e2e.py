"""The end-to-end Maker debt auction (issue 2), written once and run on two chains: the
in-process one and a real anvil node started by the test.

Bad debt is queued and released (fess, wait, flog), the Vow kicks two auctions (flop); in the
first, three bidders outbid each other (each outbid bidder refunded at once, in the Vat), the
last wins and ``deal`` mints the MKR to them; the second gets no bid and is restarted (tick):
its lot grows by ``pad`` each time, until a bid at the grown lot wins it.
"""

from __future__ import annotations

import pytest
from web3 import Web3

from backstop.chain.errors import Revert
from backstop.maker import MakerCore, MakerParams, deploy_core
from backstop.maker.handles import ZERO_ADDRESS, Bid
from backstop.maker.scenario import advance, create_bad_debt, fund_dai, kick_auctions, now
from backstop.units import Rad, Wad

SUMP = Rad.from_number(50_000)
DAI_WAD = Wad.from_number(50_000)


def _bidder_ready(core: MakerCore, bidder: str, dai: Wad) -> None:
    """What a real bidder does: get ERC20 DAI, join it into the Vat, let the Flopper move it."""
    fund_dai(core, bidder, dai)
    core.dai.approve(bidder, core.dai_join.address, dai)
    core.dai_join.join(bidder, bidder, dai)
    core.vat.hope(bidder, core.flopper.address)


def test_debt_auction_end_to_end(chain: Web3) -> None:
    deployer, first, second, third, keeper = chain.eth.accounts[:5]
    core = deploy_core(chain, deployer)
    assert core.params() == MakerParams()
    vow = core.vow.address

    # bad debt: 100,000 DAI of sin queued on the Vow, released after `wait`
    create_bad_debt(core, Rad.from_number(100_000))
    assert core.vat.sin(vow) == Rad.from_number(100_000) and core.vow.Sin() == Rad(0)

    # flop twice: two auctions of 50,000 DAI for 250 MKR
    start = chain.eth.block_number
    ids = kick_auctions(core, 2)
    assert ids == [1, 2] and core.vow.Ash() == Rad.from_number(100_000)
    assert [(e.id, e.lot, e.bid, e.gal) for e in core.flopper.kick_events(start)] == [
        (1, Wad.from_number(250), SUMP, vow), (2, Wad.from_number(250), SUMP, vow)]
    with pytest.raises(Revert, match="Vow/insufficient-debt"):
        core.flop(keeper)  # all released debt is on auction

    for bidder in (first, second, third):
        _bidder_ready(core, bidder, DAI_WAD)
        assert core.vat.dai(bidder) == SUMP

    # auction 1: three bidders, each asking for at least 3% less MKR
    core.flopper.dent(first, 1, Wad.from_number(240), SUMP)
    assert core.vat.dai(first) == Rad(0)
    # current dss: the first bid pays the Vow, which kisses that much on-auction debt away
    assert core.vow.Ash() == SUMP and core.vat.sin(vow) == SUMP
    assert core.vat.dai(vow) == Rad(0)

    core.flopper.dent(second, 1, Wad.from_number(232), SUMP)
    assert core.vat.dai(first) == SUMP  # refunded at once, in the Vat
    assert core.vat.dai(second) == Rad(0)
    with pytest.raises(Revert, match="Flopper/insufficient-decrease"):
        core.flopper.dent(third, 1, Wad.from_number(226), SUMP)  # 232 / 226 < 1.03
    with pytest.raises(Revert, match="Flopper/not-matching-bid"):
        core.flopper.dent(third, 1, Wad.from_number(200), Rad.from_number(40_000))
    core.flopper.dent(third, 1, Wad.from_number(225), SUMP)
    assert core.vat.dai(second) == SUMP and core.vat.dai(third) == Rad(0)

    winning = core.flopper.bids(1)
    assert (winning.guy, winning.lot, winning.bid) == (third, Wad.from_number(225), SUMP)
    with pytest.raises(Revert, match="Flopper/not-finished"):
        core.flopper.deal(keeper, 1)  # the bid has not expired yet
    advance(chain, core.flopper.ttl() + 1)
    core.flopper.deal(keeper, 1)  # anyone may deal
    assert core.mkr.balance_of(third) == Wad.from_number(225)
    assert core.mkr.total_supply() == Wad.from_number(225)
    assert core.flopper.bids(1) == Bid(Rad(0), Wad(0), ZERO_ADDRESS, 0, 0)

    # auction 2: no bid; it expires, cannot be dealt, and each tick raises the lot by pad
    expired = core.flopper.bids(2)
    advance(chain, expired.end - now(chain) + 1)
    with pytest.raises(Revert, match="Flopper/not-finished"):
        core.flopper.deal(keeper, 2)
    with pytest.raises(Revert, match="Flopper/already-finished-end"):
        core.flopper.dent(first, 2, Wad.from_number(240), SUMP)
    core.flopper.tick(keeper, 2)
    restarted = core.flopper.bids(2)
    assert restarted.lot == Wad.from_number(300)  # 250 * 1.20
    assert restarted.end == now(chain) + core.flopper.tau() and restarted.tic == 0
    with pytest.raises(Revert, match="Flopper/not-finished"):
        core.flopper.tick(keeper, 2)  # running again: no second restart
    advance(chain, core.flopper.tau() + 1)
    core.flopper.tick(keeper, 2)
    assert core.flopper.bids(2).lot == Wad.from_number(360)

    # a bid on the grown lot wins it: 50,000 DAI for 340 MKR (147 DAI/MKR)
    core.flopper.dent(first, 2, Wad.from_number(340), SUMP)
    assert core.flopper.bids(2).price == Wad.parse("147.058823529411764705")
    advance(chain, core.flopper.ttl() + 1)
    core.flopper.deal(keeper, 2)
    assert core.mkr.balance_of(first) == Wad.from_number(340)
    assert core.mkr.total_supply() == Wad.from_number(565)

    # the books: all 100,000 DAI of bad debt covered by the two auctions
    assert core.vow.Ash() == Rad(0) and core.vat.sin(vow) == Rad(0)
    assert core.vat.dai(second) == SUMP  # the one bidder who never won keeps their DAI
