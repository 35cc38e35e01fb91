"""The keeper's decisions on plain data: the pool's enter rules, finalize reasons, the plan."""

from __future__ import annotations

from backstop.keeper.decide import (
    Action,
    AuctionView,
    ChainView,
    PoolView,
    ask_for,
    can_enter,
    finalize_reason,
    plan,
)
from backstop.units import RAY, WAD

POOL_A = "0x" + "aa" * 20
POOL_B = "0x" + "bb" * 20
OTHER = "0x" + "cc" * 20
VOW = "0x" + "dd" * 20
ZERO = "0x" + "00" * 20
BID = 50_000 * WAD * RAY  # rad
BEG = 103 * WAD // 100
NOW = 1_000_000


def auction(i=1, lot=250 * WAD, guy=VOW, tic=0, end=NOW + 100, bid=BID) -> AuctionView:
    return AuctionView(i, bid, lot, guy, tic, end)


def pool(address=POOL_A, price=250 * WAD, dai=100_000 * WAD, active=(), ceased=False):
    return PoolView(address, price, ceased, dai, frozenset(active))


def view(auctions=(), pools=(), live=True, now=NOW) -> ChainView:
    return ChainView(10, now, live, BEG, {a.id: a for a in auctions}, tuple(pools))


def test_ask_rounds_up_so_the_pool_never_pays_more_than_its_price():
    ask, bid = ask_for(BID, 300 * WAD)
    assert bid == 50_000 * WAD
    assert ask == 166_666_666_666_666_666_667  # 166.67 MKR, rounded up
    assert ask_for(BID, 200 * WAD) == (250 * WAD, 50_000 * WAD)  # exact: no rounding


def test_can_enter_when_the_lot_allows_the_ask():
    check = can_enter(pool(), auction(), view())
    assert check.ok and check.ask == 200 * WAD and check.bid == 50_000 * WAD


def test_beg_boundary_is_inclusive():
    # ask 200 MKR needs lot >= 206 MKR (beg 3%): 206 is enough, one wei less is not
    assert can_enter(pool(), auction(lot=206 * WAD), view()).ok
    assert not can_enter(pool(), auction(lot=206 * WAD - 1), view()).ok


def test_can_enter_refusals_name_the_reason():
    cases = [
        (pool(ceased=True), auction(), view(), "pool ceased"),
        (pool(active=[1]), auction(), view(), "already entered"),
        (pool(), auction(), view(live=False), "flopper not live"),
        (pool(), auction(guy=ZERO, lot=0, end=0, bid=0), view(), "no auction"),
        (pool(), auction(guy=POOL_A), view(), "already high bidder"),
        (pool(), auction(end=NOW), view(), "auction finished"),
        (pool(), auction(guy=OTHER, tic=NOW), view(), "auction finished"),
        (pool(), auction(bid=BID + 1), view(), "bid not whole DAI"),
        (pool(), auction(bid=BID + RAY), view(), "bid not whole DAI"),  # a wad, not whole DAI
        (pool(price=100 * WAD), auction(), view(), "lot too small for the pool's price"),
        (pool(dai=50_000 * WAD - 1), auction(), view(), "not enough free DAI"),
    ]
    for p, a, v, reason in cases:
        check = can_enter(p, a, v)
        assert not check.ok and check.reason == reason, (reason, check)


def test_finalize_reasons():
    mine_open = auction(guy=POOL_A, tic=NOW + 5)
    assert finalize_reason(pool(active=[1]), mine_open, view()) is None
    assert finalize_reason(pool(), auction(guy=OTHER), view()) is None  # not ours
    assert finalize_reason(pool(active=[1]), auction(guy=OTHER), view()) == "outbid"
    gone = auction(guy=ZERO, lot=0, end=0, bid=0)
    assert finalize_reason(pool(active=[1]), gone, view()) == "dealt by someone else"
    assert finalize_reason(pool(active=[1]), mine_open, view(live=False)) == (
        "flopper caged: yank the bid")
    assert finalize_reason(pool(active=[1]), auction(guy=POOL_A, tic=NOW), view()) is None
    assert finalize_reason(pool(active=[1]), auction(guy=POOL_A, tic=NOW - 1), view()) == "won"
    ended = auction(guy=POOL_A, tic=NOW + 50, end=NOW - 1)
    assert finalize_reason(pool(active=[1]), ended, view()) == "won"


def test_plan_gives_each_auction_to_the_pool_asking_least():
    p_low, p_high = pool(POOL_A, price=210 * WAD), pool(POOL_B, price=240 * WAD)
    out = plan(view([auction()], [p_low, p_high]))
    assert [(d.action, d.pool) for d in out.decisions] == [(Action.ENTER, POOL_B)]


def test_plan_counts_dai_committed_earlier_in_the_block():
    rich_for_one = pool(dai=60_000 * WAD)
    out = plan(view([auction(1), auction(2)], [rich_for_one]))
    assert [d.auction_id for d in out.decisions] == [1]


