"""The typed Pool and Factory handles against the real contracts, on the in-process chain."""

from __future__ import annotations

import pytest
from eth_account import Account

from backstop.artifacts import ERC5202_PREFIX
from backstop.chain import dev
from backstop.chain.errors import Revert
from backstop.maker import deploy_core
from backstop.maker.scenario import advance, fund_dai, fund_vat_dai, kick_auctions
from backstop.pool import (
    EnlistPreview,
    PoolStatus,
    Position,
    Preview,
    deploy_factory,
    deploy_pool,
    pool_at,
    read_pool_states,
)
from backstop.units import Rad, Wad

DAI_50K = Rad.from_number(50_000)


def _biddable_auction(system) -> int:
    """One auction restarted four times with no bid: lot 518.4 MKR, enough for 100 DAI/MKR."""
    (auction,) = kick_auctions(system.core, 1)
    for _ in range(4):
        advance(system.w3, system.core.flopper.tau() + 1)
        system.core.flopper.tick(system.keeper, auction)
    return auction


def _fund_pool(system, amount: Wad) -> None:
    fund_dai(system.core, system.depositor, amount)
    system.pool.approve_and_enlist(system.depositor, amount)


def _run(w3, encoded):
    return encoded.decode(w3.eth.call({"to": encoded.to, "data": encoded.data}))


def test_factory_creates_one_pool_per_price(system) -> None:
    f, pool = system.factory, system.pool
    assert f.pool_for_price(Wad.from_number(100)) == pool
    assert f.pool_for_price(Wad.from_number(90)) is None
    assert f.pools() == [pool] and f.pool_count() == 1
    with pytest.raises(Revert, match="Factory/pool-exists"):
        f.create_pool(system.member, Wad.from_number(100))
    other = f.create_pool(system.member, Wad.parse("87.5"))  # anyone may create one
    assert other.price() == Wad.parse("87.5")
    assert f.pools() == [pool, other]
    assert [(p, a) for p, a, _ in f.pool_created_events(0)] == [
        (Wad.from_number(100), pool.address), (Wad.parse("87.5"), other.address)]
    assert f.owner() == system.deployer


def test_blueprint_is_erc5202(system) -> None:
    code = bytes(system.w3.eth.get_code(system.factory.blueprint()))
    assert code.startswith(ERC5202_PREFIX)


def test_pool_views_and_maker_handles_from_its_getters(system) -> None:
    bare = pool_at(system.w3, system.pool.address)  # no core: handles from the pool's getters
    assert bare.dai.address == system.core.dai.address
    assert bare.flopper.address == system.core.flopper.address
    assert bare.vat.address == system.core.vat.address
    assert bare.mkr.address == system.core.mkr.address
    assert bare.dai_join.address == system.core.dai_join.address
    assert (bare.name(), bare.symbol(), bare.price()) == ("Dai Backstop 100", "DB100",
                                                          Wad.from_number(100))
    assert bare.status() is PoolStatus.IDLE and not bare.ceased()
    assert bare.total_shares() == Wad(0) and bare.active_auctions() == []


def test_enlist_with_approve_and_with_permit(system) -> None:
    pool = system.pool
    fund_dai(system.core, system.depositor, Wad.from_number(1_000))
    first = pool.approve_and_enlist(system.depositor, Wad.from_number(1_000))
    assert (first.member, first.dai, first.shares) == (
        system.depositor, Wad.from_number(1_000), Wad.from_number(1_000))

    member = Account.create()
    dev.set_balance(system.w3, member.address, 10**18)
    fund_dai(system.core, member.address, Wad.parse("2.5"))
    assert pool.preview_enlist(Wad.parse("2.5")) == EnlistPreview(Wad.parse("2.5"), False, "")
    second = pool.enlist_with_permit(member, Wad.parse("2.5"))
    assert (second.member, second.shares) == (member.address, Wad.parse("2.5"))
    assert pool.shares_of(member.address) == Wad.parse("2.5")
    assert system.core.dai.nonces(member.address) == 1  # the permit was used
    assert pool.dai_balance() == Wad.parse("1002.5") == pool.dai_available()


