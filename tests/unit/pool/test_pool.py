"""Unit tests of pool.vy: every function and every revert, on our Maker core (titanoboa)."""

from __future__ import annotations

import boa
import pytest
from eth_account import Account

from backstop.pool.boa_system import PRICE, SUMP, System, contract
from backstop.pool.gas import dai_permit
from backstop.pool.rules import EnterCheck
from backstop.units import RAD, RAY, WAD

BID = SUMP // RAY  # 50,000 DAI in wad
ASK = BID * WAD // PRICE  # 500 MKR


def enter(system: System, keeper: str) -> int:
    """A new biddable auction the pool enters; return its id."""
    id_ = system.biddable()
    with boa.env.prank(keeper):
        system.pool.enterAuction(id_)
    return id_


# ---- construction --------------------------------------------------------------------------

def test_constructor_sets_tokens_price_owner_and_names(system: System) -> None:
    pool = system.pool
    assert (pool.dai(), pool.mkr(), pool.daiJoin(), pool.vat(), pool.flopper()) == (
        system.dai.address, system.mkr.address, system.dai_join.address,
        system.vat.address, system.flopper.address,
    )
    assert pool.price() == PRICE
    assert pool.owner() == system.deployer
    assert (pool.name(), pool.symbol(), pool.decimals()) == ("Dai Backstop 100", "DB100", 18)
    assert pool.getStatus() == 0 and pool.totalSupply() == 0
    assert system.vat.can(pool.address, system.flopper.address) == 1
    assert system.vat.can(pool.address, system.dai_join.address) == 1


