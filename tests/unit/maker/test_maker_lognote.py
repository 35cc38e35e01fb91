"""dss's LibNote: the noted calls of the Vat, DaiJoin, Flopper, Vow and Dai emit an anonymous
log after their body: topics (selector left-aligned, caller, calldata word 1, word 2), data the
ABI encoding of a 224-byte ``bytes`` holding the zero-padded calldata (288 bytes in all)."""

from __future__ import annotations

import boa
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from backstop.units import RAD, WAD

from .core import SUMP


def _notes(computation, address: str) -> list[tuple[list[int], bytes]]:
    """(topics, data) of the logs ``address`` emitted in ``computation`` (children included)."""
    target = bytes.fromhex(address[2:].lower())
    out = []
    for _id, addr, topics, data in sorted(computation.get_raw_log_entries()):
        if bytes(addr) == target:
            out.append((list(topics), bytes(data)))
    return out


def _expected(signature: str, caller: str, types: list[str], args: list) -> tuple[list[int], bytes]:
    calldata = function_signature_to_4byte_selector(signature) + encode(types, args)
    padded = calldata.ljust(224, b"\0")
    topics = [
        int.from_bytes(calldata[:4], "big") << 224,
        int(caller, 16),
        int.from_bytes(padded[4:36], "big"),
        int.from_bytes(padded[36:68], "big"),
    ]
    return topics, encode(["uint256", "uint256"], [32, 224]) + padded


def test_vat_move_emits_lognote_with_the_calldata(core, bidders):
    src, dst, _ = bidders
    core.give_dai(src, 5 * RAD)
    with boa.env.prank(src):
        core.vat.move(src, dst, 2 * RAD)
    (note,) = _notes(core.vat._computation, core.vat.address)
    assert note == _expected(
        "move(address,address,uint256)", src, ["address", "address", "uint256"], [src, dst, 2 * RAD]
    )
    assert len(note[1]) == 288


def test_hope_and_heal_and_cage_are_noted(core, bidders):
    user = bidders[0]
    with boa.env.prank(user):
        core.vat.hope(core.flopper.address)
    assert _notes(core.vat._computation, core.vat.address) == [
        _expected("hope(address)", user, ["address"], [core.flopper.address])
    ]
    with boa.env.prank(core.deployer):
        core.vat.suck(user, user, RAD)
    with boa.env.prank(user):
        core.vat.heal(RAD)
    assert _notes(core.vat._computation, core.vat.address) == [
        _expected("heal(uint256)", user, ["uint256"], [RAD])
    ]
    with boa.env.prank(core.deployer):
        core.vat.cage()
    assert _notes(core.vat._computation, core.vat.address) == [
        _expected("cage()", core.deployer, [], [])
    ]


def test_a_dent_logs_the_flopper_and_the_vat_note(any_core, bidders):
    core = any_core
    bidder = bidders[0]
    id_ = core.kick()
    core.ready_bidder(bidder)
    lot = core.bid(id_)[1] * 10 // 11
    with boa.env.prank(bidder):
        core.flopper.dent(id_, lot, SUMP)
    computation = core.flopper._computation
    assert _notes(computation, core.flopper.address) == [
        _expected("dent(uint256,uint256,uint256)", bidder, ["uint256"] * 3, [id_, lot, SUMP])
    ]
    vat_notes = _notes(computation, core.vat.address)
    assert vat_notes[0] == _expected(
        "move(address,address,uint256)",
        core.flopper.address,
        ["address", "address", "uint256"],
        [bidder, core.vow.address, SUMP],
    )
    # the current Flopper's first dent also kisses: Vow.kiss and Vat.heal are noted too
    if core.flopper_name == "flopper":
        assert [t[0] for t, _ in vat_notes[1:]] == [
            int.from_bytes(function_signature_to_4byte_selector("heal(uint256)"), "big") << 224
        ]
        assert len(_notes(computation, core.vow.address)) == 1


def test_dai_join_join_and_exit_are_noted(core, bidders):
    user = bidders[0]
    core.give_dai(user, 3 * RAD)
    with boa.env.prank(user):
        core.vat.hope(core.dai_join.address)
        core.dai_join.exit(user, 2 * WAD)
    assert _notes(core.dai_join._computation, core.dai_join.address) == [
        _expected("exit(address,uint256)", user, ["address", "uint256"], [user, 2 * WAD])
    ]
    with boa.env.prank(user):
        core.dai.approve(core.dai_join.address, WAD)
        core.dai_join.join(user, WAD)
    assert _notes(core.dai_join._computation, core.dai_join.address) == [
        _expected("join(address,uint256)", user, ["address", "uint256"], [user, WAD])
    ]


def test_boa_decodes_lognote(core, bidders):
    src, dst, _ = bidders
    core.give_dai(src, RAD)
    with boa.env.prank(src):
        core.vat.move(src, dst, RAD)
    (log,) = core.vat.get_logs()
    assert type(log).__name__ == "LogNote"
    assert str(log.usr) == src
