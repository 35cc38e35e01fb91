"""The keeper's hand-made calldata and decoders (the hot path that skips web3's ABI layer)."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from backstop.keeper import reader
from backstop.keeper.reader import (
    BIDS,
    KICK_TOPIC,
    calldata,
    decode_address_array,
    decode_bids,
    decode_uint_array,
)

GUY = "0x" + "ab" * 20


def test_selectors_and_calldata_match_the_abi():
    from eth_utils.abi import function_abi_to_4byte_selector

    from backstop.artifacts import get_artifact

    # each hand-made selector against the function of that name in the compiled ABI
    wanted = {
        "maker/flopper": {"BIDS": "bids", "KICKS": "kicks", "LIVE": "live", "BEG": "beg",
                          "TICK": "tick"},
        "pool/pool": {"POOL_PRICE": "price", "POOL_FLOPPER": "flopper", "POOL_CEASED": "ceased",
                      "POOL_AVAILABLE": "getAvailableDaiBalance",
                      "POOL_ACTIVE": "getActiveAuctions", "ENTER": "enterAuction",
                      "FINALIZE": "finalizeAuction"},
        "pool/factory": {"FACTORY_POOLS": "get_pools", "POOL_FLOPPER": "flopper"},
    }
    for artifact, constants in wanted.items():
        abi = {e["name"]: e for e in get_artifact(artifact).abi if e.get("type") == "function"}
        for constant, name in constants.items():
            assert getattr(reader, constant) == function_abi_to_4byte_selector(abi[name]), (
                artifact, constant)
    assert calldata(BIDS, 7) == "0x" + BIDS.hex() + encode(["uint256"], [7]).hex()


def test_kick_topic_is_the_flopper_event():
    from backstop.artifacts import get_artifact

    (kick,) = [e for e in get_artifact("maker/flopper").abi
               if e.get("type") == "event" and e["name"] == "Kick"]
    signature = "Kick(" + ",".join(i["type"] for i in kick["inputs"]) + ")"
    assert "0x" + keccak(text=signature).hex() == KICK_TOPIC


def test_decode_bids():
    raw = encode(["uint256", "uint256", "address", "uint48", "uint48"],
                 [50_000 * 10**45, 250 * 10**18, GUY, 11, 22])
    a = decode_bids(3, raw)
    assert (a.id, a.bid, a.lot, a.tic, a.end) == (3, 50_000 * 10**45, 250 * 10**18, 11, 22)
    assert a.guy.lower() == GUY and a.exists
    assert not decode_bids(4, bytes(160)).exists  # dealt: all zeros


def test_decode_arrays():
    assert decode_uint_array(encode(["uint256[]"], [[1, 5, 9]])) == (1, 5, 9)
    assert decode_uint_array(encode(["uint256[]"], [[]])) == ()
    (pool,) = decode_address_array(encode(["address[]"], [[GUY]]))
    assert pool.lower() == GUY

