"""Unit tests of pool.vy (second design, docs/POOL.md): every entry point and every revert, on our
Maker core (titanoboa). The review's findings have their own file (test_pool_findings.py) and the
fairness property its state machine (tests/stateful)."""

from __future__ import annotations

import boa
import pytest
from eth_account import Account

from backstop.pool.boa_system import PRICE, SUMP, System, b32, contract
from backstop.pool.gas import dai_permit
from backstop.pool.rules import EnterCheck
from backstop.units import RAD, RAY, WAD

BID = SUMP // RAY  # 50,000 DAI in wad
ASK = BID * WAD // PRICE  # 500 MKR
ZERO = "0x" + "00" * 20


def enter(system: System, keeper: str) -> int:
    """A new biddable auction the pool enters; return its id."""
    id_ = system.biddable()
    with boa.env.prank(keeper):
        system.pool.enterAuction(id_)
    return id_


def win(system: System, keeper: str, id_: int) -> None:
    """Let the pool's bid in ``id_`` expire and finalize it (MKR to the pool)."""
    system.finish_bid(id_)
    with boa.env.prank(keeper):
        system.pool.finalizeAuction(id_)


def events(contract_: object, name: str) -> list:
    """The last transaction's logs named ``name`` that ``contract_`` emitted (read them right
    after the transaction: a later call replaces boa's record)."""
    return [e for e in contract_.get_logs()
            if type(e).__name__ == name and e.address == contract_.address]


def near(got: int, want: int, wei: int = 4) -> bool:
    """``got`` is ``want`` less a few wei of rounding, never more (the pool rounds down)."""
    return want - wei <= got <= want


def near2(got: tuple, want: tuple, wei: int = 4) -> bool:
    return all(near(g, w, wei) for g, w in zip(got, want, strict=True))


# ---- construction --------------------------------------------------------------------------

def test_constructor_sets_tokens_price_owner_and_names(system: System) -> None:
    pool = system.pool
    assert (pool.dai(), pool.mkr(), pool.daiJoin(), pool.vat(), pool.flopper()) == (
        system.dai.address, system.mkr.address, system.dai_join.address,
        system.vat.address, system.flopper.address,
    )
    assert pool.price() == PRICE and pool.owner() == system.deployer
    assert (pool.name(), pool.symbol(), pool.decimals()) == ("Dai Backstop 100", "DB100", 18)
    assert pool.getStatus() == 0 and pool.totalSupply() == 0 and pool.era() == 0
    assert pool.frontier() == (1, 0, 0, 0)
    assert system.vat.can(pool.address, system.flopper.address) == 1
    assert system.vat.can(pool.address, system.dai_join.address) == 1


