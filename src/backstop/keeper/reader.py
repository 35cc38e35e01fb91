"""Batched reads for the keeper: one JSON-RPC batch per block for the block header, the Flopper,
every pool and every followed auction, all pinned to the same block number.

Calls are encoded by hand (fixed selectors, one uint256 argument at most) because the keeper
makes them every block: no ABI machinery on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from backstop.chain.batch import result_of, send_batch
from backstop.chain.errors import Revert, RpcError
from backstop.keeper.decide import AuctionView

KICK_TOPIC = "0x" + keccak(text="Kick(uint256,uint256,uint256,address)").hex()


def selector(signature: str) -> bytes:
    """The 4-byte function selector of ``signature`` ("bids(uint256)")."""
    return keccak(text=signature)[:4]


BIDS = selector("bids(uint256)")
KICKS = selector("kicks()")
LIVE = selector("live()")
BEG = selector("beg()")
POOL_PRICE = selector("price()")
POOL_FLOPPER = selector("flopper()")
POOL_CEASED = selector("ceased()")
POOL_AVAILABLE = selector("getAvailableDaiBalance()")
POOL_ACTIVE = selector("getActiveAuctions()")
FACTORY_POOLS = selector("get_pools(uint256,uint256)")
POOLS_PAGE = 1_000  # the factory's largest page; a keeper watches far fewer pools
ENTER = selector("enterAuction(uint256)")
FINALIZE = selector("finalizeAuction(uint256)")
TICK = selector("tick(uint256)")


def calldata(sel: bytes, *args: int) -> str:
    """0x-hex calldata: a selector and uint256 arguments."""
    return "0x" + sel.hex() + "".join(int(a).to_bytes(32, "big").hex() for a in args)


def _word(raw: bytes, i: int = 0) -> int:
    return int.from_bytes(raw[32 * i:32 * i + 32], "big")


def _address(raw: bytes, i: int = 0) -> str:
    return to_checksum_address(raw[32 * i + 12:32 * i + 32])


def decode_bids(auction_id: int, raw: bytes) -> AuctionView:
    """``bids(id) -> (bid, lot, guy, tic, end)``."""
    return AuctionView(auction_id, _word(raw, 0), _word(raw, 1), _address(raw, 2),
                       _word(raw, 3), _word(raw, 4))


def decode_uint_array(raw: bytes) -> tuple[int, ...]:
    """``uint256[]`` return data."""
    return tuple(int(x) for x in abi_decode(["uint256[]"], raw)[0])


def decode_address_array(raw: bytes) -> tuple[str, ...]:
    """``address[]`` return data."""
    return tuple(to_checksum_address(a) for a in abi_decode(["address[]"], raw)[0])


@dataclass(frozen=True)
class Header:
    """What the keeper needs of a block header."""

    number: int
    timestamp: int
    hash: str
    parent_hash: str
    base_fee: int


@dataclass(frozen=True)
class PoolReading:
    """One pool's per-block reads."""

    address: str
    ceased: bool | None  # None: not read this block
    available_dai: int | None  # None: not read this block
    active: tuple[int, ...]


@dataclass(frozen=True)
class Reading:
    """Everything one block's batch returned."""

    header: Header
    kicks: int
    live: bool
    beg: int | None  # None: not read this block
    pools: tuple[PoolReading, ...]
    factory_pools: tuple[str, ...] | None
    auctions: dict[int, AuctionView]


def rpc_batch(w3: Web3, requests: Sequence[tuple[str, list[Any]]]) -> list[Any]:
    """One JSON-RPC batch request; the results in order.

    Raises ``RpcUnavailable`` if the node cannot be reached, ``RpcError`` for an error answer;
    an ``eth_call`` that reverts comes back as a ``Revert`` value.
    """
    out = send_batch(w3, requests)
    return [result_of(method, resp) for (method, _), resp in zip(requests, out, strict=True)]


def _call(to: str, data: str, block: str) -> tuple[str, list[Any]]:
    return ("eth_call", [{"to": to, "data": data}, block])


def _bytes(result: Any, what: str) -> bytes:
    if isinstance(result, Revert):
        raise RpcError(f"{what} reverted: {result.reason}")
    if not isinstance(result, str):
        raise RpcError(f"{what}: unexpected answer {result!r}")
    return bytes.fromhex(result[2:])


