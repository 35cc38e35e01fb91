"""Batched reads for the keeper: one JSON-RPC batch per block for the block header, the Flopper,
every pool and every followed auction, all pinned to the same block number.

Calls are encoded by hand (fixed selectors, uint256 arguments only) because the keeper makes
them every block: no ABI machinery on the hot path. Where the chain has Multicall3 at its
usual address (public chains; ``backstop.chain.dev.install_multicall3`` on anvil and the
in-process chain) the auctions' ``bids(id)`` go through ``aggregate3``, 256 to an ``eth_call``.
Everything the keeper reads of a pool each block is built and decoded in ONE function,
``pool_reads`` (the pool's ABI may change; only that function needs to follow it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from backstop.chain.batch import result_of, send_batch
from backstop.chain.dev import MULTICALL3
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
POOL_ACTIVE_FROM = selector("getActiveAuctionsFrom(uint256,uint256)")
POOL_PAGE = 1_000  # getActiveAuctionsFrom(start, n) lists at most this many
FACTORY_POOLS = selector("get_pools(uint256,uint256)")
POOLS_PAGE = 1_000  # the factory's largest page; a keeper watches far fewer pools
AGGREGATE3 = selector("aggregate3((address,bool,bytes)[])")
MULTICALL_CHUNK = 256  # calls per aggregate3 (the most backstop's own Multicall3 takes)
MULTICALL_MIN = 8  # fewer reads than this go as plain eth_calls
ENTER = selector("enterAuction(uint256)")
FINALIZE = selector("finalizeAuction(uint256)")
TICK = selector("tick(uint256)")


def calldata(sel: bytes, *args: int) -> str:
    """0x-hex calldata: a selector and uint256 arguments."""
    return "0x" + sel.hex() + "".join(int(a).to_bytes(32, "big").hex() for a in args)


def encode_aggregate3(target: str, datas: Sequence[bytes]) -> str:
    """0x-hex calldata of ``aggregate3`` calling ``target`` with each of ``datas``, every call
    allowed to fail (by hand: the keeper builds it every block)."""
    n = len(datas)
    parts = [AGGREGATE3.hex(), _w(32), _w(n)]
    offset = 32 * n
    bodies = []
    for data in datas:
        key = (target, data)
        body = _ELEMENTS.get(key)
        if body is None:
            if len(_ELEMENTS) > 100_000:
                _ELEMENTS.clear()
            padded = -(-len(data) // 32) * 32
            body = _ELEMENTS[key] = ("00" * 12 + target[2:].lower() + _w(1) + _w(96)
                                     + _w(len(data)) + data.hex() + "00" * (padded - len(data)))
        parts.append(_w(offset))
        offset += len(body) // 2
        bodies.append(body)
    return "0x" + "".join(parts) + "".join(bodies)


_ELEMENTS: dict[tuple[str, bytes], str] = {}  # one call's encoding (the same every block)


def decode_aggregate3(raw: bytes) -> list[tuple[bool, bytes]]:
    """``aggregate3``'s ``(bool success, bytes returnData)[]``."""
    try:
        base = int.from_bytes(raw[0:32], "big")
        n = int.from_bytes(raw[base:base + 32], "big")
        start = base + 32
        out = []
        for k in range(n):
            at = start + int.from_bytes(raw[start + 32 * k:start + 32 * k + 32], "big")
            ok = any(raw[at:at + 32])
            data_at = at + int.from_bytes(raw[at + 32:at + 64], "big")
            length = int.from_bytes(raw[data_at:data_at + 32], "big")
            data = raw[data_at + 32:data_at + 32 + length]
            if len(data) != length:
                raise ValueError("short return data")
            out.append((ok, data))
    except (ValueError, IndexError) as exc:
        raise RpcError(f"aggregate3: malformed answer ({exc})") from None
    return out


def _w(n: int) -> str:
    return f"{n:064x}"


