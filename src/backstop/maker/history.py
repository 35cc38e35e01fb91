"""Each debt auction's history, rebuilt from logs: the kick, every bid (bidder, lot, price, time)
where the logs allow, and how it ended (dealt to whom, or yanked, and when).

One module for the dashboard and ``backstop auctions --all``. A dealt auction is deleted from
the Flopper (``bids(id)`` reads all zeros), so only the logs remember it. It reads, on the
Flopper's address:

- ``Kick(id, lot, bid, gal)``: the start (the Flopper's own event, here and in dss).
- dss's anonymous ``LogNote`` (``LibNote``): topic0 the 4-byte selector left-aligned, topic1 the
  caller, topic2 and topic3 the first two arguments, data the ABI ``bytes`` of the calldata.
  ``dent(id, lot, bid)`` is a bid by the caller, ``deal(id)`` the settlement (the winner is the
  last bidder; the caller may be anyone), ``yank(id)`` the refund after global settlement.
  Mainnet's Flopper emits these; our local Flopper may or may not (both are handled).

and, where the Flopper's logs are silent (our local Flopper before it notes):

- the pools' ``AuctionEntered(auctionId, mkrAsk, daiBid)``: a bid by that pool;
- the pools' ``PositionSettled(auctionId, dai, mkr)`` with MKR: that pool won and was dealt;
- MKR's ``Mint(guy, wad)``: a deal to ``guy`` of ``wad`` MKR (the Flopper is the only minter
  that matters here), matched to the auction whose last known bid it pays;
- ``observe(...)``: the Flopper's current state of a running auction, which gives its last bid
  (time = ``tic - ttl``) and its restarts (time = ``end - tau``) even without any log.

An auction deleted with no log saying how is ``"closed"`` (dealt or yanked, not known).

``AuctionBook`` is incremental (``apply`` logs as they come, in chain order); ``read_history``
reads a block range in chunks and returns the book. Amounts are integers (``Wad``/``Rad``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from backstop.units import RAY, Rad, Wad, price_of

LOG_CHUNK = 10_000
"""Blocks per ``eth_getLogs`` request."""


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def _note_topic(signature: str) -> str:
    """LibNote's topic0: the function's selector left-aligned in 32 bytes."""
    return "0x" + keccak(text=signature)[:4].hex() + "00" * 28


KICK = _topic("Kick(uint256,uint256,uint256,address)")
NOTE_DENT = _note_topic("dent(uint256,uint256,uint256)")
NOTE_DEAL = _note_topic("deal(uint256)")
NOTE_YANK = _note_topic("yank(uint256)")
NOTE_TICK = _note_topic("tick(uint256)")
MKR_MINT = _topic("Mint(address,uint256)")
# The pool's events (the only place this module knows the pool; the lead's redesign may
# rename them: adapt here).
POOL_ENTERED = _topic("AuctionEntered(uint256,uint256,uint256)")
POOL_SETTLED = _topic("PositionSettled(uint256,uint256,uint256)")
# the redesigned pool's (auctionId and a position index indexed; data dai, mkr as before)
POOL_SETTLED_INDEXED = _topic("PositionSettled(uint256,uint256,uint256,uint256)")

FLOPPER_TOPICS = (KICK, NOTE_DENT, NOTE_DEAL, NOTE_YANK, NOTE_TICK)
POOL_TOPICS = (POOL_ENTERED, POOL_SETTLED, POOL_SETTLED_INDEXED)


@dataclass
class Bid:
    """One bid: who asked for how little MKR for the auction's fixed DAI, and when."""

    bidder: str
    lot: Wad
    bid: Rad
    time: int | None
    block: int | None
    tx: str | None
    source: str  # "note" (LogNote dent), "pool" (a pool's AuctionEntered), "state" (observed
    # from the Flopper), "deal" (known only from the deal's mint: its time is not)

    @property
    def price(self) -> Wad:
        """DAI per MKR of this bid."""
        return price_of(self.bid, self.lot)

    def as_json(self) -> dict[str, Any]:
        return {
            "bidder": self.bidder,
            "lot": str(self.lot),
            "bid": str(self.bid.to_wad()),
            "price": str(self.price),
            "time": self.time,
            "block": self.block,
            "tx": self.tx,
            "source": self.source,
        }