@pytest.mark.parametrize(
    ("price", "name", "symbol"),
    [
        (100 * WAD + WAD // 2, "Dai Backstop 100.5", "DB100"),
        (1_500 * WAD, "Dai Backstop 1500", "DB1K"),
        (25_000 * WAD, "Dai Backstop 25000", "DB25K"),
        (2_500_000 * WAD, "Dai Backstop 2500000", "DB2M"),
        (10**9 * WAD, "Dai Backstop 1000000000", "DBMAX"),
        (WAD // 4, "Dai Backstop 0.25", "DB0"),
        (123 * WAD + 456_789_123_456_789_123, "Dai Backstop 123.45678912", "DB123"),
        (10**12 * WAD - 1, "Dai Backstop 999999999999", "DBMAX"),
    ],
)
def test_name_and_symbol_follow_the_price(system: System, price: int, name: str,
                                           symbol: str) -> None:
    pool = system.deploy_pool(price)
    assert (pool.name(), pool.symbol(), pool.price()) == (name, symbol, price)


def test_constructor_rejects_zero_and_absurd_price(system: System) -> None:
    with boa.reverts("Pool/zero-price"):
        system.deploy_pool(0)
    with boa.reverts("Pool/price-too-high"):
        system.deploy_pool(10**12 * WAD)


# ---- enlist ----------------------------------------------------------------------------------

def test_first_enlist_mints_one_to_one(system: System, depositor: str) -> None:
    assert system.enlist(depositor, 1_000 * WAD) == 1_000 * WAD
    pool = system.pool
    assert pool.balanceOf(depositor) == 1_000 * WAD
    assert system.dai.balanceOf(pool.address) == 1_000 * WAD
    assert pool.getAvailableDaiBalance() == pool.getDaiBalance() == 1_000 * WAD


def test_enlist_and_defect_mint_and_burn_with_transfer_events(system: System,
                                                              depositor: str) -> None:
    zero = "0x" + "00" * 20

    def share_transfers() -> list[tuple[str, str, int]]:
        return [(str(e.sender), str(e.receiver), e.value) for e in system.pool.get_logs()
                if type(e).__name__ == "Transfer" and e.address == system.pool.address]

    system.enlist(depositor, 7 * WAD)
    assert share_transfers() == [(zero, depositor, 7 * WAD)]
    with boa.env.prank(depositor):
        system.pool.defect(2 * WAD)
    assert share_transfers() == [(depositor, zero, 2 * WAD)]
    assert system.pool.totalSupply() == system.pool.balanceOf(depositor) == 5 * WAD


def test_enlist_beyond_the_share_supply_limit_reverts(system: System, depositor: str) -> None:
    limit = 2**125 - 1  # shares in the main book word
    with boa.reverts("Pool/amount-too-large"):
        system.enlist(depositor, limit + 1)
    assert system.pool.totalSupply() == 0
    assert system.enlist(depositor, limit) == limit
    assert system.pool.totalSupply() == limit


def test_enlist_rejects_below_one_dai(system: System, depositor: str) -> None:
    with boa.reverts("Pool/below-minimum"):
        system.enlist(depositor, WAD - 1)


def test_enlist_needs_an_allowance(system: System, depositor: str) -> None:
    system.mint_dai(depositor, 10 * WAD)
    with boa.env.prank(depositor), boa.reverts("Dai/insufficient-allowance"):
        system.pool.enlist(10 * WAD)


def test_gifts_do_not_move_the_share_price(system: System, depositor: str,
                                           second_depositor: str, outsider: str) -> None:
    system.enlist(depositor, 10 * WAD)
    system.mint_dai(outsider, 1_000_000 * WAD)
    with boa.env.prank(outsider):
        system.dai.transfer(system.pool.address, 1_000_000 * WAD)
    system.give_vat_dai(system.pool.address, 1_000 * RAD)
    assert system.enlist(second_depositor, 5 * WAD) == 5 * WAD
    assert system.pool.getDaiBalance() == 15 * WAD


def test_enlist_closed_while_a_bid_is_held_and_after_cease_fire(
    system: System, depositor: str, second_depositor: str, keeper: str
) -> None:
    system.enlist(depositor, BID)
    enter(system, keeper)
    assert system.pool.getStatus() == 1
    with boa.reverts("Pool/deposits-closed"):
        system.enlist(second_depositor, 10 * WAD)
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    with boa.reverts("Pool/ceased"):
        system.enlist(second_depositor, 10 * WAD)


def test_mkr_gift_does_not_close_deposits(system: System, depositor: str, bidder: str,
                                          outsider: str) -> None:
    system.enlist(depositor, 10 * WAD)
    # an outsider wins an auction and sends its MKR to the pool
    id_ = system.biddable()
    system.outbid(id_, bidder)
    system.finish_bid(id_)
    system.flopper.deal(id_)
    with boa.env.prank(bidder):
        system.mkr.transfer(system.pool.address, WAD)
    assert system.pool.getStatus() == 0
    assert system.pool.getMKRBalance() == 0
    assert system.enlist(outsider, 10 * WAD) == 10 * WAD


def test_enlist_with_permit_in_one_transaction(system: System) -> None:
    key = "0x" + "11" * 32
    member = Account.from_key(key).address
    system.mint_dai(member, 100 * WAD)
    v, r, s = dai_permit(system, key, system.pool.address, 0)
    with boa.env.prank(member):
        shares = system.pool.enlistWithPermit(100 * WAD, 0, 0, v, r, s)
    assert shares == 100 * WAD
    assert system.dai.allowance(member, system.pool.address) == 2**256 - 1
    # the same permit submitted again (already used): skipped, the allowance suffices
    system.mint_dai(member, 5 * WAD)
    with boa.env.prank(member):
        assert system.pool.enlistWithPermit(5 * WAD, 0, 0, v, r, s) == 5 * WAD


def test_enlist_with_permit_rejects_a_wrong_signer(system: System, depositor: str) -> None:
    system.mint_dai(depositor, 100 * WAD)
    v, r, s = dai_permit(system, "0x" + "22" * 32, system.pool.address, 0)
    with boa.env.prank(depositor), boa.reverts("Dai/invalid-permit"):
        system.pool.enlistWithPermit(100 * WAD, 0, 0, v, r, s)


# ---- enterAuction -----------------------------------------------------------------------------

def test_enter_auction_bids_at_the_pool_price(system: System, depositor: str,
                                              keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = system.biddable()
    assert system.enter_check(id_) == EnterCheck(True, ASK, BID)  # the off-chain preview
    with boa.env.prank(keeper):
        system.pool.enterAuction(id_)
    logs = system.pool.get_logs()
    entered = [e for e in logs if type(e).__name__ == "AuctionEntered"]
    assert [(e.auctionId, e.mkrAsk, e.daiBid) for e in entered] == [(id_, ASK, BID)]
    bid, lot, guy, _tic, _end = system.flopper.bids(id_)
    assert (bid, lot, guy) == (SUMP, ASK, system.pool.address)
    assert system.pool.getPosition(id_) == (BID, ASK)
    assert system.pool.getActiveAuctions() == [id_]
    assert system.pool.getDaiBalanceForAuctions() == BID
    assert system.pool.getAvailableDaiBalance() == 10_000 * WAD
    assert system.pool.getDaiBalance() == 60_000 * WAD
    assert system.vat.dai(system.pool.address) == 0
    assert system.pool.getStatus() == 1


def test_enter_auction_rounds_the_ask_up(system: System, depositor: str, keeper: str) -> None:
    pool = system.deploy_pool(3 * WAD)  # 50,000 / 3 is not a whole number of wads
    system.enlist(depositor, BID, pool)
    id_ = system.kick()
    system.tick_until_biddable(id_, 3 * WAD)
    with boa.env.prank(keeper):
        pool.enterAuction(id_)
    lot = system.flopper.bids(id_)[1]
    assert lot == BID * WAD // (3 * WAD) + 1
    assert lot * 3 * WAD >= BID * WAD  # never more than 3 DAI per MKR


@pytest.mark.parametrize("case", ["ceased", "entered", "no-auction", "finished", "lot", "dai"])
def test_enter_auction_reverts(system: System, depositor: str, keeper: str, case: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = system.biddable()
    reason = {
        "ceased": "Pool/ceased", "entered": "Pool/already-entered",
        "no-auction": "Pool/no-auction", "finished": "Pool/auction-finished",
        "lot": "Pool/lot-too-small",
        "dai": "Pool/not-enough-dai",
    }[case]
    if case == "ceased":
        with boa.env.prank(system.deployer):
            system.pool.ceaseFire()
    elif case == "entered":
        with boa.env.prank(keeper):
            system.pool.enterAuction(id_)
    elif case == "no-auction":
        id_ += 1_000
    elif case == "finished":
        system.expire(id_)
    elif case == "lot":
        id_ = system.kick()
    elif case == "dai":
        with boa.env.prank(depositor):
            system.pool.defect(20_000 * WAD)
    check = system.enter_check(id_)  # the off-chain preview names the same reason
    assert not check.ok and check.reason == reason
    with boa.env.prank(keeper), boa.reverts(reason):
        system.pool.enterAuction(id_)


def test_enter_auction_refuses_a_caged_flopper(system: System, depositor: str,
                                               keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = system.biddable()
    system.cage()
    assert system.enter_check(id_).reason == "Pool/flopper-not-live"
    with boa.env.prank(keeper), boa.reverts("Pool/flopper-not-live"):
        system.pool.enterAuction(id_)


@pytest.mark.parametrize(("sump", "reason"), [
    (SUMP + 1, "Pool/bid-not-whole-dai"),  # not even whole wads
    (SUMP + RAY, "Pool/bid-not-whole-dai"),  # whole wads, not whole DAI: bids are booked in DAI
    (0, "Pool/bid-out-of-range"),  # an auction that asks no DAI: nothing for the pool to pay
])
def test_enter_auction_refuses_bids_it_cannot_book(system: System, depositor: str,
                                                   keeper: str, sump: int, reason: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    from backstop.pool.boa_system import b32

    with boa.env.prank(system.deployer):
        system.vow.file(b32("sump"), sump)
    id_ = system.biddable() if sump else system.kick()
    assert system.enter_check(id_).reason == reason  # the off-chain preview agrees
    with boa.env.prank(keeper), boa.reverts(reason):
        system.pool.enterAuction(id_)


def test_enter_auction_uses_counted_vat_dai_first(system: System, depositor: str,
                                                  keeper: str, bidder: str) -> None:
    system.enlist(depositor, 110_000 * WAD)
    first = enter(system, keeper)
    system.outbid(first, bidder)
    system.pool.finalizeAuction(first)
    assert system.vat.dai(system.pool.address) == SUMP
    enter(system, keeper)
    assert system.vat.dai(system.pool.address) == 0
    assert system.dai.balanceOf(system.pool.address) == 60_000 * WAD
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD


def test_enter_auction_refuses_an_id_beyond_the_bitmap(system: System, depositor: str,
                                                        keeper: str) -> None:
    # the active-auction bitmap has 4,096 words of 256 ids: an auction id from 1,048,576 on
    # cannot be listed, so it is refused before any DAI moves
    system.enlist(depositor, 60_000 * WAD)
    kicks_slot = system.flopper.compiler_data.storage_layout["storage_layout"][
        "flop_auction"]["kicks"]["slot"]
    boa.env.set_storage(system.flopper.address, kicks_slot, 4_096 * 256 - 1)
    id_ = system.biddable()
    assert id_ == 4_096 * 256
    with boa.env.prank(keeper), boa.reverts("Pool/auction-id-too-high"):
        system.pool.enterAuction(id_)
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD


def test_books_refuse_more_mkr_than_they_can_hold(system: System, depositor: str,
                                                  keeper: str) -> None:
    # counted MKR has 95 bits: a win that would pass 2**95 - 1 wei reverts instead of wrapping
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.finish_bid(id_)
    slot = system.pool.compiler_data.storage_layout["storage_layout"]["_book_held"]["slot"]
    held = boa.env.get_storage(system.pool.address, slot)
    near_full = (2**95 - ASK) << 160  # counted MKR one lot below the limit
    boa.env.set_storage(system.pool.address, slot, held | near_full)
    with boa.env.prank(keeper), boa.reverts("Pool/amount-too-large"):
        system.pool.finalizeAuction(id_)
    boa.env.set_storage(system.pool.address, slot, held | ((2**95 - 1 - ASK) << 160))
    with boa.env.prank(keeper):
        system.pool.finalizeAuction(id_)  # exactly at the limit: fine
    assert system.pool.getMKRBalance() == 2**95 - 1


# ---- finalizeAuction --------------------------------------------------------------------------

def test_finalize_won_deals_the_mkr_to_the_pool(system: System, depositor: str,
                                                keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    with boa.reverts("Pool/auction-not-finished"):
        system.pool.finalizeAuction(id_)
    system.finish_bid(id_)
    with boa.env.prank(keeper):
        system.pool.finalizeAuction(id_)
    names = [type(e).__name__ for e in system.pool.get_logs()]
    assert "AuctionFinalized" in names and "PositionSettled" in names
    assert system.mkr.balanceOf(system.pool.address) == ASK
    assert system.pool.getMKRBalance() == ASK
    assert system.pool.getDaiBalance() == 10_000 * WAD
    assert system.pool.getActiveAuctions() == []
    assert system.pool.getPosition(id_) == (0, 0)
    assert system.pool.getStatus() == 1  # MKR held: deposits stay closed


def test_finalize_rejects_an_unknown_position(system: System) -> None:
    with boa.reverts("Pool/no-position"):
        system.pool.finalizeAuction(7)


def test_finalize_outbid_counts_the_refund_and_reopens_deposits(
    system: System, depositor: str, second_depositor: str, keeper: str, bidder: str
) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.outbid(id_, bidder)
    assert system.pool.getDaiBalance() == 60_000 * WAD  # valued at its bid meanwhile
    system.pool.finalizeAuction(id_)
    assert system.pool.getStatus() == 0
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD
    assert system.pool.getMKRBalance() == 0
    assert system.enlist(second_depositor, 30_000 * WAD) == 30_000 * WAD


def test_finalize_after_someone_else_dealt_our_win(system: System, depositor: str,
                                                   keeper: str, outsider: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.finish_bid(id_)
    with boa.env.prank(outsider):
        system.flopper.deal(id_)
    system.pool.finalizeAuction(id_)
    assert system.pool.getMKRBalance() == ASK
    assert system.pool.getDaiBalance() == 10_000 * WAD


def test_finalize_after_outbid_and_dealt_by_the_winner(system: System, depositor: str,
                                                       keeper: str, bidder: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.outbid(id_, bidder)
    system.finish_bid(id_)
    system.flopper.deal(id_)
    system.pool.finalizeAuction(id_)
    assert system.pool.getMKRBalance() == 0
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD


def test_finalize_yanks_when_the_flopper_is_caged(system: System, depositor: str,
                                                  keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.cage()
    system.pool.finalizeAuction(id_)
    assert system.vat.dai(system.pool.address) == SUMP
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD
    assert system.pool.getStatus() == 0


def test_finalize_after_someone_else_yanked(system: System, depositor: str, keeper: str,
                                            outsider: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.cage()
    with boa.env.prank(outsider):
        system.flopper.yank(id_)
    system.pool.finalizeAuction(id_)
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD


def test_finalize_works_after_cease_fire(system: System, depositor: str, keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    system.finish_bid(id_)
    system.pool.finalizeAuction(id_)
    assert system.pool.getMKRBalance() == ASK


def test_two_deleted_auctions_reconcile_to_the_right_totals(
    system: System, depositor: str, keeper: str, bidder: str, outsider: str
) -> None:
    """One won and dealt by an outsider, one outbid and dealt: finalized in either order the
    pool ends with one lot of MKR and one bid of DAI (same-size positions are exchangeable)."""
    system.enlist(depositor, 100_000 * WAD)
    won, lost = enter(system, keeper), enter(system, keeper)
    system.outbid(lost, bidder)
    system.finish_bid(won)
    system.finish_bid(lost)
    with boa.env.prank(outsider):
        system.flopper.deal(won)
        system.flopper.deal(lost)
    system.pool.finalizeAuction(lost)
    system.pool.finalizeAuction(won)
    assert system.pool.getMKRBalance() == ASK
    assert system.pool.getAvailableDaiBalance() == BID
    assert system.pool.getDaiBalanceForAuctions() == 0


# ---- defect -----------------------------------------------------------------------------------

def test_defect_pays_pro_rata_dai_and_mkr(system: System, depositor: str,
                                          second_depositor: str, keeper: str) -> None:
    system.enlist(depositor, 45_000 * WAD)
    system.enlist(second_depositor, 15_000 * WAD)
    id_ = enter(system, keeper)
    system.finish_bid(id_)
    system.pool.finalizeAuction(id_)
    with boa.env.prank(second_depositor):
        dai_out, mkr_out = system.pool.defect(15_000 * WAD)
    assert (dai_out, mkr_out) == (2_500 * WAD, 125 * WAD)
    assert system.dai.balanceOf(second_depositor) == 2_500 * WAD
    assert system.mkr.balanceOf(second_depositor) == 125 * WAD
    names = [type(e).__name__ for e in system.pool.get_logs()]
    assert "Defected" in names


def test_defect_rounds_down_and_the_last_holder_takes_everything(
    system: System, depositor: str, second_depositor: str
) -> None:
    system.enlist(depositor, 10 * WAD)
    system.enlist(second_depositor, 10 * WAD)
    with boa.env.prank(depositor):
        system.pool.transfer(second_depositor, 3)  # odd share amounts
        dai_out, _ = system.pool.defect(10 * WAD - 3)
    assert dai_out == 10 * WAD - 3
    with boa.env.prank(second_depositor):
        dai_out, mkr_out = system.pool.defect(system.pool.balanceOf(second_depositor))
    assert dai_out == 10 * WAD + 3 and mkr_out == 0
    assert system.pool.totalSupply() == 0 and system.pool.getDaiBalance() == 0
    assert system.dai.balanceOf(system.pool.address) == 0


def test_defect_names_the_free_dai_when_locked(system: System, depositor: str,
                                               keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    enter(system, keeper)
    assert system.pool.getDefectAmount(60_000 * WAD) == (60_000 * WAD, 0, False)
    assert system.pool.getDefectAmount(6_000 * WAD) == (6_000 * WAD, 0, True)
    with boa.env.prank(depositor), pytest.raises(boa.BoaError) as err:
        system.pool.defect(60_000 * WAD)
    assert "Pool/dai-locked: 10000000000000000000000 wei of DAI is free now" in str(err.value)
    with boa.env.prank(depositor):
        assert system.pool.defect(6_000 * WAD) == (6_000 * WAD, 0)


@pytest.mark.parametrize(("shares", "reason"), [(0, "Pool/zero-shares"),
                                                 (11 * WAD, "Pool/insufficient-shares")])
def test_defect_reverts(system: System, depositor: str, shares: int, reason: str) -> None:
    system.enlist(depositor, 10 * WAD)
    with boa.env.prank(depositor), boa.reverts(reason):
        system.pool.defect(shares)


def test_defect_after_cease_fire(system: System, depositor: str) -> None:
    system.enlist(depositor, 10 * WAD)
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    assert system.pool.getStatus() == 2
    with boa.env.prank(depositor):
        assert system.pool.defect(10 * WAD) == (10 * WAD, 0)


def test_defect_exits_counted_vat_dai_to_the_member(system: System, depositor: str,
                                                    keeper: str, bidder: str) -> None:
    system.enlist(depositor, BID)
    id_ = enter(system, keeper)
    system.outbid(id_, bidder)
    system.pool.finalizeAuction(id_)
    with boa.env.prank(depositor):
        system.pool.defect(BID)
    assert system.dai.balanceOf(depositor) == BID
    assert system.vat.dai(system.pool.address) == 0


def test_defect_moves_vat_dai_when_the_join_is_caged(system: System, depositor: str,
                                                     keeper: str) -> None:
    system.enlist(depositor, BID)
    id_ = enter(system, keeper)
    system.cage()
    with boa.env.prank(system.deployer):
        system.dai_join.cage()
    system.pool.finalizeAuction(id_)
    with boa.env.prank(depositor):
        assert system.pool.defect(BID) == (BID, 0)
    assert system.vat.dai(depositor) == SUMP
    assert system.dai.balanceOf(depositor) == 0


def test_get_defect_amount_out_of_range(system: System, depositor: str) -> None:
    assert system.pool.getDefectAmount(WAD) == (0, 0, False)
    system.enlist(depositor, 10 * WAD)
    assert system.pool.getDefectAmount(0) == (0, 0, False)
    assert system.pool.getDefectAmount(11 * WAD) == (0, 0, False)
    assert system.pool.getDefectAmount(4 * WAD) == (4 * WAD, 0, True)


# ---- ceaseFire, ownership, shares -------------------------------------------------------------

def test_cease_fire_only_owner_once(system: System, outsider: str) -> None:
    with boa.env.prank(outsider), boa.reverts("ownable: caller is not the owner"):
        system.pool.ceaseFire()
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
        assert system.pool.ceased()
        with boa.reverts("Pool/already-ceased"):
            system.pool.ceaseFire()


def test_two_step_ownership(system: System, outsider: str) -> None:
    with boa.env.prank(system.deployer):
        system.pool.transfer_ownership(outsider)
    assert system.pool.pending_owner() == outsider
    assert system.pool.owner() == system.deployer
    with boa.env.prank(outsider):
        system.pool.accept_ownership()
        system.pool.ceaseFire()
    assert system.pool.owner() == outsider


def test_shares_are_transferable_and_carry_the_claim(system: System, depositor: str,
                                                     second_depositor: str) -> None:
    system.enlist(depositor, 10 * WAD)
    with boa.env.prank(depositor):
        system.pool.transfer(second_depositor, 4 * WAD)
    with boa.env.prank(second_depositor):
        assert system.pool.defect(4 * WAD) == (4 * WAD, 0)


def test_active_auctions_are_listed_ascending(system: System, depositor: str,
                                              keeper: str, bidder: str) -> None:
    system.enlist(depositor, 200_000 * WAD)
    ids = system.biddable_many(3)
    for id_ in reversed(ids):
        with boa.env.prank(keeper):
            system.pool.enterAuction(id_)
    assert system.pool.getActiveAuctions() == ids
    system.outbid(ids[1], bidder)
    system.pool.finalizeAuction(ids[1])
    assert system.pool.getActiveAuctions() == [ids[0], ids[2]]


# ---- the 2019 Flopper -------------------------------------------------------------------------

def test_full_cycle_on_the_2019_flopper(system_2019: System, depositor: str, keeper: str,
                                        bidder: str) -> None:
    system = system_2019
    system.enlist(depositor, 100_000 * WAD)
    won, lost = enter(system, keeper), enter(system, keeper)
    system.outbid(lost, bidder)
    system.finish_bid(won)
    system.pool.finalizeAuction(won)
    system.pool.finalizeAuction(lost)
    with boa.env.prank(depositor):
        assert system.pool.defect(100_000 * WAD) == (BID, ASK)


# ---- re-entrancy ------------------------------------------------------------------------------

REENTRANT_TOKEN = """
# pragma version ~=0.4.3
interface IPool:
    def defect(shares: uint256) -> (uint256, uint256): nonpayable
pool: public(address)
balanceOf: public(HashMap[address, uint256])

@external
def set_pool(p: address):
    self.pool = p

@external
def approve(spender: address, amount: uint256) -> bool:
    return True

@external
def transferFrom(src: address, dst: address, amount: uint256) -> bool:
    extcall IPool(self.pool).defect(1)
    return True
"""


def test_enlist_cannot_be_reentered(system: System, depositor: str) -> None:
    """A DAI whose transferFrom calls back into the pool: the lock stops the re-entry."""
    token = boa.loads(REENTRANT_TOKEN)
    pool = contract("pool/pool").deploy(
        token.address, system.mkr.address, system.dai_join.address, system.vat.address,
        system.flopper.address, PRICE,
    )
    token.set_pool(pool.address)
    with boa.env.prank(depositor), boa.reverts():
        pool.enlist(10 * WAD)
    assert pool.totalSupply() == 0


def test_deleted_positions_of_different_sizes_reconcile_without_loss(
    system: System, depositor: str, keeper: str, bidder: str, outsider: str
) -> None:
    """A 30,000 DAI position outbid and a 50,000 DAI position won, both dealt by others. The
    smaller one, finalized first, takes 300 of the 500 MKR that arrived; the larger one then
    takes the 200 MKR left plus the 30,000 DAI refund (worth its 50,000 at the price)."""
    from backstop.pool.boa_system import b32

    system.enlist(depositor, 80_000 * WAD)
    with boa.env.prank(system.deployer):
        system.vow.file(b32("sump"), 30_000 * RAD)
    small = system.kick()
    with boa.env.prank(system.deployer):
        system.vow.file(b32("sump"), SUMP)
    large = system.kick()
    for _ in range(4):
        system.expire(large)
        system.flopper.tick(small)
        system.flopper.tick(large)
    with boa.env.prank(keeper):
        system.pool.enterAuction(small)
        system.pool.enterAuction(large)
    system.outbid(small, bidder)
    system.finish_bid(small)
    system.finish_bid(large)
    with boa.env.prank(outsider):
        system.flopper.deal(small)
        system.flopper.deal(large)
    system.pool.finalizeAuction(small)
    assert system.pool.getMKRBalance() == 300 * WAD
    system.pool.finalizeAuction(large)
    assert system.pool.getMKRBalance() == 500 * WAD
    assert system.pool.getAvailableDaiBalance() == 30_000 * WAD
    assert system.pool.getDaiBalanceForAuctions() == 0
    assert system.mkr.balanceOf(system.pool.address) == 500 * WAD
    assert system.vat.dai(system.pool.address) == 30_000 * RAD