def _word(raw: bytes, i: int = 0) -> int:
    return int.from_bytes(raw[32 * i:32 * i + 32], "big")


def _address(raw: bytes, i: int = 0) -> str:
    return to_checksum_address(raw[32 * i + 12:32 * i + 32])


def decode_bids(auction_id: int, raw: bytes) -> AuctionView:
    """``bids(id) -> (bid, lot, guy, tic, end)``; ``guy`` in lower case (no checksum: this
    runs for every followed auction every block)."""
    if len(raw) < 160:
        raise RpcError(f"flopper.bids({auction_id}) answered {len(raw)} bytes, not 160")
    return AuctionView(auction_id, int.from_bytes(raw[0:32], "big"),
                       int.from_bytes(raw[32:64], "big"), "0x" + raw[76:96].hex(),
                       int.from_bytes(raw[96:128], "big"), int.from_bytes(raw[128:160], "big"))


def decode_uint_array(raw: bytes) -> tuple[int, ...]:
    """``uint256[]`` return data (by hand: every pool's positions, every block)."""
    try:
        at = int.from_bytes(raw[0:32], "big")
        n = int.from_bytes(raw[at:at + 32], "big")
        start = at + 32
        if len(raw) < start + 32 * n:
            raise ValueError("short")
    except ValueError:
        raise RpcError(f"expected a uint256[], got {len(raw)} bytes") from None
    return tuple(int.from_bytes(raw[k:k + 32], "big") for k in range(start, start + 32 * n, 32))


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
    listing_full: bool = False  # the pages read did not reach the end: there are more
    pages: tuple[int, ...] = (0,)  # where each page of the listing starts (next block)


PoolDecoder = Callable[[Sequence[Any]], PoolReading]


def pool_reads(pool: str, tag: str, *, positions: bool = True, pages: Sequence[int] = (0,),
               ceased: bool = False, available: bool = False
               ) -> tuple[list[tuple[str, list[Any]]], PoolDecoder]:
    """THE one place that knows how the keeper reads a pool each block: the requests for
    ``pool`` at block ``tag`` and the function that turns their results (in order) into a
    ``PoolReading``.

    ``positions``: the auctions it holds a position in, listed in pages of at most 1,000
    (``getActiveAuctionsFrom(start, 1000)``) from each of ``pages`` (the first from the
    pool's frontier; the others where the pages of the block before said to go on: an index
    only ever gains positions at the end, so no position falls between pages). When the last
    page says there is more, ``listing_full`` is set and the reading's ``pages`` ends with
    where the next page starts (``ChainReader.read_pages`` reads it). ``ceased`` and
    ``available``: its status and free DAI.
    """
    starts = sorted(set(pages)) if positions else []
    requests: list[tuple[str, list[Any]]] = [
        _call(pool, calldata(POOL_ACTIVE_FROM, start, POOL_PAGE), tag) for start in starts]
    if ceased:
        requests.append(_call(pool, calldata(POOL_CEASED), tag))
    if available:
        requests.append(_call(pool, calldata(POOL_AVAILABLE), tag))

    def decode(results: Sequence[Any]) -> PoolReading:
        k = 0
        listed: set[int] = set()
        full = False
        following = list(starts[:1])
        for start in starts:
            ids, after = decode_page(results[k], pool, start)
            k += 1
            listed.update(ids)
            full = after != 0
            if after and after not in following:
                following.append(after)
        following.sort()
        is_ceased = free = None
        if ceased:
            is_ceased = bool(_word(_bytes(results[k], f"{pool}.ceased()")))
            k += 1
        if available:
            free = _word(_bytes(results[k], f"{pool}.getAvailableDaiBalance()"))
            k += 1
        return PoolReading(pool, is_ceased, free, tuple(sorted(listed)), full,
                           tuple(following) or (0,))

    return requests, decode


