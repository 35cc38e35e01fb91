"""Vat: wards, hope/nope/move, suck, heal, cage."""

from __future__ import annotations

import boa

from backstop.units import RAD


def test_deployer_is_ward_and_vat_is_live(core):
    assert core.vat.wards(core.deployer) == 1
    assert core.vat.live() == 1


def test_rely_and_deny_need_a_ward(core, outsider):
    with boa.env.prank(outsider), boa.reverts("Vat/not-authorized"):
        core.vat.rely(outsider)
    with boa.env.prank(outsider), boa.reverts("Vat/not-authorized"):
        core.vat.deny(core.deployer)
    with boa.env.prank(core.deployer):
        core.vat.rely(outsider)
    assert core.vat.wards(outsider) == 1
    with boa.env.prank(core.deployer):
        core.vat.deny(outsider)
    assert core.vat.wards(outsider) == 0


def test_rely_and_deny_refused_after_cage(core, outsider):
    with boa.env.prank(core.deployer):
        core.vat.cage()
        with boa.reverts("Vat/not-live"):
            core.vat.rely(outsider)
        with boa.reverts("Vat/not-live"):
            core.vat.deny(core.deployer)


def test_move_by_owner(core, bidders):
    src, dst, _ = bidders
    core.give_dai(src, 10 * RAD)
    with boa.env.prank(src):
        core.vat.move(src, dst, 3 * RAD)
    assert core.vat.dai(src) == 7 * RAD
    assert core.vat.dai(dst) == 3 * RAD


def test_move_needs_hope_and_nope_takes_it_back(core, bidders):
    src, dst, operator = bidders
    core.give_dai(src, 10 * RAD)
    with boa.env.prank(operator), boa.reverts("Vat/not-allowed"):
        core.vat.move(src, dst, RAD)
    with boa.env.prank(src):
        core.vat.hope(operator)
    assert core.vat.can(src, operator) == 1
    with boa.env.prank(operator):
        core.vat.move(src, dst, RAD)
    assert core.vat.dai(dst) == RAD
    with boa.env.prank(src):
        core.vat.nope(operator)
    assert core.vat.can(src, operator) == 0
    with boa.env.prank(operator), boa.reverts("Vat/not-allowed"):
        core.vat.move(src, dst, RAD)


def test_move_more_than_balance_reverts(core, bidders):
    src, dst, _ = bidders
    core.give_dai(src, RAD)
    with boa.env.prank(src), boa.reverts():
        core.vat.move(src, dst, RAD + 1)
    assert core.vat.dai(src) == RAD


def test_suck_is_for_wards_and_books_sin_dai_vice_debt(core, bidders, outsider):
    u, v, _ = bidders
    with boa.env.prank(outsider), boa.reverts("Vat/not-authorized"):
        core.vat.suck(u, v, RAD)
    debt, vice = core.vat.debt(), core.vat.vice()
    with boa.env.prank(core.deployer):
        core.vat.suck(u, v, 5 * RAD)
    assert core.vat.sin(u) == 5 * RAD
    assert core.vat.dai(v) == 5 * RAD
    assert core.vat.dai(u) == 0
    assert core.vat.debt() == debt + 5 * RAD
    assert core.vat.vice() == vice + 5 * RAD


def test_heal_cancels_own_dai_against_own_sin(core, bidders):
    holder = bidders[0]
    with boa.env.prank(core.deployer):
        core.vat.suck(holder, holder, 5 * RAD)
    debt, vice = core.vat.debt(), core.vat.vice()
    with boa.env.prank(holder):
        core.vat.heal(2 * RAD)
    assert core.vat.sin(holder) == 3 * RAD
    assert core.vat.dai(holder) == 3 * RAD
    assert core.vat.debt() == debt - 2 * RAD
    assert core.vat.vice() == vice - 2 * RAD
    with boa.env.prank(holder), boa.reverts():
        core.vat.heal(3 * RAD + 1)


def test_heal_needs_sin_not_only_dai(core, bidders):
    holder = bidders[0]
    core.give_dai(holder, RAD)
    with boa.env.prank(holder), boa.reverts():
        core.vat.heal(RAD)


def test_cage_is_for_wards(core, outsider):
    with boa.env.prank(outsider), boa.reverts("Vat/not-authorized"):
        core.vat.cage()
    with boa.env.prank(core.deployer):
        core.vat.cage()
    assert core.vat.live() == 0