@dataclass
class AuctionHistory:
    """One auction from its kick to its end."""

    id: int
    lot: Wad | None = None  # the lot at the kick
    bid: Rad | None = None  # the fixed DAI bid
    gal: str | None = None
    kicked_time: int | None = None
    kicked_block: int | None = None
    restarts: list[tuple[int | None, Wad | None]] = field(default_factory=list)
    bids: list[Bid] = field(default_factory=list)
    ended: str | None = None  # None while running; "dealt", "yanked" or "closed" (not known how)
    ended_time: int | None = None
    ended_block: int | None = None
    ended_tx: str | None = None
    winner: str | None = None
    won_lot: Wad | None = None

    @property
    def last_bid(self) -> Bid | None:
        return self.bids[-1] if self.bids else None

    @property
    def price(self) -> Wad | None:
        """The price of the winning (or current high) bid, None before any bid."""
        lot = self.won_lot or (self.last_bid.lot if self.last_bid else None)
        bid = self.bid or (self.last_bid.bid if self.last_bid else None)
        return price_of(bid, lot) if lot and bid and lot.raw else None

    def points(self) -> list[tuple[int, Wad, Rad]]:
        """(time, lot, bid) at each change of the auction's price: kick, restarts, bids."""
        pts: list[tuple[int, Wad, Rad]] = []
        if self.kicked_time is not None and self.lot and self.bid:
            pts.append((self.kicked_time, self.lot, self.bid))
        for t, lot in self.restarts:
            if t is not None and lot and self.bid:
                pts.append((t, lot, self.bid))
        for b in self.bids:
            if b.time is not None:
                pts.append((b.time, b.lot, b.bid))
        pts.sort(key=lambda p: p[0])
        return pts

    def as_json(self) -> dict[str, Any]:
        """Decimal strings for the API and ``--json``."""
        price = self.price
        return {
            "id": self.id,
            "kicked": {
                "time": self.kicked_time,
                "block": self.kicked_block,
                "lot": str(self.lot) if self.lot else None,
                "bid": str(self.bid.to_wad()) if self.bid else None,
                "gal": self.gal,
            },
            "restarts": [{"time": t, "lot": str(lot) if lot else None} for t, lot in self.restarts],
            "bids": [b.as_json() for b in self.bids],
            "ended": self.ended,
            "ended_time": self.ended_time,
            "ended_block": self.ended_block,
            "ended_tx": self.ended_tx,
            "winner": self.winner,
            "won_lot": str(self.won_lot) if self.won_lot else None,
            "price": str(price) if price else None,
        }


def _hex(b: Any) -> str:
    if isinstance(b, str):
        return b.lower() if b.startswith("0x") else "0x" + b.lower()
    return "0x" + bytes(b).hex()


def _int(topic: Any) -> int:
    return int(_hex(topic), 16)


def _address(topic: Any) -> str:
    return to_checksum_address("0x" + _hex(topic)[-40:])


def _note_bid(data: bytes) -> int | None:
    """The third argument of a noted dent, from LibNote's data (ABI ``bytes`` of the calldata;
    also accepted: the bare calldata). None when the data does not carry it."""
    calldata = data
    with contextlib.suppress(Exception):
        (calldata,) = abi_decode(["bytes"], data)
    if len(calldata) >= 100:
        return int.from_bytes(calldata[68:100], "big")
    return None