def test_previews_follow_the_pools_rules(system) -> None:
    pool = system.pool
    assert pool.preview_finalize(7) == Preview(False, "Pool/no-position")
    assert pool.preview_enlist(Wad.parse("0.999999999999999999")).reason == "Pool/below-minimum"
    assert pool.preview_enlist(Wad.from_number(1)) == EnlistPreview(Wad.from_number(1), False, "")
    _fund_pool(system, Wad.from_number(60_000))
    auction = _biddable_auction(system)
    pool.enter_auction(system.keeper, auction)
    # a bid is open: deposits stay open, as requests (1/6 DAI per unit of weight now)
    assert pool.preview_enlist(Wad.from_number(10)) == EnlistPreview(Wad.from_number(60), True,
                                                                     "")
    assert pool.preview_finalize(auction) == Preview(False, "Pool/auction-not-finished")
    with pytest.raises(Revert, match="Pool/auction-not-finished"):
        pool.finalize_auction(system.keeper, auction)
    again = pool.preview_enter(auction)
    assert (again.ok, again.reason) == (False, "Pool/already-entered")
    with pytest.raises(Revert, match="Pool/already-entered"):
        pool.enter_auction(system.keeper, auction)
    (fresh,) = kick_auctions(system.core, 1)  # lot too small for 100 DAI/MKR until ticked
    previews = pool.preview_enters([auction, fresh])
    assert [p.reason for p in previews.values()] == ["Pool/already-entered",
                                                     "Pool/lot-too-small"]


def test_enlist_with_permit_needs_a_key(system) -> None:
    with pytest.raises(TypeError, match="LocalAccount"):
        system.pool.enlist_with_permit(system.member, Wad.from_number(1))  # type: ignore[arg-type]


def test_reverts_carry_the_pools_reason(system) -> None:
    fund_dai(system.core, system.depositor, Wad.from_number(1))
    with pytest.raises(Revert, match="Pool/below-minimum"):
        system.pool.approve_and_enlist(system.depositor, Wad.parse("0.5"))
    (auction,) = kick_auctions(system.core, 1)
    preview = system.pool.preview_enter(auction)
    assert not preview.ok and "lot-too-small" in preview.reason
    with pytest.raises(Revert, match="Pool/"):
        system.pool.enter_auction(system.keeper, auction)


def test_full_cycle_enter_finalize_defect(system) -> None:
    pool = system.pool
    _fund_pool(system, Wad.from_number(60_000))
    auction = _biddable_auction(system)
    preview = pool.preview_enter(auction)
    assert preview.ok and preview.mkr_ask == Wad.from_number(500)
    assert preview.dai_bid == Wad.from_number(50_000)
    pool.enter_auction(system.keeper, auction)
    assert pool.position(auction) == Position(Wad.from_number(50_000), Wad.from_number(500))
    assert pool.active_auctions() == [auction] and pool.status() is PoolStatus.POSITIONS_OPEN
    assert pool.dai_in_auctions() == Wad.from_number(50_000)
    assert pool.dai_available() == Wad.from_number(10_000)
    assert system.core.flopper.bids(auction).guy == pool.address
    entered = pool.events("AuctionEntered", 0)
    assert [e["args"]["auctionId"] for e in entered] == [auction]

    assert not pool.preview_finalize(auction).ok
    advance(system.w3, system.core.flopper.ttl() + 1)
    assert pool.preview_finalize(auction).ok
    pool.finalize_auction(system.keeper, auction)
    assert pool.mkr_balance() == Wad.from_number(500) and not pool.position(auction).exists
    assert system.core.mkr.balance_of(pool.address) == Wad.from_number(500)

    amount = pool.defect_amount(Wad.from_number(60_000))
    assert amount.redeemable and amount.dai == Wad.from_number(10_000)
    preview = pool.preview_defect(system.depositor, Wad.from_number(60_000))
    assert preview.ok and preview.request_weight == Wad(0)
    owed = pool.preview_claim(system.depositor)
    assert Wad.from_number(500) - owed[1] <= Wad(2)  # rounding, never in the member's favour
    paid = pool.defect(system.depositor, Wad.from_number(60_000))
    assert (paid.dai, paid.mkr, paid.request_id) == (preview.dai, preview.mkr, 0)
    assert paid.dai == Wad.from_number(10_000) and paid.mkr == owed[1]
    assert system.core.mkr.balance_of(system.depositor) == paid.mkr
    assert pool.status() is PoolStatus.IDLE


