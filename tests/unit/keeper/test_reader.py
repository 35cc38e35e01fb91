"""The keeper's hand-made calldata and decoders (the hot path that skips web3's ABI layer)."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from backstop.keeper.reader import (
    BIDS,
    KICK_TOPIC,
    calldata,
    decode_address_array,
    decode_bids,
    decode_uint_array,
    selector,
)

GUY = "0x" + "ab" * 20


def test_selectors_and_calldata_match_the_abi():
    assert selector("enterAuction(uint256)") == keccak(text="enterAuction(uint256)")[:4]
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


def test_every_hand_made_call_exists_in_the_contracts():
    from backstop.artifacts import get_artifact

    wanted = {
        "maker/flopper": ["bids(uint256)", "kicks()", "live()", "beg()", "tick(uint256)"],
        "pool/pool": ["price()", "flopper()", "ceased()", "getAvailableDaiBalance()",
                      "getActiveAuctions()", "enterAuction(uint256)", "finalizeAuction(uint256)"],
        "pool/factory": ["get_pools()", "flopper()"],
    }
    for name, signatures in wanted.items():
        have = {f"{e['name']}(" + ",".join(i["type"] for i in e["inputs"]) + ")"
                for e in get_artifact(name).abi if e.get("type") == "function"}
        assert set(signatures) <= have, (name, set(signatures) - have)