class AuctionBook:
    """Auction histories built from logs in chain order (see the module docs)."""

    def __init__(self, flopper: str, pools: Sequence[str] = (), mkr: str | None = None) -> None:
        self.flopper = to_checksum_address(flopper)
        self.pools = {to_checksum_address(p) for p in pools}
        self.mkr = to_checksum_address(mkr) if mkr else None
        self.auctions: dict[int, AuctionHistory] = {}
        self.noted = False  # the Flopper notes dents: the pools' bid events are then duplicates
        self._seen: set[tuple[str, int]] = set()  # (tx, log index) applied
        # MKR mints no known bid explains: (guy, wad, (time, block, tx)); see resolve_mints
        self.unmatched: list[tuple[str, Wad, tuple[int | None, int, str | None]]] = []
        # pools paid back their DAI without MKR: (auction, ctx); see resolve_settles
        self.settles: list[tuple[int, tuple[int | None, int, str | None]]] = []

    # ---------------------------------------------------------------- what to ask the node
    def addresses(self) -> list[str]:
        """The contracts whose logs the book reads."""
        return [self.flopper, *sorted(self.pools), *([self.mkr] if self.mkr else [])]

    def topics(self) -> list[str]:
        """topic0 values the book reads (one ``eth_getLogs`` filter position)."""
        return [*FLOPPER_TOPICS, *POOL_TOPICS, *([MKR_MINT] if self.mkr else [])]

    def get(self, auction: int) -> AuctionHistory:
        return self.auctions.setdefault(auction, AuctionHistory(auction))

    # ---------------------------------------------------------------- logs
    def apply(self, logs: Iterable[Mapping[str, Any]], times: Mapping[int, int]) -> None:
        """Logs in chain order; ``times`` maps block numbers to timestamps (missing: None)."""
        for log in logs:
            topics = log.get("topics") or []
            if not topics:
                continue
            key = (_hex(log.get("transactionHash") or b""), int(log.get("logIndex") or 0))
            if key[0] != "0x" and key in self._seen:
                continue
            self._seen.add(key)
            address = to_checksum_address(log["address"])
            block = int(log["blockNumber"])
            ctx = (
                times.get(block),
                block,
                _hex(log["transactionHash"]) if log.get("transactionHash") else None,
            )
            t0 = _hex(topics[0])
            data = (
                bytes(log.get("data") or b"")
                if not isinstance(log.get("data"), str)
                else bytes.fromhex(log["data"][2:])
            )
            if address == self.flopper:
                self._flopper_log(t0, topics, data, ctx)
            elif address in self.pools:
                self._pool_log(address, t0, topics, data, ctx)
            elif address == self.mkr and t0 == MKR_MINT and not self.noted:
                # a noted Flopper's deal note (right after the Mint) says which auction it was;
                # matching the Mint by bidder and lot could pick another one of the same pool
                (wad,) = abi_decode(["uint256"], data)
                self._mint(_address(topics[1]), Wad(wad), ctx)

    def _flopper_log(
        self, t0: str, topics: Sequence[Any], data: bytes, ctx: tuple[int | None, int, str | None]
    ) -> None:
        time, block, tx = ctx
        if t0 == KICK:
            auction, lot, bid = abi_decode(["uint256", "uint256", "uint256"], data)
            a = self.get(auction)
            a.lot, a.bid, a.kicked_time, a.kicked_block = Wad(lot), Rad(bid), time, block
            a.gal = _address(topics[1]) if len(topics) > 1 else None
        elif len(topics) >= 3 and t0 in (NOTE_DENT, NOTE_DEAL, NOTE_YANK, NOTE_TICK):
            self.noted = True
            caller, auction = _address(topics[1]), _int(topics[2])
            a = self.get(auction)
            if t0 == NOTE_DENT and len(topics) >= 4:
                bid = _note_bid(data)
                fixed = a.bid or (Rad(bid) if bid is not None else None)
                if fixed is None:
                    return
                self._add_bid(
                    a,
                    Bid(caller, Wad(_int(topics[3])), fixed, time, block, tx, "note"),
                    replace_sources=("pool", "state"),
                )
            elif t0 == NOTE_TICK:
                a.restarts.append((time, None))
            else:
                self._end(a, "dealt" if t0 == NOTE_DEAL else "yanked", ctx)

    def _pool_log(
        self,
        pool: str,
        t0: str,
        topics: Sequence[Any],
        data: bytes,
        ctx: tuple[int | None, int, str | None],
    ) -> None:
        time, block, tx = ctx
        if t0 == POOL_ENTERED:
            auction, ask, dai = abi_decode(["uint256", "uint256", "uint256"], data)
            a = self.get(auction)
            if any(b.tx == tx and b.source == "note" for b in a.bids if tx):
                return  # the Flopper noted this dent already
            self._add_bid(
                a,
                Bid(pool, Wad(ask), a.bid or Rad(dai * RAY), time, block, tx, "pool"),
                replace_sources=("state",),
            )
        elif t0 in (POOL_SETTLED, POOL_SETTLED_INDEXED) and len(topics) >= 2:
            auction = _int(topics[1])
            dai, mkr = abi_decode(["uint256", "uint256"], data)
            a = self.get(auction)
            if mkr and a.ended is None:  # the pool won: its finalize dealt the auction
                self._end(a, "dealt", ctx, winner=pool, lot=Wad(mkr))
            elif dai and not mkr and a.ended is None and not self.noted:
                # DAI back: outbid (the auction runs on) or yanked after cage (it is gone);
                # the Flopper's state at that block tells (resolve_settles)
                self.settles.append((auction, ctx))

    def _mint(self, guy: str, wad: Wad, ctx: tuple[int | None, int, str | None]) -> None:
        """MKR minted to ``guy``: the deal of the oldest running auction whose last bid it pays."""
        block = ctx[1]
        for a in sorted(self.auctions.values(), key=lambda x: x.id):
            last = a.last_bid
            if (
                a.ended is None
                and last
                and last.bidder == guy
                and last.lot == wad
                and (last.block is None or last.block <= block)
            ):
                self._end(a, "dealt", ctx)
                return
        self.unmatched.append((guy, wad, ctx))

    def deal_by_tx(
        self, auction: int, guy: str, wad: Wad, ctx: tuple[int | None, int, str | None]
    ) -> None:
        """A deal known from its transaction (``deal(auction)`` sent to the Flopper) that minted
        ``wad`` MKR to ``guy``: the winning bid, whose own log our Flopper does not write."""
        a = self.get(auction)
        if a.ended in ("dealt", "yanked"):
            return
        last = a.last_bid
        if not (last and last.bidder == guy and last.lot == wad) and a.bid is not None:
            a.bids.append(Bid(guy, wad, a.bid, None, None, None, "deal"))
        self._end(a, "dealt", ctx, winner=guy, lot=wad)

    def gone_without_mkr(self, auction: int, ctx: tuple[int | None, int, str | None]) -> None:
        """The auction was deleted in the transaction where a pool got its DAI back and no
        MKR: a yank (after cage), never a deal."""
        a = self.get(auction)
        if a.ended not in ("dealt", "yanked"):
            self._end(a, "yanked", ctx)

    def _add_bid(self, a: AuctionHistory, bid: Bid, replace_sources: tuple[str, ...]) -> None:
        last = a.last_bid
        if last and last.bidder == bid.bidder and last.lot == bid.lot:
            if last.source in replace_sources:
                a.bids[-1] = bid  # the same bid, now from a better source
            return
        a.bids.append(bid)

    def _end(
        self,
        a: AuctionHistory,
        how: str,
        ctx: tuple[int | None, int, str | None],
        winner: str | None = None,
        lot: Wad | None = None,
    ) -> None:
        if a.ended in ("dealt", "yanked"):
            return
        a.ended = how
        a.ended_time, a.ended_block, a.ended_tx = ctx
        last = a.last_bid
        if how == "dealt":
            a.winner = winner or (last.bidder if last else None)
            a.won_lot = lot or (last.lot if last else None)
        elif how == "yanked":
            a.winner = None  # the high bidder got the DAI back, no MKR
            a.won_lot = None

    # ---------------------------------------------------------------- the Flopper's state
    def observe(
        self,
        auction: int,
        *,
        bid: int,
        lot: int,
        guy: str,
        tic: int,
        end: int,
        ttl: int,
        tau: int,
        now: int,
    ) -> None:
        """The Flopper's ``bids(auction)`` at time ``now``: a bid or restart the logs did not
        show is added (a bid at ``tic - ttl``, a restart at ``end - tau``); a deleted auction
        with no log saying how it ended is ``"closed"``."""
        a = self.get(auction)
        guy = to_checksum_address(guy)
        if lot == 0 and int(guy, 16) == 0:
            if a.ended is None and (a.kicked_block is not None or a.bids):
                a.ended = "closed"
            return
        if a.bid is None:
            a.bid = Rad(bid)
        if tic:
            b = Bid(guy, Wad(lot), Rad(bid), tic - ttl, None, None, "state")
            self._add_bid(a, b, replace_sources=())
        elif a.restarts and a.restarts[-1][1] is None:  # a noted tick: now its lot is known
            a.restarts[-1] = (a.restarts[-1][0], Wad(lot))
        else:  # no bid yet: a lot other than the kick's (or the last restart's) is a restart
            known = a.restarts[-1][1] if a.restarts else a.lot
            if known is not None and known.raw != lot:
                a.restarts.append((end - tau, Wad(lot)))


