"""Where the current dss Flopper and the 2019 one differ: kiss on the first dent, and whether a
bidder that already leads pays again."""

from __future__ import annotations

import boa

from backstop.units import RAD, WAD

from .core import SUMP


def test_first_dent_kisses_on_the_current_flopper(core, bidders):
    id_ = core.kick()
    sin = core.vat.sin(core.vow.address)
    assert core.vow.Ash() == SUMP
    core.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]):
        core.flopper.dent(id_, 240 * WAD, SUMP)
    assert core.vow.Ash() == 0
    assert core.vat.dai(core.vow.address) == 0  # the DAI paid went straight into heal
    assert core.vat.sin(core.vow.address) == sin - SUMP


def test_first_dent_does_not_kiss_on_the_2019_flopper(core_2019, bidders):
    id_ = core_2019.kick()
    sin = core_2019.vat.sin(core_2019.vow.address)
    core_2019.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]):
        core_2019.flopper.dent(id_, 240 * WAD, SUMP)
    assert core_2019.vow.Ash() == SUMP
    assert core_2019.vat.dai(core_2019.vow.address) == SUMP
    assert core_2019.vat.sin(core_2019.vow.address) == sin
    core_2019.vow.kiss(SUMP)  # anyone may cancel it afterwards
    assert core_2019.vow.Ash() == 0


def test_later_dents_do_not_kiss_again(core, bidders):
    first_id = core.kick()
    second_id = core.kick()
    assert core.vow.Ash() == 2 * SUMP
    first, second, _ = bidders
    core.ready_bidder(first)
    core.ready_bidder(second)
    with boa.env.prank(first):
        core.flopper.dent(first_id, 240 * WAD, SUMP)
    with boa.env.prank(second):
        core.flopper.dent(first_id, 230 * WAD, SUMP)
    assert core.vow.Ash() == SUMP  # only the first auction's first dent kissed
    assert core.vat.dai(first) == SUMP
    assert core.bid(second_id)[2] == core.vow.address


def test_kiss_is_capped_by_ash(core, bidders):
    with boa.env.prank(core.deployer):  # kicked by hand: nothing booked as Ash
        id_ = core.flopper.kick(core.vow.address, 250 * WAD, 10 * RAD)
    core.ready_bidder(bidders[0], 10 * RAD)
    with boa.env.prank(bidders[0]):
        core.flopper.dent(id_, 200 * WAD, 10 * RAD)
    assert core.vow.Ash() == 0
    assert core.vat.dai(core.vow.address) == 10 * RAD


def test_leader_redents_for_free_on_the_current_flopper(core, bidders):
    id_ = core.kick()
    core.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]):
        core.flopper.dent(id_, 240 * WAD, SUMP)
        assert core.vat.dai(bidders[0]) == 0
        core.flopper.dent(id_, 230 * WAD, SUMP)  # no DAI left: nothing is moved
    assert core.bid(id_)[1:3] == (230 * WAD, bidders[0])


def test_leader_pays_itself_on_the_2019_flopper(core_2019, bidders):
    id_ = core_2019.kick()
    core_2019.ready_bidder(bidders[0])
    with boa.env.prank(bidders[0]):
        core_2019.flopper.dent(id_, 240 * WAD, SUMP)
        with boa.reverts():  # the move from itself to itself still needs the DAI
            core_2019.flopper.dent(id_, 230 * WAD, SUMP)
    core_2019.give_dai(bidders[0], SUMP)
    with boa.env.prank(bidders[0]):
        core_2019.flopper.dent(id_, 230 * WAD, SUMP)
    assert core_2019.vat.dai(bidders[0]) == SUMP  # paid to itself: no net change
    assert core_2019.bid(id_)[1:3] == (230 * WAD, bidders[0])