def test_plan_falls_back_to_a_pool_that_can_pay():
    poor = pool(POOL_B, price=240 * WAD, dai=0)
    out = plan(view([auction()], [pool(POOL_A, price=210 * WAD), poor]))
    assert [d.pool for d in out.decisions] == [POOL_A]


def test_plan_never_repeats_what_is_in_flight():
    v = view([auction(1), auction(2, guy=OTHER, tic=NOW - 1)], [pool(active=[2])])
    out = plan(v, in_flight=[(POOL_A, "enter", 1), (POOL_A, "finalize", 2)])
    assert out.decisions == []
    assert {d.key for d, _ in out.skipped} == {(POOL_A, "finalize", 2)}
    # an enter in flight for one pool holds the others back from that auction too
    out = plan(view([auction(1)], [pool(POOL_A), pool(POOL_B)]), in_flight=[(POOL_B, "enter", 1)])
    assert out.decisions == []


def test_plan_ticks_only_when_asked():
    expired = auction(end=NOW - 1)
    assert plan(view([expired], [pool(price=100 * WAD)])).decisions == []
    out = plan(view([expired], [pool(price=100 * WAD)]), tick=True)
    assert [(d.action, d.pool, d.auction_id) for d in out.decisions] == [(Action.TICK, None, 1)]


def test_plan_finalizes_before_entering():
    v = view([auction(1, guy=OTHER), auction(2)], [pool(active=[1])])
    out = plan(v)
    assert [(d.action, d.auction_id) for d in out.decisions] == [
        (Action.FINALIZE, 1), (Action.ENTER, 2)]


def test_the_default_fee_cap_follows_the_dai_at_stake_and_the_tip_rises_under_competition():
    from backstop.keeper import Keeper, KeeperSettings
    from backstop.keeper.decide import Action, Decision

    pool = "0x" + "ab" * 20
    keeper = Keeper(None, None, None, KeeperSettings(pools=(pool,), dry_run=True))  # type: ignore[arg-type]
    big = Decision(Action.ENTER, 1, pool, "", ask=200 * 10**18, bid=50_000 * 10**18)
    small = Decision(Action.ENTER, 2, pool, "", ask=2 * 10**18, bid=500 * 10**18)
    tick = Decision(Action.TICK, 3, None, "")
    caps, tip = keeper._fees([big, small, tick], None)
    # 50,000 DAI x 0.1% = 50 DAI = 1/60 ETH at 3,000 DAI/ETH, over 200,000 gas: 83.3 gwei
    assert caps[0] == 50_000 * 10**18 // 1_000 // 3_000 // 200_000
    assert 83 * 10**9 < caps[0] < 84 * 10**9
    assert caps[1] == caps[2] == 5 * 10**9  # the floor
    assert tip is None
    with_cap = Keeper(None, None, None, KeeperSettings(pools=(pool,), dry_run=True,  # type: ignore[arg-type]
                                                       max_fee_gwei="40"))
    assert with_cap._fees([big], None)[0] == [None]  # --max-fee-gwei: the sender's cap


def test_keepers_split_auctions_and_take_over_a_quiet_share():
    from backstop.keeper import Keeper, KeeperSettings
    from backstop.keeper.decide import Action, Decision

    pool = "0x" + "ab" * 20
    keeper = Keeper(None, None, None, KeeperSettings(  # type: ignore[arg-type]
        pools=(pool,), dry_run=True, keepers=3, keeper_index=1, takeover_blocks=2))
    ds = [Decision(Action.ENTER, i, pool, "") for i in range(6)]
    assert [d.auction_id for d in keeper._my_share(ds, 10)] == [1, 4]
    assert [d.auction_id for d in keeper._my_share(ds, 11)] == [1, 4]
    assert [d.auction_id for d in keeper._my_share(ds, 12)] == list(range(6))  # quiet: taken
    assert [d.auction_id for d in keeper._my_share(ds[:1], 13)] == [0]
    assert [d.auction_id for d in keeper._my_share(ds, 14)] == [0, 1, 4]  # 2, 3, 5 anew


def test_min_price_is_the_lot_rule_solved_for_the_price():
    import random

    from backstop.keeper.decide import lot_suits_price, min_price
    from backstop.pool.rules import ask_for, bid_bookable, lot_allows

    rng = random.Random(5)
    WAD, RAD = 10**18, 10**45
    for _ in range(3_000):
        bid = rng.choice([rng.randint(1, 200_000) * RAD, rng.randint(1, 10**50), 0])
        lot = rng.choice([rng.randint(1, 1_000) * WAD, rng.randint(0, 10**22)])
        beg = rng.choice([WAD * 105 // 100, WAD, 0, WAD * 3 // 2])
        price = rng.choice([rng.randint(1, 1_000) * WAD, rng.randint(1, 10**24)])
        for p in (price, min_price(bid, lot, beg), (min_price(bid, lot, beg) or 2) - 1):
            if p is None or p < 1:
                continue
            expected = bid_bookable(bid) and lot_allows(ask_for(bid, p)[0], lot, beg)
            assert lot_suits_price(p, bid, lot, beg) == expected, (bid, lot, beg, p)