def fetch_times(w3: Web3, blocks: Iterable[int], known: dict[int, int]) -> dict[int, int]:
    """Timestamps of ``blocks`` not in ``known`` (one JSON-RPC batch), added to ``known``."""
    from backstop.chain import send_batch

    missing = sorted(set(blocks) - known.keys())
    answers = send_batch(w3, [("eth_getBlockByNumber", [hex(n), False]) for n in missing])
    for n, answer in zip(missing, answers, strict=True):
        result = answer.get("result")
        if result:
            known[n] = int(result["timestamp"], 16)
    return known


DEAL_SELECTOR = keccak(text="deal(uint256)")[:4]


def resolve_mints(w3: Web3, book: AuctionBook) -> None:
    """MKR mints no known bid explains (our Flopper logs no dent): a mint in a transaction that
    called the Flopper's ``deal(id)`` directly is that auction's deal (one batch of
    ``eth_getTransactionByHash``)."""
    from backstop.chain import send_batch

    pending, book.unmatched = book.unmatched, []
    txs = sorted({ctx[2] for _g, _w, ctx in pending if ctx[2]})
    answers = send_batch(w3, [("eth_getTransactionByHash", [tx]) for tx in txs])
    calls: dict[str, int] = {}
    for tx, answer in zip(txs, answers, strict=True):
        t = answer.get("result") or {}
        data = bytes.fromhex((t.get("input") or "0x")[2:])
        if (
            t.get("to")
            and to_checksum_address(t["to"]) == book.flopper
            and data[:4] == DEAL_SELECTOR
            and len(data) >= 36
        ):
            calls[tx] = int.from_bytes(data[4:36], "big")
    for guy, wad, ctx in pending:
        if ctx[2] in calls:
            book.deal_by_tx(calls[ctx[2]], guy, wad, ctx)