def decode_page(result: Any, pool: str, start: int) -> tuple[tuple[int, ...], int]:
    """``getActiveAuctionsFrom(start, 1000)``'s answer: the ids, and where the next page
    starts (0: the listing ends here)."""
    raw = _bytes(result, f"{pool}.getActiveAuctionsFrom({start}, {POOL_PAGE})")
    return decode_uint_array(raw), _word(raw, 1)


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
    if not isinstance(result, str) or result[:2] != "0x":
        raise RpcError(f"{what}: unexpected answer {result!r}")
    try:
        return bytes.fromhex(result[2:])
    except ValueError:
        raise RpcError(f"{what}: unexpected answer {result[:40]!r}") from None


def hex_int(value: Any, what: str) -> int:
    """A JSON-RPC quantity, or ``RpcError`` naming ``what`` for anything else (null too)."""
    if isinstance(value, str):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(f"{what}: the node answered {value!r}, not a number")


def decode_header(block: Any, number: int) -> Header:
    """What the keeper needs of ``eth_getBlockByNumber``; ``RpcError`` if the answer is
    missing (the node is behind) or malformed."""
    if not block:
        raise RpcError(f"block {number} is not there (yet): the node may be behind")
    if not isinstance(block, dict):
        raise RpcError(f"block {number}: the node answered {block!r}")
    try:
        return Header(hex_int(block.get("number"), "block number"),
                      hex_int(block.get("timestamp"), "block timestamp"), str(block["hash"]),
                      str(block["parentHash"]),
                      hex_int(block.get("baseFeePerGas") or "0x0", "base fee"))
    except KeyError as exc:
        raise RpcError(f"block {number}: no {exc} in the node's answer") from None


