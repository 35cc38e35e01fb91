"""Flopper: every require with its reason, on both the current and the 2019 version."""

from __future__ import annotations

import boa
from hypothesis import given
from hypothesis import strategies as st

from backstop.units import RAD, WAD

from .core import BEG, DUMP, PAD, SUMP, TAU, TTL, b32, factory

ONE = 10**18


def _kick(core, lot: int = DUMP, bid: int = SUMP) -> int:
    """Kick directly as a ward, with the Vow as gal (no Ash booked)."""
    with boa.env.prank(core.deployer):
        return core.flopper.kick(core.vow.address, lot, bid)


def _kick_and_bid(core, bidder: str) -> int:
    """Kick, and let ``bidder`` take the lead asking 200 MKR for the ``sump`` DAI."""
    id_ = _kick(core)
    core.ready_bidder(bidder)
    with boa.env.prank(bidder):
        core.flopper.dent(id_, 200 * WAD, SUMP)
    return id_


# ---- auth and parameters -------------------------------------------------------------------


def test_ward_only_functions(any_core, outsider):
    flopper = any_core.flopper
    with boa.env.prank(outsider):
        for call in (
            lambda: flopper.rely(outsider),
            lambda: flopper.deny(any_core.deployer),
            lambda: flopper.file(b32("beg"), ONE),
            lambda: flopper.kick(outsider, DUMP, SUMP),
            lambda: flopper.cage(),
        ):
            with boa.reverts("Flopper/not-authorized"):
                call()


def test_rely_and_deny(any_core, outsider):
    with boa.env.prank(any_core.deployer):
        any_core.flopper.rely(outsider)
        assert any_core.flopper.wards(outsider) == 1
        any_core.flopper.deny(outsider)
    assert any_core.flopper.wards(outsider) == 0


def test_file_sets_each_parameter(any_core):
    flopper = any_core.flopper
    assert (flopper.beg(), flopper.pad(), flopper.ttl(), flopper.tau()) == (BEG, PAD, TTL, TAU)
    with boa.env.prank(any_core.deployer):
        flopper.file(b32("beg"), 105 * 10**16)
        flopper.file(b32("pad"), 150 * 10**16)
        flopper.file(b32("ttl"), 3_600)
        flopper.file(b32("tau"), 7_200)
        with boa.reverts("Flopper/file-unrecognized-param"):
            flopper.file(b32("vow"), 1)
        with boa.reverts():  # ttl and tau are uint48 as in dss, but never silently truncated
            flopper.file(b32("ttl"), 2**48)
    assert (flopper.beg(), flopper.pad(), flopper.ttl(), flopper.tau()) == (
        105 * 10**16,
        150 * 10**16,
        3_600,
        7_200,
    )


def test_fresh_flopper_has_dss_defaults(any_core):
    flopper = factory(any_core.flopper_name).deploy(any_core.vat.address, any_core.mkr.address)
    assert (flopper.beg(), flopper.pad(), flopper.ttl(), flopper.tau()) == (
        105 * 10**16,
        150 * 10**16,
        3 * 3_600,
        2 * 86_400,
    )
    assert (flopper.kicks(), flopper.live(), flopper.vow()) == (0, 1, "0x" + "00" * 20)
    assert (flopper.vat(), flopper.gem()) == (any_core.vat.address, any_core.mkr.address)


# ---- kick ----------------------------------------------------------------------------------


def test_kick_books_the_auction_and_logs_kick(any_core):
    id_ = _kick(any_core, lot=7 * WAD, bid=9 * RAD)
    (kick,) = any_core.flopper.get_logs()
    assert (kick.id, kick.lot, kick.bid, str(kick.gal)) == (
        1,
        7 * WAD,
        9 * RAD,
        any_core.vow.address,
    )
    assert id_ == 1
    assert any_core.flopper.kicks() == 1
    end = boa.env.timestamp + TAU
    assert any_core.bid(1) == (9 * RAD, 7 * WAD, any_core.vow.address, 0, end)
    assert _kick(any_core) == 2


def test_kick_refused_when_caged(any_core):
    with boa.env.prank(any_core.deployer):
        any_core.flopper.cage()
        with boa.reverts("Flopper/not-live"):
            any_core.flopper.kick(any_core.vow.address, DUMP, SUMP)