class ChainReader:
    """Reads the Flopper, the pools and the auctions in one batch per block."""

    def __init__(self, w3: Web3, flopper: str, factory: str | None = None) -> None:
        self.w3 = w3
        self.flopper = to_checksum_address(flopper)
        self.factory = to_checksum_address(factory) if factory else None

    def block_number(self) -> int:
        """``eth_blockNumber`` (one request)."""
        (number,) = rpc_batch(self.w3, [("eth_blockNumber", [])])
        return int(number, 16)

    def read(self, number: int, pools: Sequence[str], auction_ids: Iterable[int], *,
             beg: bool = True, ceased: Iterable[str] | None = None,
             available: Iterable[str] | None = None) -> Reading:
        """The header of block ``number`` and every read at that block, in one batch.

        Every pool's active auctions are always read; ``beg`` and each pool's ``ceased`` and
        free DAI only when asked (``None``: for every pool), as they rarely change and every
        call costs the in-process chain a full EVM execution.
        """
        tag = hex(number)
        ids = sorted(set(auction_ids))
        ceased_set = set(pools if ceased is None else ceased)
        available_set = set(pools if available is None else available)
        requests: list[tuple[str, list[Any]]] = [
            ("eth_getBlockByNumber", [tag, False]),
            _call(self.flopper, calldata(KICKS), tag),
            _call(self.flopper, calldata(LIVE), tag),
        ]
        if beg:
            requests.append(_call(self.flopper, calldata(BEG), tag))
        if self.factory:
            requests.append(_call(self.factory, calldata(FACTORY_POOLS, 0, POOLS_PAGE), tag))
        for pool in pools:
            requests.append(_call(pool, calldata(POOL_ACTIVE), tag))
            if pool in ceased_set:
                requests.append(_call(pool, calldata(POOL_CEASED), tag))
            if pool in available_set:
                requests.append(_call(pool, calldata(POOL_AVAILABLE), tag))
        requests += [_call(self.flopper, calldata(BIDS, i), tag) for i in ids]
        res = rpc_batch(self.w3, requests)
        block = res[0]
        if not block:
            raise RpcError(f"block {number} is not there (yet): the node may be behind")
        header = Header(int(block["number"], 16), int(block["timestamp"], 16), block["hash"],
                        block["parentHash"], int(block.get("baseFeePerGas") or "0x0", 16))
        k = 3
        beg_value = None
        if beg:
            beg_value = _word(_bytes(res[k], "flopper.beg()"))
            k += 1
        factory_pools = None
        if self.factory:
            factory_pools = decode_address_array(_bytes(res[k], "factory.get_pools()"))
            k += 1
        readings = []
        for pool in pools:
            active = decode_uint_array(_bytes(res[k], "pool.getActiveAuctions()"))
            k += 1
            is_ceased = None
            if pool in ceased_set:
                is_ceased = bool(_word(_bytes(res[k], "pool.ceased()")))
                k += 1
            free = None
            if pool in available_set:
                free = _word(_bytes(res[k], "pool.getAvailableDaiBalance()"))
                k += 1
            readings.append(PoolReading(pool, is_ceased, free, active))
        auctions = {i: decode_bids(i, _bytes(r, f"flopper.bids({i})"))
                    for i, r in zip(ids, res[k:], strict=True)}
        return Reading(header, _word(_bytes(res[1], "flopper.kicks()")),
                       bool(_word(_bytes(res[2], "flopper.live()"))), beg_value,
                       tuple(readings), factory_pools, auctions)

    def read_more(self, number: int, auction_ids: Iterable[int],
                  pools: Iterable[str] = ()) -> tuple[dict[int, AuctionView],
                                                      dict[str, tuple[bool, int]]]:
        """``bids(id)`` of some auctions and ``(ceased, free DAI)`` of some pools at block
        ``number`` (one batch)."""
        ids = sorted(set(auction_ids))
        pool_list = sorted(set(pools))
        tag = hex(number)
        requests = [_call(self.flopper, calldata(BIDS, i), tag) for i in ids]
        for pool in pool_list:
            requests += [_call(pool, calldata(POOL_CEASED), tag),
                         _call(pool, calldata(POOL_AVAILABLE), tag)]
        res = rpc_batch(self.w3, requests)
        auctions = {i: decode_bids(i, _bytes(r, f"flopper.bids({i})"))
                    for i, r in zip(ids, res, strict=False)}
        k = len(ids)
        state = {}
        for pool in pool_list:
            state[pool] = (bool(_word(_bytes(res[k], "pool.ceased()"))),
                           _word(_bytes(res[k + 1], "pool.getAvailableDaiBalance()")))
            k += 2
        return auctions, state

    def pool_constants(self, pools: Sequence[str]) -> dict[str, tuple[int, str]]:
        """``(price, flopper)`` of each pool (one batch)."""
        requests = []
        for pool in pools:
            requests += [_call(pool, calldata(POOL_PRICE), "latest"),
                         _call(pool, calldata(POOL_FLOPPER), "latest")]
        res = rpc_batch(self.w3, requests)
        out = {}
        for i, pool in enumerate(pools):
            price = _word(_bytes(res[2 * i], f"{pool}.price()"))
            out[pool] = (price, _address(_bytes(res[2 * i + 1], f"{pool}.flopper()")))
        return out

    def kick_ids(self, from_block: int, to_block: int, chunk: int) -> list[int]:
        """Ids of every ``Kick`` of the Flopper in ``[from_block, to_block]``, ``chunk`` blocks
        per ``eth_getLogs``."""
        ids: list[int] = []
        start = from_block
        while start <= to_block:
            end = min(start + chunk - 1, to_block)
            (logs,) = rpc_batch(self.w3, [("eth_getLogs", [{
                "address": self.flopper, "fromBlock": hex(start), "toBlock": hex(end),
                "topics": [KICK_TOPIC]}])])
            for log in logs or []:
                data = bytes.fromhex(log["data"][2:])
                ids.append(_word(data, 0))
            start = end + 1
        return ids


def pool_flopper(w3: Web3, pool: str) -> str:
    """The Flopper a pool bids in."""
    (res,) = rpc_batch(w3, [_call(to_checksum_address(pool), calldata(POOL_FLOPPER), "latest")])
    return _address(_bytes(res, f"{pool}.flopper()"))


def factory_pools(w3: Web3, factory: str) -> tuple[str, ...]:
    """Every pool the factory made."""
    (res,) = rpc_batch(w3, [_call(to_checksum_address(factory),
                                  calldata(FACTORY_POOLS, 0, POOLS_PAGE), "latest")])
    return decode_address_array(_bytes(res, "factory.get_pools()"))