def test_outbid_refund_comes_back_on_finalize(system) -> None:
    pool = system.pool
    _fund_pool(system, Wad.from_number(50_000))
    auction = _biddable_auction(system)
    pool.enter_auction(system.keeper, auction)
    fund_vat_dai(system.core, system.bidder, DAI_50K)
    system.core.vat.hope(system.bidder, system.core.flopper.address)
    system.core.flopper.dent(system.bidder, auction, Wad.from_number(400), DAI_50K)
    assert pool.preview_finalize(auction).ok  # outbid: can be closed at once
    pool.finalize_auction(system.keeper, auction)
    # the bid drained the pool (a new era); the refund belongs to the member who funded it
    assert pool.era() == 1 and pool.dai_available() == Wad(0)
    assert pool.active_auctions() == [] and pool.mkr_balance() == Wad(0)
    pool.claim(system.depositor)  # the checkpoint turns the old shares into a request
    (request,) = pool.requests(system.depositor)
    assert (request.kind, request.claimable) == ("redeem", Wad.from_number(50_000))
    paid = pool.claim_redeem(system.keeper, request.request_id, system.depositor)
    assert Wad.from_number(50_000) - paid[0] <= Wad(2) and paid[1] == Wad(0)


def test_cease_fire_by_owner_or_factory_operator(system) -> None:
    direct = deploy_pool(system.w3, system.member, system.core, Wad.from_number(120))
    assert direct.owner() == system.member
    with pytest.raises(Revert):
        direct.cease_fire(system.keeper)
    direct.cease_fire(system.member)
    assert direct.ceased() and direct.status() is PoolStatus.CEASED
    assert (direct.name(), direct.symbol()) == ("Dai Backstop 120", "DB120")

    system.factory.cease_fire(system.deployer, Wad.from_number(100))
    assert system.pool.status() is PoolStatus.CEASED


def test_encoded_calls_agree_with_direct_reads(system) -> None:
    pool, w3 = system.pool, system.w3
    _fund_pool(system, Wad.from_number(60_000))
    auction = _biddable_auction(system)
    pool.enter_auction(system.keeper, auction)
    assert _run(w3, pool.call_status()) is pool.status()
    assert _run(w3, pool.call_position(auction)) == pool.position(auction)
    shares = Wad.from_number(6_000)
    assert _run(w3, pool.call_defect_amount(shares)) == pool.defect_amount(shares)
    assert _run(w3, pool.call_shares_of(system.depositor)) == pool.shares_of(system.depositor)
    assert _run(w3, pool.call_active_auctions()) == (auction,)
    assert _run(w3, system.factory.call_pool_count()) == 1


def test_read_pool_states_is_one_round_trip(system, monkeypatch) -> None:
    other = system.factory.create_pool(system.member, Wad.from_number(150))
    _fund_pool(system, Wad.from_number(10))
    provider = system.w3.provider
    seen: list[str] = []
    real_batch, real_single = provider.make_batch_request, provider.make_request
    monkeypatch.setattr(provider, "make_batch_request",
                        lambda reqs: seen.append("batch") or real_batch(reqs))
    monkeypatch.setattr(provider, "make_request",
                        lambda m, p: seen.append(m) or real_single(m, p))
    first, second = read_pool_states(system.w3, [system.pool, other])
    assert seen == ["batch"]
    assert (first.price, first.total_shares, first.dai_balance) == (
        Wad.from_number(100), Wad.from_number(10), Wad.from_number(10))
    assert (second.price, second.total_shares, second.status) == (
        Wad.from_number(150), Wad(0), PoolStatus.IDLE)
    assert first.active_auctions == () and first.address == system.pool.address


def test_pool_works_with_the_2019_flopper(system) -> None:
    core = deploy_core(system.w3, system.deployer, flopper="2019")
    factory = deploy_factory(system.w3, system.deployer, core)
    pool = factory.create_pool(system.deployer, Wad.from_number(100))
    fund_dai(core, system.depositor, Wad.from_number(50_000))
    pool.approve_and_enlist(system.depositor, Wad.from_number(50_000))
    (auction,) = kick_auctions(core, 1)
    for _ in range(4):
        advance(system.w3, core.flopper.tau() + 1)
        core.flopper.tick(system.keeper, auction)
    pool.enter_auction(system.keeper, auction)
    advance(system.w3, core.flopper.ttl() + 1)
    pool.finalize_auction(system.keeper, auction)
    assert pool.mkr_balance() == Wad.from_number(500) and pool.dai_available() == Wad(0)


def test_a_reverting_view_raises_revert_with_the_reason(system) -> None:
    not_a_pool = pool_at(system.w3, system.core.vow.address)  # the Vow's fallback reverts
    with pytest.raises(Revert, match="Vow/unknown-function"):
        not_a_pool.status()