def test_kick_refuses_to_overflow_the_id(any_core):
    layout = any_core.flopper.compiler_data.storage_layout["storage_layout"]["flop_auction"]
    boa.env.set_storage(any_core.flopper.address, layout["kicks"]["slot"], 2**256 - 1)
    with boa.env.prank(any_core.deployer), boa.reverts("Flopper/overflow"):
        any_core.flopper.kick(any_core.vow.address, DUMP, SUMP)


# ---- tick ----------------------------------------------------------------------------------


def test_tick_refused_until_the_auction_ends(any_core):
    id_ = _kick(any_core)
    boa.env.time_travel(seconds=TAU)  # now == end: not yet finished (end < now is required)
    with boa.reverts("Flopper/not-finished"):
        any_core.flopper.tick(id_)


def test_tick_grows_the_lot_by_pad_and_restarts(any_core):
    id_ = _kick(any_core)
    boa.env.time_travel(seconds=TAU + 1)
    any_core.flopper.tick(id_)
    assert any_core.bid(id_) == (
        SUMP,
        DUMP * PAD // ONE,
        any_core.vow.address,
        0,
        boa.env.timestamp + TAU,
    )


def test_tick_refused_once_bid(any_core, bidders):
    id_ = _kick_and_bid(any_core, bidders[0])
    boa.env.time_travel(seconds=TAU + 1)
    with boa.reverts("Flopper/bid-already-placed"):
        any_core.flopper.tick(id_)


# ---- dent ----------------------------------------------------------------------------------


def test_dent_refused_when_caged(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0])
    with boa.env.prank(any_core.deployer):
        any_core.flopper.cage()
    with boa.env.prank(bidders[0]), boa.reverts("Flopper/not-live"):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)


def test_dent_refused_without_guy(any_core, bidders):
    any_core.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]), boa.reverts("Flopper/guy-not-set"):
        any_core.flopper.dent(1, 200 * WAD, SUMP)


def test_dent_refused_once_the_high_bid_expired(any_core, bidders):
    id_ = _kick(any_core)
    first, second, _ = bidders
    any_core.ready_bidder(first)
    any_core.ready_bidder(second)
    with boa.env.prank(first):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)
    boa.env.time_travel(seconds=TTL)  # now == tic: expired (tic > now is required)
    with boa.env.prank(second), boa.reverts("Flopper/already-finished-tic"):
        any_core.flopper.dent(id_, 190 * WAD, SUMP)


def test_dent_refused_once_the_auction_ended(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0])
    boa.env.time_travel(seconds=TAU)  # now == end
    with boa.env.prank(bidders[0]), boa.reverts("Flopper/already-finished-end"):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)


def test_dent_refuses_another_bid_amount(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0], 2 * SUMP)
    with boa.env.prank(bidders[0]):
        for wrong in (SUMP - 1, SUMP + 1):
            with boa.reverts("Flopper/not-matching-bid"):
                any_core.flopper.dent(id_, 200 * WAD, wrong)


def test_dent_refuses_a_lot_not_lower(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]), boa.reverts("Flopper/lot-not-lower"):
        any_core.flopper.dent(id_, DUMP, SUMP)


def test_dent_refuses_a_decrease_below_beg(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0])
    just_too_much = DUMP * ONE // BEG + 1
    with boa.env.prank(bidders[0]), boa.reverts("Flopper/insufficient-decrease"):
        any_core.flopper.dent(id_, just_too_much, SUMP)


def test_dent_needs_hope(any_core, bidders):
    id_ = _kick(any_core)
    any_core.give_dai(bidders[0], SUMP)
    with boa.env.prank(bidders[0]), boa.reverts("Vat/not-allowed"):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)


def test_dent_needs_the_dai(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0], SUMP - 1)
    with boa.env.prank(bidders[0]), boa.reverts():
        any_core.flopper.dent(id_, 200 * WAD, SUMP)
    assert any_core.bid(id_)[2] == any_core.vow.address


def test_dent_pays_the_previous_guy_and_takes_the_lead(any_core, bidders):
    id_ = _kick(any_core)
    first, second, _ = bidders
    any_core.ready_bidder(first)
    any_core.ready_bidder(second)
    with boa.env.prank(first):
        any_core.flopper.dent(id_, 240 * WAD, SUMP)
    assert any_core.vat.dai(first) == 0
    with boa.env.prank(second):
        any_core.flopper.dent(id_, 230 * WAD, SUMP)
    assert any_core.vat.dai(first) == SUMP  # refunded at once, in the Vat
    assert any_core.vat.dai(second) == 0
    assert any_core.bid(id_) == (
        SUMP,
        230 * WAD,
        second,
        boa.env.timestamp + TTL,
        any_core.bid(id_)[4],
    )


