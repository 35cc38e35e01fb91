"""Vow, the flop path: every require with its reason, and the books it keeps."""

from __future__ import annotations

import boa
from eth_abi import decode, encode

from backstop.units import RAD

from .core import DUMP, SUMP, TAU, WAIT, b32

FILE_ADDRESS = bytes.fromhex("d4e8be83")  # file(bytes32,address)


def test_ward_only_functions(core, outsider):
    vow = core.vow
    with boa.env.prank(outsider):
        for call in (
            lambda: vow.rely(outsider),
            lambda: vow.deny(core.deployer),
            lambda: vow.file(b32("sump"), 1),
            lambda: vow.fess(RAD),
            lambda: vow.cage(),
        ):
            with boa.reverts("Vow/not-authorized"):
                call()


def test_rely_and_deny(core, outsider):
    with boa.env.prank(core.deployer):
        core.vow.rely(outsider)
        assert core.vow.wards(outsider) == 1
        core.vow.deny(outsider)
    assert core.vow.wards(outsider) == 0


def test_rely_refused_after_cage(core, outsider):
    with boa.env.prank(core.deployer):
        core.vow.cage()
        with boa.reverts("Vow/not-live"):
            core.vow.rely(outsider)


def test_file_uint_parameters(core):
    vow = core.vow
    assert (vow.wait(), vow.dump(), vow.sump()) == (WAIT, DUMP, SUMP)
    with boa.env.prank(core.deployer):
        for i, what in enumerate(("wait", "bump", "sump", "dump", "hump"), start=1):
            vow.file(b32(what), i)
        with boa.reverts("Vow/file-unrecognized-param"):
            vow.file(b32("flopper"), 1)
    assert (vow.wait(), vow.bump(), vow.sump(), vow.dump(), vow.hump()) == (1, 2, 3, 4, 5)


def _raw(vow, sender: str, data: bytes) -> str | None:
    """Send raw calldata to the Vow; return the revert reason, or None when it succeeded."""
    computation = boa.env.execute_code(to_address=vow.address, sender=sender, data=data)
    if not computation.is_error:
        return None
    output = computation.output
    assert output[:4] == bytes.fromhex("08c379a0"), output  # Error(string)
    (reason,) = decode(["string"], output[4:])
    return reason


def test_file_address_through_the_fallback(core, outsider):
    vow = core.vow
    data = FILE_ADDRESS + encode(["bytes32", "address"], [b32("flopper"), outsider])
    assert _raw(vow, outsider, data) == "Vow/not-authorized"
    assert _raw(vow, core.deployer, data) is None
    assert vow.flopper() == outsider
    wrong = FILE_ADDRESS + encode(["bytes32", "address"], [b32("vat"), outsider])
    assert _raw(vow, core.deployer, wrong) == "Vow/file-unrecognized-param"
    assert _raw(vow, core.deployer, b"\x12\x34\x56\x78") == "Vow/unknown-function"
    assert _raw(vow, core.deployer, b"") == "Vow/unknown-function"


def test_fess_queues_debt_at_now(core):
    era = boa.env.timestamp
    with boa.env.prank(core.deployer):
        core.vow.fess(3 * RAD)
        core.vow.fess(2 * RAD)
    assert core.vow.sin(era) == 5 * RAD
    assert core.vow.Sin() == 5 * RAD


def test_flog_waits_for_wait(core):
    era = boa.env.timestamp
    with boa.env.prank(core.deployer):
        core.vow.fess(5 * RAD)
    boa.env.time_travel(seconds=WAIT - 1)
    with boa.reverts("Vow/wait-not-finished"):
        core.vow.flog(era)
    boa.env.time_travel(seconds=1)
    core.vow.flog(era)
    assert core.vow.sin(era) == 0
    assert core.vow.Sin() == 0


def test_heal_needs_surplus(core):
    core.bad_debt(10 * RAD)
    with boa.reverts("Vow/insufficient-surplus"):
        core.vow.heal(RAD)


def test_heal_needs_free_debt(core):
    core.give_dai(core.vow.address, 10 * RAD)
    with boa.env.prank(core.deployer):
        core.vat.suck(core.vow.address, core.deployer, 10 * RAD)
        core.vow.fess(10 * RAD)  # all of it queued
    with boa.reverts("Vow/insufficient-debt"):
        core.vow.heal(RAD)