BIDS_SELECTOR = keccak(text="bids(uint256)")[:4]


def resolve_settles(w3: Web3, book: AuctionBook) -> None:
    """Pools paid back without MKR: where the Flopper no longer has the auction at that
    block, it was yanked (one batch of ``eth_call`` at those blocks; a node without their state
    leaves them as they were)."""
    from backstop.chain import send_batch

    pending, book.settles = book.settles, []
    requests = [
        (
            "eth_call",
            [
                {
                    "to": book.flopper,
                    "data": "0x" + (BIDS_SELECTOR + auction.to_bytes(32, "big")).hex(),
                },
                hex(ctx[1]),
            ],
        )
        for auction, ctx in pending
    ]
    answers = send_batch(w3, requests)
    for (auction, ctx), answer in zip(pending, answers, strict=True):
        out = answer.get("result")
        if not out or len(out) < 2 + 5 * 64:
            continue
        guy = int(out[2 + 2 * 64 : 2 + 3 * 64], 16)
        if guy == 0:
            book.gone_without_mkr(auction, ctx)


def resolve(w3: Web3, book: AuctionBook) -> None:
    """What the logs alone leave open: deals known from their transaction, yanks from the
    Flopper's state."""
    if book.unmatched:
        resolve_mints(w3, book)
    if book.settles:
        resolve_settles(w3, book)


def scan(
    w3: Web3, book: AuctionBook, start: int, end: int, times: dict[int, int] | None = None
) -> dict[int, int]:
    """Apply the book's logs in blocks ``start..end`` (chunked); returns the block times used."""
    times = {} if times is None else times
    for lo in range(start, end + 1, LOG_CHUNK):
        hi = min(end, lo + LOG_CHUNK - 1)
        logs = w3.eth.get_logs(
            {"fromBlock": lo, "toBlock": hi, "address": book.addresses(), "topics": [book.topics()]}
        )
        fetch_times(w3, (int(log["blockNumber"]) for log in logs), times)
        book.apply(logs, times)
    resolve(w3, book)
    return times


def read_history(
    w3: Web3,
    flopper: str,
    *,
    pools: Sequence[str] = (),
    mkr: str | None = None,
    from_block: int = 0,
    to_block: int | None = None,
) -> AuctionBook:
    """Every auction's history from the logs of ``from_block..to_block`` (default: newest)."""
    book = AuctionBook(flopper, pools, mkr)
    end = w3.eth.block_number if to_block is None else to_block
    scan(w3, book, from_block, end)
    return book