@pytest.mark.parametrize(
    ("price", "name", "symbol"),
    [
        (100 * WAD + WAD // 2, "Dai Backstop 100.5", "DB100"),
        (WAD + 5 * 10**16, "Dai Backstop 1.05", "DB1"),
        (1_500 * WAD, "Dai Backstop 1500", "DB1K"),
        (25_000 * WAD, "Dai Backstop 25000", "DB25K"),
        (999_999 * WAD + 99 * 10**16, "Dai Backstop 999999.99", "DBMAX"),
        (10**6 * WAD, "Dai Backstop 1000000", "DBMAX"),
        (WAD, "Dai Backstop 1", "DB1"),
    ],
)
def test_name_and_symbol_follow_the_price(system: System, price: int, name: str,
                                          symbol: str) -> None:
    """The factory's rule in Vyper and ``backstop.pool.rules``' in Python agree."""
    pool = system.deploy_pool(price)  # names from backstop.pool.rules
    assert (pool.name(), pool.symbol(), pool.price()) == (name, symbol, price)
    factory = contract("pool/factory").deploy(
        contract("pool/pool").deploy_as_blueprint().address, system.dai.address,
        system.mkr.address, system.dai_join.address, system.vat.address, system.flopper.address)
    made = contract("pool/pool").at(factory.create_pool(price))
    assert (made.name(), made.symbol(), made.price()) == (name, symbol, price)


@pytest.mark.parametrize(("price", "reason"), [
    (0, "Pool/price-out-of-range"),
    (WAD - 10**16, "Pool/price-out-of-range"),
    (10**6 * WAD + 10**16, "Pool/price-out-of-range"),
    (100 * WAD + 1, "Pool/price-not-whole-cents"),
    (100 * WAD + 10**15, "Pool/price-not-whole-cents"),
])
def test_constructor_rejects_prices_out_of_bounds(system: System, price: int,
                                                  reason: str) -> None:
    with boa.reverts(reason):
        system.deploy_pool(price)


@pytest.mark.parametrize(("swap", "reason"), [
    ("dai", "Pool/join-not-for-dai"),
    ("vat", "Pool/join-not-for-vat"),
    ("mkr", "Pool/flopper-not-for-mkr"),
])
def test_constructor_checks_the_maker_wiring(system: System, swap: str, reason: str) -> None:
    args = {"dai": system.dai.address, "mkr": system.mkr.address,
            "join": system.dai_join.address, "vat": system.vat.address,
            "flopper": system.flopper.address}
    args[swap] = system.vow.address  # any other contract
    with boa.env.prank(system.deployer), boa.reverts(reason):
        contract("pool/pool").deploy(args["dai"], args["mkr"], args["join"], args["vat"],
                                     args["flopper"], PRICE, "Dai Backstop 100", "DB100")


# ---- enlist -----------------------------------------------------------------------------------

def test_first_enlist_mints_one_to_one(system: System, depositor: str) -> None:
    assert system.enlist(depositor, 1_000 * WAD) == 1_000 * WAD
    pool = system.pool
    assert [(str(e.sender), str(e.receiver), e.value) for e in events(pool, "Transfer")] == [
        (ZERO, depositor, 1_000 * WAD)]
    assert pool.balanceOf(depositor) == pool.totalSupply() == 1_000 * WAD
    assert system.dai.balanceOf(pool.address) == 1_000 * WAD
    assert pool.getAvailableDaiBalance() == pool.getDaiBalance() == 1_000 * WAD


def test_enlist_rejects_below_one_dai_and_without_allowance(
    system: System, depositor: str, second_depositor: str
) -> None:
    with boa.reverts("Pool/below-minimum"):
        system.enlist(depositor, WAD - 1)
    system.mint_dai(second_depositor, 10 * WAD)
    with boa.env.prank(second_depositor), boa.reverts("Dai/insufficient-allowance"):
        system.pool.enlist(10 * WAD)


def test_enlist_beyond_the_liquid_limit_reverts(system: System, depositor: str) -> None:
    assert system.pool.previewEnlist(2**96)[2] == "Pool/amount-too-large"
    with boa.reverts("Pool/amount-too-large"):
        system.enlist(depositor, 2**96)
    assert system.enlist(depositor, 2**96 - 1) == 2**96 - 1


def test_gifts_do_not_move_the_share_price(system: System, depositor: str,
                                           second_depositor: str, outsider: str) -> None:
    system.enlist(depositor, 10 * WAD)
    system.mint_dai(outsider, 1_000_000 * WAD)
    with boa.env.prank(outsider):
        system.dai.transfer(system.pool.address, 1_000_000 * WAD)
    system.give_vat_dai(system.pool.address, 1_000 * RAD)
    assert system.enlist(second_depositor, 5 * WAD) == 5 * WAD
    assert system.pool.getDaiBalance() == 15 * WAD


def test_enlist_while_positions_are_open_is_a_request_that_bids_at_once(
    system: System, depositor: str, second_depositor: str, keeper: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    first = enter(system, keeper)  # liquid 10,000 DAI for 60,000 weight: 1/6 DAI per weight
    assert pool.getStatus() == 1
    assert pool.previewEnlist(50_000 * WAD) == (300_000 * WAD, True, "")
    assert system.enlist(second_depositor, 50_000 * WAD) == 0  # a request, not shares
    (req,) = events(pool, "DepositRequest")
    assert (str(req.controller), req.requestId, req.assets) == (second_depositor, 2, 50_000 * WAD)
    assert pool.balanceOf(second_depositor) == 0 and pool.totalSupply() == 60_000 * WAD
    assert pool.pendingDepositRequest(2, second_depositor) == 50_000 * WAD
    assert pool.claimableDepositRequest(2, second_depositor) == 0
    # its DAI bids at once
    assert pool.getAvailableDaiBalance() == 60_000 * WAD
    second = enter(system, keeper)
    assert pool.getActiveAuctions() == [first, second]
    with boa.reverts("Pool/request-pending"):
        pool.claimDeposit(2, second_depositor)
    assert pool.previewClaimDeposit(2, second_depositor)[3] == "Pool/request-pending"
    # the first position settles: the request is claimable, and earned nothing from it
    win(system, keeper, first)
    assert pool.claimableDepositRequest(2, second_depositor) == 50_000 * WAD
    assert pool.previewClaimDeposit(2, second_depositor) == (300_000 * WAD, 0, 0, "")
    assert pool.claimDeposit(2, second_depositor) == 300_000 * WAD
    assert pool.balanceOf(second_depositor) == 300_000 * WAD
    assert pool.totalSupply() == 360_000 * WAD
    with boa.reverts("Pool/no-request"):
        pool.claimDeposit(2, second_depositor)
    # the first win is the first member's alone; the second is shared 1:5 by weight
    assert near2(pool.previewClaim(depositor), (0, ASK))
    assert pool.previewClaim(second_depositor) == (0, 0)
    win(system, keeper, second)
    assert near(pool.previewClaim(depositor)[1], ASK + ASK // 6)
    assert near(pool.previewClaim(second_depositor)[1], ASK * 5 // 6)


def test_request_deposit_for_another_controller(system: System, depositor: str,
                                                second_depositor: str, keeper: str) -> None:
    pool = system.pool
    system.mint_dai(depositor, 20 * WAD)
    with boa.env.prank(depositor):
        system.dai.approve(pool.address, 2**256 - 1)
        with boa.reverts("Pool/owner-not-caller"):
            pool.requestDeposit(10 * WAD, second_depositor, second_depositor)
        with boa.reverts("Pool/zero-controller"):
            pool.requestDeposit(10 * WAD, ZERO, depositor)
        # no open position: shares at once, id 0
        assert pool.requestDeposit(10 * WAD, second_depositor, depositor) == 0
    assert pool.balanceOf(second_depositor) == 10 * WAD and pool.balanceOf(depositor) == 0


def test_enlist_after_cease_fire_reverts(system: System, depositor: str) -> None:
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    assert system.pool.previewEnlist(10 * WAD) == (0, False, "Pool/ceased")
    with boa.reverts("Pool/ceased"):
        system.enlist(depositor, 10 * WAD)


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
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    id_ = system.biddable()
    assert system.enter_check(id_) == EnterCheck(True, ASK, BID)  # the off-chain rule
    assert pool.previewEnterAuction(id_) == (True, ASK, BID, "")  # the on-chain preview
    with boa.env.prank(keeper):
        pool.enterAuction(id_)
    assert [(e.auctionId, e.mkrAsk, e.daiBid) for e in events(pool, "AuctionEntered")] == [
        (id_, ASK, BID)]
    bid, lot, guy, _tic, _end = system.flopper.bids(id_)
    assert (bid, lot, guy) == (SUMP, ASK, pool.address)
    assert pool.getPosition(id_) == (BID, ASK)
    assert pool.getActiveAuctions() == [id_]
    assert pool.getDaiBalanceForAuctions() == BID
    assert pool.getAvailableDaiBalance() == 10_000 * WAD
    assert pool.getDaiBalance() == 60_000 * WAD
    assert pool.frontier() == (1, 1, 1, 1) and pool.getStatus() == 1
    # all ERC20 DAI was joined at once: the next bid needs no join
    assert system.dai.balanceOf(pool.address) == 0
    assert system.vat.dai(pool.address) == 10_000 * RAD


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
        "lot": "Pool/lot-too-small", "dai": "Pool/not-enough-dai",
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
    check = system.enter_check(id_)  # the off-chain rule names the same reason
    assert not check.ok and check.reason == reason
    assert system.pool.previewEnterAuction(id_)[0] is False
    assert system.pool.previewEnterAuction(id_)[3] == reason
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
    (SUMP + 1, "Pool/bid-not-whole-dai"),
    (SUMP + RAY, "Pool/bid-not-whole-dai"),
    (0, "Pool/bid-out-of-range"),
])
def test_enter_auction_refuses_bids_it_cannot_book(system: System, depositor: str,
                                                   keeper: str, sump: int, reason: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    with boa.env.prank(system.deployer):
        system.vow.file(b32("sump"), sump)
    id_ = system.biddable() if sump else system.kick()
    assert system.enter_check(id_).reason == reason
    assert system.pool.previewEnterAuction(id_)[3] == reason
    with boa.env.prank(keeper), boa.reverts(reason):
        system.pool.enterAuction(id_)


def test_enter_auction_refuses_an_id_it_cannot_record(system: System, depositor: str,
                                                      keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    kicks_slot = system.flopper.compiler_data.storage_layout["storage_layout"][
        "flop_auction"]["kicks"]["slot"]
    boa.env.set_storage(system.flopper.address, kicks_slot, 2**31 - 1)
    id_ = system.biddable()
    assert id_ == 2**31
    assert system.enter_check(id_).reason == "Pool/auction-id-too-high"
    with boa.env.prank(keeper), boa.reverts("Pool/auction-id-too-high"):
        system.pool.enterAuction(id_)
    assert system.pool.getAvailableDaiBalance() == 60_000 * WAD


def test_later_bids_use_the_vat_dai_of_the_first_join(system: System, depositor: str,
                                                     keeper: str) -> None:
    system.enlist(depositor, 110_000 * WAD)
    ids = system.biddable_many(2)
    with boa.env.prank(keeper):
        system.pool.enterAuction(ids[0])
    # the first bid joined all 110,000 DAI at once
    assert system.dai.balanceOf(system.pool.address) == 0
    assert system.vat.dai(system.pool.address) == 60_000 * RAD
    supply = system.dai.totalSupply()  # a join burns ERC20 DAI
    with boa.env.prank(keeper):
        system.pool.enterAuction(ids[1])
    assert system.dai.totalSupply() == supply  # the second bid joined nothing
    assert system.vat.dai(system.pool.address) == 10_000 * RAD


# ---- finalizeAuction --------------------------------------------------------------------------

def test_finalize_won_deals_the_mkr_to_the_members(system: System, depositor: str,
                                                   second_depositor: str, keeper: str) -> None:
    pool = system.pool
    system.enlist(depositor, 30_000 * WAD)
    system.enlist(second_depositor, 30_000 * WAD)
    id_ = enter(system, keeper)
    assert pool.previewFinalizeAuction(id_) == (False, "Pool/auction-not-finished")
    with boa.reverts("Pool/auction-not-finished"):
        pool.finalizeAuction(id_)
    system.finish_bid(id_)
    assert pool.previewFinalizeAuction(id_) == (True, "")
    with boa.env.prank(keeper):
        pool.finalizeAuction(id_)
    assert [(e.auctionId, e.index, e.dai, e.mkr) for e in events(pool, "PositionSettled")] == [
        (id_, 1, 0, ASK)]
    assert system.mkr.balanceOf(pool.address) == pool.getMKRBalance() == ASK
    assert pool.getStatus() == 0 and pool.getActiveAuctions() == []
    assert pool.frontier() == (2, 1, 0, 0)
    assert near2(pool.previewClaim(depositor), (0, ASK // 2))
    assert pool.previewClaim(depositor) == pool.previewClaim(second_depositor)
    owed = pool.previewClaim(depositor)
    with boa.env.prank(depositor):
        assert pool.claim() == owed
    assert system.mkr.balanceOf(depositor) == owed[1]
    assert pool.balanceOf(depositor) == 30_000 * WAD  # MKR without leaving


def test_finalize_rejects_an_unknown_position(system: System) -> None:
    assert system.pool.previewFinalizeAuction(7) == (False, "Pool/no-position")
    with boa.reverts("Pool/no-position"):
        system.pool.finalizeAuction(7)


def test_a_settled_position_cannot_be_finalized_again(system: System, depositor: str,
                                                      keeper: str) -> None:
    """Its outcome is booked once: a second finalize (before or after the frontier moved over
    it) is refused, by the preview too, and changes nothing."""
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.finish_bid(id_)
    pool.finalizeAuction(id_)
    owed = pool.previewClaim(depositor)
    for _ in range(2):
        assert pool.previewFinalizeAuction(id_) == (False, "Pool/no-position")
        with boa.reverts("Pool/no-position"):
            pool.finalizeAuction(id_)
        assert pool.getMKRBalance() == ASK and pool.previewClaim(depositor) == owed
        pool.advanceFrontier(10)


def test_finalize_outbid_returns_the_dai_to_the_members_present(
    system: System, depositor: str, second_depositor: str, keeper: str, bidder: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.enlist(second_depositor, 10_000 * WAD)  # a request: not in this position
    system.outbid(id_, bidder)
    with boa.env.prank(keeper):
        pool.finalizeAuction(id_)
    assert pool.getStatus() == 0 and pool.getDaiBalanceForAuctions() == 0
    owed = pool.previewClaim(depositor)
    assert near2(owed, (BID, 0))
    assert pool.previewClaimDeposit(2, second_depositor)[1:3] == (0, 0)
    with boa.env.prank(depositor):
        assert pool.claimDai() == owed[0]
    assert system.dai.balanceOf(depositor) == owed[0]  # exited from the Vat


def test_finalize_after_someone_else_dealt_our_win(system: System, depositor: str,
                                                   keeper: str, outsider: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.finish_bid(id_)
    with boa.env.prank(outsider):
        system.flopper.deal(id_)
    system.pool.finalizeAuction(id_)
    assert system.pool.getMKRBalance() == ASK
    assert near2(system.pool.previewClaim(depositor), (0, ASK))


def test_finalize_after_outbid_and_dealt_by_the_winner(system: System, depositor: str,
                                                       keeper: str, bidder: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.outbid(id_, bidder)
    system.finish_bid(id_)
    system.flopper.deal(id_)
    system.pool.finalizeAuction(id_)
    assert near2(system.pool.previewClaim(depositor), (BID, 0))


def test_finalize_yanks_when_the_flopper_is_caged(system: System, depositor: str,
                                                  keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.cage()
    with boa.env.prank(keeper):
        system.pool.finalizeAuction(id_)
    assert system.vat.dai(system.pool.address) == 60_000 * RAD
    assert near2(system.pool.previewClaim(depositor), (BID, 0))


def test_finalize_after_someone_else_yanked_prefers_the_refund(
    system: System, depositor: str, keeper: str, outsider: str
) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.cage()
    with boa.env.prank(outsider):
        system.flopper.yank(id_)
    # an MKR gift does not turn the refunded position into MKR
    with boa.env.prank(system.flopper.address):
        system.mkr.mint(system.pool.address, ASK)
    system.pool.finalizeAuction(id_)
    assert near2(system.pool.previewClaim(depositor), (BID, 0))
    assert system.pool.getMKRBalance() == 0


def test_finalize_works_after_cease_fire(system: System, depositor: str, keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    win(system, keeper, id_)
    assert system.pool.getStatus() == 2
    assert near2(system.pool.previewClaim(depositor), (0, ASK))


def test_positions_settled_out_of_order_wait_for_the_frontier(
    system: System, depositor: str, second_depositor: str, keeper: str, bidder: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 160_000 * WAD)
    ids = system.biddable_many(3)
    with boa.env.prank(keeper):
        for id_ in ids:
            pool.enterAuction(id_)
    system.enlist(second_depositor, 10_000 * WAD)  # request 4
    with boa.env.prank(depositor):
        pool.defect(16_000 * WAD)  # liquid part now, redeem request 4 for the rest
    system.outbid(ids[2], bidder)
    system.outbid(ids[1], bidder)
    pool.finalizeAuction(ids[2])
    pool.finalizeAuction(ids[1])
    assert pool.frontier() == (1, 3, 1, 1)  # position 1 is still open
    assert pool.claimableRedeemRequest(4, depositor) == 0
    assert pool.pendingRedeemRequest(4, depositor) == 16_000 * WAD
    with boa.reverts("Pool/request-pending"):
        pool.claimRedeem(4, depositor)
    win(system, keeper, ids[0])
    assert pool.frontier() == (4, 3, 0, 0)
    # the redeem request receives a tenth of all three outcomes (16,000 of 160,000 weight)
    dai, mkr, reason = pool.previewClaimRedeem(4, depositor)
    assert reason == "" and near(dai, 2 * BID // 10) and near(mkr, ASK // 10)
    before = system.mkr.balanceOf(depositor)
    pool.claimRedeem(4, depositor)  # anyone may call it; paid to the controller
    assert near(system.mkr.balanceOf(depositor) - before, ASK)  # with what the shares earned
    assert pool.previewClaimDeposit(4, second_depositor)[1:] == (0, 0, "")


def test_advance_frontier_in_steps(system: System, depositor: str, keeper: str,
                                   bidder: str) -> None:
    pool = system.pool
    system.enlist(depositor, 500_000 * WAD)
    ids = system.biddable_many(10)
    with boa.env.prank(keeper):
        for id_ in ids:
            pool.enterAuction(id_)
    for id_ in ids[1:]:
        system.outbid(id_, bidder)
        pool.finalizeAuction(id_)
    assert pool.frontier()[0] == 1
    system.outbid(ids[0], bidder)
    pool.finalizeAuction(ids[0])  # accounts at most 8
    assert pool.frontier()[0] == 9
    assert pool.advanceFrontier(1) == 10
    assert pool.advanceFrontier(100) == 11 and pool.frontier() == (11, 10, 0, 0)


# ---- defect and claims ------------------------------------------------------------------------

def test_defect_pays_the_liquid_part_and_keeps_the_claim_on_open_positions(
    system: System, depositor: str, second_depositor: str, keeper: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 50_000 * WAD)
    system.enlist(second_depositor, 50_000 * WAD)
    id_ = enter(system, keeper)
    assert pool.previewDefect(depositor, 50_000 * WAD) == (25_000 * WAD, 0, 50_000 * WAD, "")
    with boa.env.prank(depositor):
        assert pool.defect(50_000 * WAD) == (25_000 * WAD, 0)
    (req,) = events(pool, "RedeemRequest")
    assert (str(req.controller), req.requestId, req.shares) == (depositor, 2, 50_000 * WAD)
    assert system.dai.balanceOf(depositor) == 25_000 * WAD
    win(system, keeper, id_)
    # both receive half the lot: leaving did not move the position's outcome
    assert near2(pool.previewClaimRedeem(2, depositor)[:2], (0, ASK // 2))
    assert near2(pool.previewClaim(second_depositor), (0, ASK // 2))


def test_defect_without_open_positions_pays_everything(system: System, depositor: str,
                                                      keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    win(system, keeper, id_)
    with boa.env.prank(depositor):
        paid = system.pool.defect(60_000 * WAD)
    assert events(system.pool, "RedeemRequest") == []
    assert paid[0] == 10_000 * WAD and near(paid[1], ASK)
    assert system.pool.totalSupply() == 0
    # the rounding residue (never owed to anyone) is at most a wei
    assert system.pool.getDaiBalance() == 0 and system.pool.getMKRBalance() <= 1


def test_defect_rounds_down_and_the_last_share_takes_everything(
    system: System, depositor: str, second_depositor: str
) -> None:
    system.enlist(depositor, 3 * WAD)
    system.enlist(second_depositor, 4 * WAD)
    with boa.env.prank(depositor):
        system.pool.defect(1)
    with boa.env.prank(second_depositor):
        system.pool.defect(4 * WAD)
    with boa.env.prank(depositor):
        system.pool.defect(3 * WAD - 1)
    assert system.pool.getDaiBalance() == 0
    assert system.dai.balanceOf(system.pool.address) == 0


@pytest.mark.parametrize(("shares", "reason"), [
    (0, "Pool/zero-shares"), (10 * WAD + 1, "Pool/insufficient-shares")])
def test_defect_reverts(system: System, depositor: str, shares: int, reason: str) -> None:
    system.enlist(depositor, 10 * WAD)
    assert system.pool.previewDefect(depositor, shares)[3] == reason
    with boa.env.prank(depositor), boa.reverts(reason):
        system.pool.defect(shares)


def test_defect_after_cease_fire(system: System, depositor: str) -> None:
    system.enlist(depositor, 10 * WAD)
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
    with boa.env.prank(depositor):
        assert system.pool.defect(10 * WAD) == (10 * WAD, 0)


def test_defect_moves_vat_dai_when_the_join_is_caged(system: System, depositor: str,
                                                     keeper: str, bidder: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    system.outbid(id_, bidder)
    system.pool.finalizeAuction(id_)
    with boa.env.prank(system.deployer):
        system.dai_join.cage()
    with boa.env.prank(depositor):
        dai, mkr = system.pool.defect(60_000 * WAD)
    assert near(dai, 60_000 * WAD) and mkr == 0
    assert system.vat.dai(depositor) == (dai - BID) * RAY + BID * RAY


def test_a_refused_mkr_transfer_never_blocks_the_dai(system: System, depositor: str,
                                                     keeper: str) -> None:
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    win(system, keeper, enter(system, keeper))
    # the MKR token refuses the pool's transfer (here: the pool's balance is taken away)
    with boa.env.prank(pool.address):
        system.mkr.transfer(system.deployer, ASK)  # the pool's MKR is gone
    with boa.env.prank(depositor):
        with boa.reverts("Pool/mkr-transfer-failed"):
            pool.claimMkr()
        assert pool.defect(60_000 * WAD) == (10_000 * WAD, 0)  # DAI paid, MKR stays owed
    assert near2(pool.previewClaim(depositor), (0, ASK))


def test_get_defect_amount_is_the_liquid_part(system: System, depositor: str,
                                              keeper: str) -> None:
    system.enlist(depositor, 60_000 * WAD)
    assert system.pool.getDefectAmount(0) == (0, 0, False)
    assert system.pool.getDefectAmount(60_000 * WAD + 1) == (0, 0, False)
    enter(system, keeper)
    assert system.pool.getDefectAmount(30_000 * WAD) == (5_000 * WAD, 0, True)
    assert system.pool.getDefectAmount(60_000 * WAD) == (10_000 * WAD, 0, True)


# ---- shares -----------------------------------------------------------------------------------

def test_transfers_checkpoint_both_sides(system: System, depositor: str,
                                         second_depositor: str, keeper: str) -> None:
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    win(system, keeper, enter(system, keeper))
    with boa.env.prank(depositor):
        assert pool.transfer(second_depositor, 30_000 * WAD)
    # what the shares earned before the transfer stays with the one who held them
    assert near2(pool.previewClaim(depositor), (0, ASK))
    assert pool.previewClaim(second_depositor) == (0, 0)
    with boa.env.prank(depositor), boa.reverts("Pool/insufficient-shares"):
        pool.transfer(second_depositor, 30_000 * WAD + 1)
    with boa.env.prank(depositor), boa.reverts("Pool/zero-address"):
        pool.transfer(ZERO, 1)
    with boa.env.prank(second_depositor):
        pool.approve(keeper, 10 * WAD)
    with boa.env.prank(keeper):
        pool.transferFrom(second_depositor, keeper, 10 * WAD)
        with boa.reverts():
            pool.transferFrom(second_depositor, keeper, 1)
    assert pool.balanceOf(keeper) == 10 * WAD
    assert pool.totalSupply() == 60_000 * WAD


def test_shares_sent_to_the_pool_itself_close_nothing(system: System, depositor: str,
                                                      second_depositor: str) -> None:
    system.enlist(depositor, 10 * WAD)
    with boa.env.prank(depositor):
        system.pool.transfer(system.pool.address, 1)
    assert system.enlist(second_depositor, WAD) == WAD


# ---- eras -------------------------------------------------------------------------------------

def test_a_draining_bid_ends_the_era(system: System, depositor: str, second_depositor: str,
                                     keeper: str, outsider: str) -> None:
    pool = system.pool
    system.enlist(depositor, BID)  # exactly one bid
    id_ = enter(system, keeper)
    (ended,) = events(pool, "EraEnded")
    assert (ended.era, ended.lastIndex) == (0, 1)
    assert pool.era() == 1 and pool.totalSupply() == 0 and pool.balanceOf(depositor) == 0
    assert pool.frontier() == (1, 1, 1, 0)
    # deposits stay open, 1:1 in the new era, and take no part in the old era's position
    assert system.enlist(second_depositor, 7 * WAD) == 7 * WAD
    win(system, keeper, id_)
    assert pool.previewClaim(second_depositor) == (0, 0)
    # the old shares became a redeem request at the era's end on their first checkpoint
    with boa.env.prank(depositor):
        pool.claim()
    assert pool.claimableRedeemRequest(2, depositor) == BID
    pool.claimRedeem(2, depositor)
    assert near(system.mkr.balanceOf(depositor), ASK)


def test_shares_of_an_ended_era_are_paid_as_its_positions_settle(
    system: System, depositor: str, keeper: str, bidder: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 2 * BID)
    first, second = system.biddable_many(2)
    with boa.env.prank(keeper):
        pool.enterAuction(first)
        pool.enterAuction(second)  # drains: era 0 ends after position 2
    assert pool.era() == 1
    system.outbid(second, bidder)
    pool.finalizeAuction(second)
    assert pool.frontier()[0] == 1  # position 1 still open: the frontier waits
    # the era's shares are a redeem request at its end (id 3), paid as its positions settle:
    # the refund at once, without waiting for position 1
    with boa.env.prank(depositor):
        pool.claim()
    assert pool.claimableRedeemRequest(3, depositor) == 2 * BID
    assert pool.pendingRedeemRequest(3, depositor) == 0
    assert near2(pool.previewClaimRedeem(3, depositor)[:2], (BID, 0))
    pool.claimRedeem(3, depositor)
    assert near(system.dai.balanceOf(depositor), BID)
    assert pool.previewClaimRedeem(3, depositor)[:2] == (0, 0)
    win(system, keeper, first)
    assert near2(pool.previewClaimRedeem(3, depositor)[:2], (0, ASK))
    pool.claimRedeem(3, depositor)
    assert near(system.mkr.balanceOf(depositor), ASK)
    with boa.reverts("Pool/no-request"):  # the frontier passed the era's end: it is done
        pool.claimRedeem(3, depositor)


def test_a_nearly_draining_bid_returns_the_remainder_with_its_outcome(
    system: System, depositor: str, keeper: str, bidder: str
) -> None:
    pool = system.pool
    system.enlist(depositor, BID + 1)  # one wei more than the bid: below 2**-32 per weight
    id_ = enter(system, keeper)
    assert pool.era() == 1 and pool.getAvailableDaiBalance() == 0
    assert pool.getDaiBalanceForAuctions() == BID + 1
    system.outbid(id_, bidder)
    pool.finalizeAuction(id_)
    pool.claimRedeem(2, depositor)
    assert near(system.dai.balanceOf(depositor), BID + 1)


# ---- write-off -------------------------------------------------------------------------------

# (after the grace, a Flopper that can deal still deals: test_pool_findings.py,
# test_a_write_off_deals_if_the_flopper_can_after_all)


def test_write_off_when_the_flopper_may_no_longer_mint(system: System, depositor: str,
                                                        keeper: str, outsider: str) -> None:
    pool = system.pool
    system.enlist(depositor, 60_000 * WAD)
    id_ = enter(system, keeper)
    with boa.env.prank(system.deployer):
        system.mkr_authority.deny(system.flopper.address)  # governance replaced the Flopper
    system.finish_bid(id_)
    with boa.reverts():  # before the grace: the Flopper's refusal is the finalize's
        pool.finalizeAuction(id_)
    end = system.flopper.bids(id_)[4]
    boa.env.time_travel(seconds=end + 30 * 86_400 - boa.env.evm.patch.timestamp)
    with boa.reverts():  # the grace is not over yet
        pool.finalizeAuction(id_)
    boa.env.time_travel(seconds=2)
    with boa.env.prank(outsider), boa.reverts("Pool/more-gas"):
        pool.finalizeAuction(id_, gas=900_000)
    with boa.env.prank(outsider):
        pool.finalizeAuction(id_)
    (off,) = events(pool, "PositionWrittenOff")
    assert (off.auctionId, off.index, off.dai) == (id_, 1, BID)
    assert pool.frontier() == (2, 1, 0, 0) and pool.getDaiBalanceForAuctions() == 0
    assert pool.previewClaim(depositor) == (0, 0)


# ---- owner ------------------------------------------------------------------------------------

def test_cease_fire_only_owner_once(system: System, outsider: str) -> None:
    with boa.env.prank(outsider), boa.reverts():
        system.pool.ceaseFire()
    with boa.env.prank(system.deployer):
        system.pool.ceaseFire()
        with boa.reverts("Pool/already-ceased"):
            system.pool.ceaseFire()
    assert system.pool.ceased() and system.pool.getStatus() == 2


def test_two_step_ownership(system: System, outsider: str) -> None:
    with boa.env.prank(system.deployer):
        system.pool.transfer_ownership(outsider)
    assert system.pool.owner() == system.deployer
    assert system.pool.pending_owner() == outsider
    with boa.env.prank(outsider):
        system.pool.accept_ownership()
    assert system.pool.owner() == outsider


# ---- listing ----------------------------------------------------------------------------------

def test_active_auctions_are_listed_in_commit_order_and_paged(
    system: System, depositor: str, keeper: str, bidder: str
) -> None:
    pool = system.pool
    system.enlist(depositor, 200_000 * WAD)
    ids = system.biddable_many(3)
    with boa.env.prank(keeper):
        for id_ in reversed(ids):
            pool.enterAuction(id_)
    assert pool.getActiveAuctions() == list(reversed(ids))
    assert pool.getActiveAuctionsFrom(0, 2) == (list(reversed(ids))[:2], 3)
    assert pool.getActiveAuctionsFrom(3, 2) == ([ids[0]], 0)
    system.outbid(ids[1], bidder)
    pool.finalizeAuction(ids[1])
    assert pool.getActiveAuctions() == [ids[2], ids[0]]


# ---- the 2019 Flopper ------------------------------------------------------------------------

def test_full_cycle_on_the_2019_flopper(system_2019: System, depositor: str, keeper: str,
                                        bidder: str) -> None:
    s = system_2019
    s.enlist(depositor, 110_000 * WAD)
    won, lost = s.biddable_many(2)
    with boa.env.prank(keeper):
        s.pool.enterAuction(won)
        s.pool.enterAuction(lost)
    s.outbid(lost, bidder)
    s.pool.finalizeAuction(lost)
    s.finish_bid(won)
    s.pool.finalizeAuction(won)
    with boa.env.prank(depositor):
        dai, mkr = s.pool.defect(110_000 * WAD)
    assert near(dai, 60_000 * WAD) and near(mkr, ASK)
    assert s.mkr.balanceOf(depositor) == mkr and s.dai.balanceOf(depositor) == dai


# ---- re-entrancy ------------------------------------------------------------------------------

REENTRANT_TOKEN = """
# pragma version ~=0.4.3
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
    # advanceFrontier(1) succeeds for anyone: only the lock can refuse it here
    ok: bool = raw_call(self.pool, abi_encode(convert(1, uint256),
                                              method_id=method_id("advanceFrontier(uint256)")),
                        revert_on_failure=False)
    assert not ok, "token: re-entry allowed"
    raise "token: re-entry refused"
"""

FAKE_JOIN = """
# pragma version ~=0.4.3
dai: public(address)
vat: public(address)

@deploy
def __init__(dai_: address, vat_: address):
    self.dai = dai_
    self.vat = vat_

@external
def live() -> uint256:
    return 1
"""


def test_enlist_cannot_be_reentered(system: System, depositor: str) -> None:
    """A DAI whose transferFrom calls back into the pool with a call anyone may make: the lock
    refuses it (and that call works outside a transfer)."""
    token = boa.loads(REENTRANT_TOKEN)
    join = boa.loads(FAKE_JOIN, token.address, system.vat.address)
    pool = contract("pool/pool").deploy(
        token.address, system.mkr.address, join.address, system.vat.address,
        system.flopper.address, PRICE, "Dai Backstop 100", "DB100",
    )
    token.set_pool(pool.address)
    with boa.env.prank(depositor), boa.reverts("token: re-entry refused"):
        pool.enlist(10 * WAD)
    assert pool.totalSupply() == 0
    pool.advanceFrontier(1)  # the same call, not re-entering: fine