def test_heal_cancels_surplus_against_debt(core):
    core.bad_debt(10 * RAD)
    core.give_dai(core.vow.address, 4 * RAD)
    core.vow.heal(4 * RAD)
    assert core.vat.sin(core.vow.address) == 6 * RAD
    assert core.vat.dai(core.vow.address) == 0


def test_kiss_needs_ash_then_surplus(core):
    with boa.reverts("Vow/not-enough-ash"):
        core.vow.kiss(1)
    core.kick()
    with boa.reverts("Vow/insufficient-surplus"):
        core.vow.kiss(1)
    core.give_dai(core.vow.address, RAD)
    core.vow.kiss(RAD)
    assert core.vow.Ash() == SUMP - RAD
    assert core.vat.dai(core.vow.address) == 0


def test_flop_needs_free_debt_of_sump(core):
    core.bad_debt(SUMP - 1)
    with boa.reverts("Vow/insufficient-debt"):
        core.vow.flop()


def test_flop_ignores_queued_debt(core):
    core.bad_debt(SUMP)
    with boa.env.prank(core.deployer):
        core.vow.fess(1)
    with boa.reverts("Vow/insufficient-debt"):
        core.vow.flop()


def test_flop_needs_no_surplus(core):
    core.bad_debt(2 * SUMP)
    core.give_dai(core.vow.address, 1)
    with boa.reverts("Vow/surplus-not-zero"):
        core.vow.flop()


def test_flop_books_ash_and_kicks_dump_for_sump(core, outsider):
    core.bad_debt(2 * SUMP)
    with boa.env.prank(outsider):  # anyone may flop
        id_ = core.vow.flop()
    assert id_ == 1
    assert core.vow.Ash() == SUMP
    assert core.bid(id_) == (SUMP, DUMP, core.vow.address, 0, boa.env.timestamp + TAU)
    core.vow.flop()
    with boa.reverts("Vow/insufficient-debt"):  # 2 * sump of debt: both on auction now
        core.vow.flop()


def test_cage_forgets_books_cages_flopper_and_heals(core):
    core.bad_debt(3 * SUMP)
    core.kick()
    with boa.env.prank(core.deployer):
        core.vow.fess(RAD)
    core.give_dai(core.vow.address, 2 * RAD)
    sin = core.vat.sin(core.vow.address)
    with boa.env.prank(core.deployer):
        core.vow.cage()
        with boa.reverts("Vow/not-live"):
            core.vow.cage()
    assert (core.vow.live(), core.vow.Sin(), core.vow.Ash()) == (0, 0, 0)
    assert core.flopper.live() == 0
    assert core.flopper.vow() == core.vow.address
    assert core.vat.dai(core.vow.address) == 0
    assert core.vat.sin(core.vow.address) == sin - 2 * RAD


def test_cage_takes_back_the_flappers_dai_and_cages_it(core):
    """dss's Vow.cage calls flapper.cage(vat.dai(flapper)): the Flapper stops and its Vat DAI
    comes back to the Vow before the final heal (the Vow hoped the Flapper at construction)."""
    assert core.vat.can(core.vow.address, core.flapper.address) == 1
    core.bad_debt(5 * RAD)
    core.give_dai(core.flapper.address, 3 * RAD)
    sin = core.vat.sin(core.vow.address)
    with boa.env.prank(core.deployer):
        core.vow.cage()
    assert core.flapper.live() == 0
    assert core.vat.dai(core.flapper.address) == 0
    # the Flapper's 3 RAD reached the Vow and healed as much of its debt
    assert core.vat.sin(core.vow.address) == sin - 3 * RAD
    assert core.vat.dai(core.vow.address) == 0


def test_file_flapper_moves_the_vat_permission(core, outsider):
    data = FILE_ADDRESS + encode(["bytes32", "address"], [b32("flapper"), outsider])
    with boa.env.prank(core.deployer):
        boa.env.raw_call(core.vow.address, sender=core.deployer, data=data)
    assert core.vow.flapper() == outsider
    assert core.vat.can(core.vow.address, core.flapper.address) == 0
    assert core.vat.can(core.vow.address, outsider) == 1
