"""backstop.maker.history from synthetic logs: dss's LogNote (mainnet, and our Flopper once it
notes) and our current events (Kick, the pool's AuctionEntered/PositionSettled, MKR's Mint)."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import keccak

from backstop.maker import history as h
from backstop.units import RAD, WAD, Rad, Wad

FLOP = "0x" + "f1" * 20
POOL = "0x" + "a0" * 20
MKR = "0x" + "4b" * 20
VOW = "0x" + "0a" * 20
BIDDER = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20
KEEPER = "0x" + "cc" * 20


def word(x: int | str) -> bytes:
    if isinstance(x, str):
        return bytes(12) + bytes.fromhex(x[2:])
    return x.to_bytes(32, "big")


def log(
    address: str, topics: list[Any], data: bytes, block: int, index: int = 0, tx: str | None = None
) -> dict[str, Any]:
    return {
        "address": address,
        "topics": [bytes.fromhex(t[2:]) if isinstance(t, str) else t for t in topics],
        "data": data,
        "blockNumber": block,
        "logIndex": index,
        "transactionHash": bytes.fromhex((tx or f"{block:064x}")[-64:]),
    }


def kick(auction: int, lot: int, bid_dai: int, block: int) -> dict[str, Any]:
    return log(
        FLOP,
        [h.KICK, word(VOW)],
        encode(["uint256"] * 3, [auction, lot * WAD, bid_dai * RAD]),
        block,
    )


def note(
    sig: str, caller: str, args: list[int], block: int, index: int = 0, tx: str | None = None
) -> dict[str, Any]:
    selector = keccak(text=sig)[:4]
    calldata = selector + b"".join(word(a) for a in args)
    topics = [
        selector + bytes(28),
        word(caller),
        word(args[0]),
        word(args[1]) if len(args) > 1 else bytes(32),
    ]
    # LibNote: ABI bytes of the first 224 bytes of calldata (zero padded)
    return log(FLOP, topics, encode(["bytes"], [calldata.ljust(224, b"\0")]), block, index, tx)


TIMES = {b: 1_000 + 10 * b for b in range(100)}


def test_lognote_history_dent_by_dent_then_deal_by_anyone() -> None:
    book = h.AuctionBook(FLOP, [POOL], MKR)
    book.apply(
        [
            kick(1, 100, 50_000, 1),
            note("dent(uint256,uint256,uint256)", BIDDER, [1, 90 * WAD, 50_000 * RAD], 2),
            note("dent(uint256,uint256,uint256)", BOB, [1, 80 * WAD, 50_000 * RAD], 3),
            note("deal(uint256)", KEEPER, [1], 9),  # the keeper settles: Bob wins
        ],
        TIMES,
    )
    a = book.auctions[1]
    assert [(b.bidder.lower(), b.lot, b.time, b.source) for b in a.bids] == [
        (BIDDER, Wad(90 * WAD), 1_020, "note"),
        (BOB, Wad(80 * WAD), 1_030, "note"),
    ]
    assert (a.ended, a.winner.lower(), a.won_lot, a.ended_time) == (
        "dealt",
        BOB,
        Wad(80 * WAD),
        1_090,
    )
    assert a.price == Wad(625 * WAD)
    assert a.as_json()["bids"][1]["price"] == "625"
    assert a.as_json()["kicked"] == {
        "time": 1_010,
        "block": 1,
        "lot": "100",
        "bid": "50000",
        "gal": a.gal,
    }


def test_lognote_yank_is_not_a_deal() -> None:
    book = h.AuctionBook(FLOP)
    book.apply(
        [
            kick(2, 10, 1_000, 1),
            note("dent(uint256,uint256,uint256)", BIDDER, [2, 9 * WAD, 1_000 * RAD], 2),
            note("yank(uint256)", KEEPER, [2], 5),
        ],
        TIMES,
    )
    a = book.auctions[2]
    assert (a.ended, a.winner, a.won_lot, a.ended_block) == ("yanked", None, None, 5)
    assert a.bids[0].bidder.lower() == BIDDER


def test_current_events_pool_bid_and_its_win() -> None:
    """Today's local Flopper notes nothing: the pool's own events give its bid and its win."""
    book = h.AuctionBook(FLOP, [POOL], MKR)
    entered = log(POOL, [h.POOL_ENTERED], encode(["uint256"] * 3, [3, 10 * WAD, 1_000 * WAD]), 4)
    mint = log(MKR, [h.MKR_MINT, word(POOL)], encode(["uint256"], [10 * WAD]), 8, 0)
    settled = log(POOL, [h.POOL_SETTLED, word(3)], encode(["uint256"] * 2, [0, 10 * WAD]), 8, 1)
    book.apply([kick(3, 11, 1_000, 1), entered, mint, settled], TIMES)
    a = book.auctions[3]
    assert [(b.bidder.lower(), b.lot, b.source) for b in a.bids] == [(POOL, Wad(10 * WAD), "pool")]
    assert (a.ended, a.winner.lower(), a.won_lot, a.ended_time) == (
        "dealt",
        POOL,
        Wad(10 * WAD),
        1_080,
    )
    assert a.price == Wad(100 * WAD)


def test_note_and_pool_event_of_one_dent_count_once() -> None:
    book = h.AuctionBook(FLOP, [POOL])
    tx = "0x" + "ee" * 32
    dent = note("dent(uint256,uint256,uint256)", POOL, [4, 10 * WAD, 1_000 * RAD], 4, 0, tx)
    entered = log(
        POOL, [h.POOL_ENTERED], encode(["uint256"] * 3, [4, 10 * WAD, 1_000 * WAD]), 4, 1, tx
    )
    book.apply([kick(4, 11, 1_000, 1), dent, entered], TIMES)
    assert [(b.source, b.lot) for b in book.auctions[4].bids] == [("note", Wad(10 * WAD))]
    book2 = h.AuctionBook(FLOP, [POOL])  # a Flopper that notes after the pool's event
    book2.apply([kick(4, 11, 1_000, 1), {**entered, "logIndex": 0}, {**dent, "logIndex": 1}], TIMES)
    assert [b.source for b in book2.auctions[4].bids] == ["note"]


def test_the_flopper_state_fills_what_the_logs_do_not_show() -> None:
    """An outside dent and a restart leave no log on today's Flopper: the state gives them,
    with their exact times (tic - ttl, end - tau); a later Mint of that lot is the deal."""
    book = h.AuctionBook(FLOP, [POOL], MKR)
    book.apply([kick(5, 10, 1_000, 1)], TIMES)
    book.observe(
        5, bid=1_000 * RAD, lot=15 * WAD, guy=VOW, tic=0, end=5_000, ttl=600, tau=3_000, now=2_500
    )
    for now in (2_500, 2_600):  # the second time unchanged: nothing new
        book.observe(5, bid=1_000 * RAD, lot=12 * WAD, guy=BIDDER, tic=3_000, end=5_000,
                     ttl=600, tau=3_000, now=now)
    a = book.auctions[5]
    assert a.restarts == [(2_000, Wad(15 * WAD))]
    assert [(b.bidder.lower(), b.lot, b.time) for b in a.bids] == [(BIDDER, Wad(12 * WAD), 2_400)]
    assert [p[0] for p in a.points()] == [1_010, 2_000, 2_400]
    book.apply([log(MKR, [h.MKR_MINT, word(BIDDER)], encode(["uint256"], [12 * WAD]), 50)], TIMES)
    assert (a.ended, a.winner.lower(), a.won_lot) == ("dealt", BIDDER, Wad(12 * WAD))


def test_deleted_without_a_log_is_closed_not_dealt() -> None:
    book = h.AuctionBook(FLOP)
    book.apply([kick(6, 10, 1_000, 1)], TIMES)
    book.observe(6, bid=0, lot=0, guy="0x" + "00" * 20, tic=0, end=0, ttl=600, tau=3_000, now=9_000)
    assert book.auctions[6].ended == "closed" and book.auctions[6].winner is None


def test_a_repeated_log_is_applied_once() -> None:
    book = h.AuctionBook(FLOP)
    d = note("dent(uint256,uint256,uint256)", BIDDER, [7, 9 * WAD, 1_000 * RAD], 2)
    book.apply([kick(7, 10, 1_000, 1), d], TIMES)
    book.apply([d], TIMES)
    assert len(book.auctions[7].bids) == 1
    assert book.auctions[7].bids[0].bid == Rad(1_000 * RAD)


def test_a_noted_tick_gets_its_lot_from_the_state() -> None:
    book = h.AuctionBook(FLOP)
    book.apply([kick(8, 10, 1_000, 1), note("tick(uint256)", KEEPER, [8], 5)], TIMES)
    assert book.auctions[8].restarts == [(1_050, None)]
    book.observe(
        8, bid=1_000 * RAD, lot=15 * WAD, guy=VOW, tic=0, end=9_000, ttl=600, tau=3_000, now=1_060
    )
    assert book.auctions[8].restarts == [(1_050, Wad(15 * WAD))]
    assert [p[0] for p in book.auctions[8].points()] == [1_010, 1_050]


def test_the_redesigned_pools_settlement_event_counts_too() -> None:
    """The lead's pool indexes a position index in PositionSettled; dai and mkr stay data."""
    book = h.AuctionBook(FLOP, [POOL], MKR)
    entered = log(POOL, [h.POOL_ENTERED], encode(["uint256"] * 3, [9, 10 * WAD, 1_000 * WAD]), 4)
    settled = log(
        POOL, [h.POOL_SETTLED_INDEXED, word(9), word(0)], encode(["uint256"] * 2, [0, 10 * WAD]), 8
    )
    book.apply([kick(9, 11, 1_000, 1), entered, settled], TIMES)
    a = book.auctions[9]
    assert (a.ended, a.winner.lower(), a.won_lot) == ("dealt", POOL, Wad(10 * WAD))


def test_a_deal_is_the_noted_auction_not_another_with_the_same_bid() -> None:
    """Two auctions held by the pool at the same lot; the second is dealt (the MKR Mint, then
    the deal's LogNote, as dss's `note` writes it after the body): the first stays running."""
    book = h.AuctionBook(FLOP, [POOL], MKR)
    tx = "0x" + "dd" * 32
    book.apply([
        kick(1, 11, 1_000, 1), kick(2, 11, 1_000, 2),
        note("dent(uint256,uint256,uint256)", POOL, [1, 10 * WAD, 1_000 * RAD], 3),
        note("dent(uint256,uint256,uint256)", POOL, [2, 10 * WAD, 1_000 * RAD], 4),
        log(MKR, [h.MKR_MINT, word(POOL)], encode(["uint256"], [10 * WAD]), 9, 0, tx),
        note("deal(uint256)", KEEPER, [2], 9, 1, tx),
    ], TIMES)
    assert book.auctions[1].ended is None
    assert book.auctions[2].ended == "dealt" and book.auctions[2].ended_block == 9