class ChainReader:
    """Reads the Flopper, the pools and the auctions in one batch per block."""

    def __init__(self, w3: Web3, flopper: str, factory: str | None = None,
                 multicall: str | None = None) -> None:
        self.w3 = w3
        self.flopper = to_checksum_address(flopper)
        self.factory = to_checksum_address(factory) if factory else None
        self.multicall = multicall

    def detect_multicall(self) -> str | None:
        """Read the auctions through Multicall3 if the chain has it at its usual address."""
        (code,) = rpc_batch(self.w3, [("eth_getCode", [MULTICALL3, "latest"])])
        self.multicall = MULTICALL3 if isinstance(code, str) and len(code) > 2 else None
        return self.multicall

    def _bids_requests(self, ids: Sequence[int], tag: str
                       ) -> tuple[list[tuple[str, list[Any]]], Callable[[Sequence[Any]],
                                                                          dict[int, AuctionView]]]:
        """The requests for ``bids(id)`` of every id (through Multicall3 when there is one:
        one call per 256 auctions) and their decoder."""
        if self.multicall is None or len(ids) < MULTICALL_MIN:
            requests = [_call(self.flopper, calldata(BIDS, i), tag) for i in ids]

            def plain(res: Sequence[Any]) -> dict[int, AuctionView]:
                return {i: decode_bids(i, _bytes(r, f"flopper.bids({i})"))
                        for i, r in zip(ids, res, strict=True)}

            return requests, plain
        chunks = [ids[k:k + MULTICALL_CHUNK] for k in range(0, len(ids), MULTICALL_CHUNK)]
        prefix = BIDS
        requests = [_call(self.multicall, encode_aggregate3(
            self.flopper, [prefix + i.to_bytes(32, "big") for i in chunk]), tag)
            for chunk in chunks]

        def multi(res: Sequence[Any]) -> dict[int, AuctionView]:
            out = {}
            for chunk, r in zip(chunks, res, strict=True):
                answers = decode_aggregate3(_bytes(r, "multicall3.aggregate3"))
                if len(answers) != len(chunk):
                    raise RpcError(f"aggregate3 answered {len(answers)} of {len(chunk)} calls")
                for i, (ok, data) in zip(chunk, answers, strict=True):
                    if not ok:
                        raise RpcError(f"flopper.bids({i}) failed inside aggregate3")
                    out[i] = decode_bids(i, data)
            return out

        return requests, multi

    def block_number(self) -> int:
        """``eth_blockNumber`` (one request)."""
        (number,) = rpc_batch(self.w3, [("eth_blockNumber", [])])
        return hex_int(number, "eth_blockNumber")

    def read(self, number: int, pools: Sequence[str], auction_ids: Iterable[int], *,
             beg: bool = True, ceased: Iterable[str] | None = None,
             available: Iterable[str] | None = None,
             pages: dict[str, Sequence[int]] | None = None) -> Reading:
        """The header of block ``number`` and every read at that block, in one batch (cut in
        chunks the node accepts).

        Every pool's positions are always read (``pool_reads``); ``beg`` and each pool's
        ``ceased`` and free DAI only when asked (``None``: for every pool), as they rarely
        change and every call costs the in-process chain a full EVM execution. ``pages``: per
        pool, where each page of its listing starts (``PoolReading.pages`` of the block
        before; from the frontier only, if not given).
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
        decoders: list[tuple[int, int, PoolDecoder]] = []
        for pool in pools:
            reqs, decode = pool_reads(pool, tag, ceased=pool in ceased_set,
                                      pages=(pages or {}).get(pool, (0,)),
                                      available=pool in available_set)
            decoders.append((len(requests), len(reqs), decode))
            requests += reqs
        start_bids = len(requests)
        bids_requests, decode_bids_answers = self._bids_requests(ids, tag)
        requests += bids_requests
        res = rpc_batch(self.w3, requests)
        header = decode_header(res[0], number)
        k = 3
        beg_value = None
        if beg:
            beg_value = _word(_bytes(res[k], "flopper.beg()"))
            k += 1
        factory_pools = None
        if self.factory:
            factory_pools = decode_address_array(_bytes(res[k], "factory.get_pools()"))
            k += 1
        readings = tuple(decode(res[at:at + n]) for at, n, decode in decoders)
        auctions = decode_bids_answers(res[start_bids:])
        return Reading(header, _word(_bytes(res[1], "flopper.kicks()")),
                       bool(_word(_bytes(res[2], "flopper.live()"))), beg_value,
                       readings, factory_pools, auctions)

    def read_more(self, number: int, auction_ids: Iterable[int],
                  pools: Iterable[str] = ()) -> tuple[dict[int, AuctionView],
                                                      dict[str, tuple[bool, int]]]:
        """``bids(id)`` of some auctions and ``(ceased, free DAI)`` of some pools at block
        ``number`` (one batch)."""
        ids = sorted(set(auction_ids))
        pool_list = sorted(set(pools))
        tag = hex(number)
        requests, decode_bids_answers = self._bids_requests(ids, tag)
        n_bids = len(requests)
        decoders: list[tuple[int, int, PoolDecoder]] = []
        for pool in pool_list:
            reqs, decode = pool_reads(pool, tag, positions=False, ceased=True, available=True)
            decoders.append((len(requests), len(reqs), decode))
            requests += reqs
        res = rpc_batch(self.w3, requests)
        auctions = decode_bids_answers(res[:n_bids])
        state = {}
        for at, n, decode in decoders:
            pr = decode(res[at:at + n])
            state[pr.address] = (bool(pr.ceased), pr.available_dai or 0)
        return auctions, state

    def read_pages(self, number: int, starts: dict[str, int]
                   ) -> dict[str, tuple[tuple[int, ...], int]]:
        """One page of each pool's listing at block ``number``, from ``starts[pool]`` (one
        batch): its ids and where the next page starts (0: none)."""
        pools = sorted(starts)
        tag = hex(number)
        res = rpc_batch(self.w3, [_call(p, calldata(POOL_ACTIVE_FROM, starts[p], POOL_PAGE), tag)
                                  for p in pools])
        return {p: decode_page(r, p, starts[p]) for p, r in zip(pools, res, strict=True)}

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
