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
                      "POOL_ACTIVE_FROM": "getActiveAuctionsFrom", "ENTER": "enterAuction",
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



def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def _page(ids: list[int], after: int) -> str:
    return _hex(encode(["uint256[]", "uint256"], [ids, after]))


def test_pool_reads_is_the_one_place_that_reads_a_pool():
    from backstop.keeper.reader import POOL_PAGE, pool_reads

    pool = "0x" + "cd" * 20
    requests, decode = pool_reads(pool, "0x10", ceased=True, available=True)
    assert [r[1][0]["to"] for r in requests] == [pool] * 3
    assert all(r[1][1] == "0x10" for r in requests)
    got = decode([_page(list(range(1, POOL_PAGE + 1)), POOL_PAGE),
                  _hex(encode(["bool"], [False])), _hex(encode(["uint256"], [123]))])
    assert got.listing_full and got.ceased is False and got.available_dai == 123
    assert got.active == tuple(range(1, POOL_PAGE + 1))
    assert got.pages == (0, POOL_PAGE)  # where the next page starts


def test_the_listing_is_read_in_pages_that_follow_the_pool():
    """Each page starts where the page before ended the block before; a page more when the
    last one says there is more, none when the positions fit in fewer; positions from every
    page (an overlap after settlements counts once)."""
    from backstop.keeper.reader import POOL_ACTIVE_FROM, POOL_PAGE, calldata, pool_reads

    pool = "0x" + "cd" * 20
    requests, decode = pool_reads(pool, "latest", pages=(0, 1_000, 2_100))
    assert [r[1][0]["data"] for r in requests] == [
        calldata(POOL_ACTIVE_FROM, start, POOL_PAGE) for start in (0, 1_000, 2_100)]
    first = list(range(10, 1_010))  # settled positions made the first page reach further
    got = decode([_page(first, 1_040), _page(list(range(1_000, 2_000)), 2_150),
                  _page(list(range(2_100, 2_300)), 2_300)])
    assert got.active == tuple(range(10, 2_000)) + tuple(range(2_100, 2_300))
    assert got.listing_full and got.pages == (0, 1_040, 2_150, 2_300)
    got = decode([_page(first, 1_040), _page([1_500], 0), _page([], 0)])
    assert not got.listing_full and got.pages == (0, 1_040)
    assert got.active == (*first, 1_500)


def test_malformed_answers_are_rpc_errors():
    import pytest

    from backstop.chain.errors import RpcError
    from backstop.keeper.reader import decode_header, hex_int

    for bad in (None, 5, "0xzz"):
        with pytest.raises(RpcError):
            hex_int(bad, "x")
    with pytest.raises(RpcError, match="not there"):
        decode_header(None, 3)
    with pytest.raises(RpcError, match="no 'hash'"):
        decode_header({"number": "0x3", "timestamp": "0x1", "parentHash": "0x0"}, 3)
    with pytest.raises(RpcError, match="160"):
        decode_bids(1, b"\x00" * 32)


def test_aggregate3_by_hand_matches_the_abi():
    from eth_abi import decode as abi_decode

    from backstop.keeper.reader import AGGREGATE3, decode_aggregate3, encode_aggregate3

    target = "0x" + "ef" * 20
    datas = [BIDS + (7).to_bytes(32, "big"), b"\x01\x02\x03", b""]
    raw = bytes.fromhex(encode_aggregate3(target, datas)[2:])
    assert raw[:4] == AGGREGATE3
    (calls,) = abi_decode(["(address,bool,bytes)[]"], raw[4:])
    assert [(c[0].lower(), c[1], c[2]) for c in calls] == [(target, True, d) for d in datas]
    answer = encode(["(bool,bytes)[]"], [[(True, b"\xaa" * 160), (False, b""), (True, b"x")]])
    assert decode_aggregate3(answer) == [(True, b"\xaa" * 160), (False, b""), (True, b"x")]


def test_multicall3_reads_the_same_bids_as_plain_calls():
    from backstop.chain import connect
    from backstop.chain.dev import MULTICALL3, install_multicall3
    from backstop.keeper.reader import ChainReader
    from backstop.maker import deploy_core
    from backstop.maker.scenario import kick_auctions

    w3 = connect("inprocess")
    deployer = w3.eth.accounts[0]
    core = deploy_core(w3, deployer)
    ids = kick_auctions(core, 10, sender=deployer)
    plain = ChainReader(w3, core.flopper.address)
    assert plain.detect_multicall() is None
    install_multicall3(w3)
    multi = ChainReader(w3, core.flopper.address)
    assert multi.detect_multicall() == MULTICALL3
    number = w3.eth.block_number
    got = multi.read(number, [], [*ids, 999])
    assert got.auctions == plain.read(number, [], [*ids, 999]).auctions
    assert got.auctions[999].exists is False and all(got.auctions[i].exists for i in ids)