@given(
    lot0=st.integers(min_value=2, max_value=10**30),
    beg=st.integers(min_value=ONE + 1, max_value=2 * ONE),
)
def test_dent_accepted_exactly_up_to_the_beg_boundary(core, lot0, beg):
    """The largest lot accepted is floor(lot0 * ONE / beg) (when below lot0); one more is not."""
    boundary = min(lot0 * ONE // beg, lot0 - 1)
    with boa.env.anchor():
        with boa.env.prank(core.deployer):
            core.flopper.file(b32("beg"), beg)
        id_ = _kick(core, lot=lot0, bid=RAD)
        bidder = boa.env.generate_address("bidder")
        core.ready_bidder(bidder, RAD)
        with boa.env.prank(bidder):
            if boundary + 1 < lot0:
                with boa.reverts("Flopper/insufficient-decrease"):
                    core.flopper.dent(id_, boundary + 1, RAD)
            core.flopper.dent(id_, boundary, RAD)
        assert core.bid(id_)[1] == boundary


# ---- deal ----------------------------------------------------------------------------------


def test_deal_refused_without_a_bid_even_after_end(any_core):
    id_ = _kick(any_core)
    boa.env.time_travel(seconds=TAU + 1)
    with boa.reverts("Flopper/not-finished"):
        any_core.flopper.deal(id_)


def test_deal_refused_while_the_high_bid_runs(any_core, bidders):
    id_ = _kick_and_bid(any_core, bidders[0])
    boa.env.time_travel(seconds=TTL)  # now == tic: deal needs tic < now
    with boa.reverts("Flopper/not-finished"):
        any_core.flopper.deal(id_)


def test_deal_refused_when_caged(any_core, bidders):
    id_ = _kick_and_bid(any_core, bidders[0])
    boa.env.time_travel(seconds=TTL + 1)
    with boa.env.prank(any_core.deployer):
        any_core.flopper.cage()
    with boa.reverts("Flopper/not-live"):
        any_core.flopper.deal(id_)


def test_deal_mints_the_lot_to_the_winner_and_deletes(any_core, bidders, outsider):
    id_ = _kick_and_bid(any_core, bidders[0])
    boa.env.time_travel(seconds=TTL + 1)
    with boa.env.prank(outsider):  # anyone may deal
        any_core.flopper.deal(id_)
    assert any_core.mkr.balanceOf(bidders[0]) == 200 * WAD
    assert any_core.mkr.totalSupply() == 200 * WAD
    assert any_core.bid(id_) == (0, 0, "0x" + "00" * 20, 0, 0)


def test_deal_at_auction_end_even_if_the_bid_is_fresh(any_core, bidders):
    id_ = _kick(any_core)
    any_core.ready_bidder(bidders[0])
    boa.env.time_travel(seconds=TAU - 60)
    with boa.env.prank(bidders[0]):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)
    boa.env.time_travel(seconds=61)  # end < now < tic
    any_core.flopper.deal(id_)
    assert any_core.mkr.balanceOf(bidders[0]) == 200 * WAD


# ---- cage and yank -------------------------------------------------------------------------


def test_cage_remembers_the_caller_as_vow(any_core):
    with boa.env.prank(any_core.deployer):
        any_core.flopper.cage()
    assert any_core.flopper.live() == 0
    assert any_core.flopper.vow() == any_core.deployer


def test_yank_refused_while_live(any_core):
    id_ = _kick(any_core)
    with boa.reverts("Flopper/still-live"):
        any_core.flopper.yank(id_)


def test_yank_refused_without_guy(any_core):
    with boa.env.prank(any_core.deployer):
        any_core.vow.cage()
    with boa.reverts("Flopper/guy-not-set"):
        any_core.flopper.yank(1)


def test_yank_refunds_the_high_bidder_with_new_dai_charged_to_the_vow(any_core, bidders):
    id_ = any_core.kick()
    any_core.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]):
        any_core.flopper.dent(id_, 200 * WAD, SUMP)
    with boa.env.prank(any_core.deployer):
        any_core.vow.cage()
    assert any_core.flopper.vow() == any_core.vow.address
    sin = any_core.vat.sin(any_core.vow.address)
    any_core.flopper.yank(id_)
    assert any_core.vat.dai(bidders[0]) == SUMP
    assert any_core.vat.sin(any_core.vow.address) == sin + SUMP
    assert any_core.bid(id_) == (0, 0, "0x" + "00" * 20, 0, 0)
