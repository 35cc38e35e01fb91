"""backstop.web.pool_io: the pool's status words (one place) and every enlist/defect check the
pool makes, in words, before the page asks the wallet for anything."""

from __future__ import annotations

from typing import Any

import pytest

from backstop.units import WAD, Wad
from backstop.web import pool_io


def row(
    status: int = 0, supply: int = 100 * WAD, free: int = 100 * WAD, active: int = 0, mkr: int = 0
) -> dict[str, Any]:
    v = {
        "price": (100 * WAD,),
        "status": (status,),
        "dai_total": (free,),
        "dai_locked": (0,),
        "dai_free": (free,),
        "mkr": (mkr,),
        "supply": (supply,),
        "active": (tuple(range(1, active + 1)),),
    }
    return pool_io.pool_row("0x" + "a0" * 20, v, 1)


def test_status_words_say_what_the_pool_does() -> None:
    assert pool_io.status_words(0, 0, 0) == ("accepting", "open for deposits")
    bidding = "bidding in 2 auctions; open for deposits (they bid at once)"
    assert pool_io.status_words(1, 2, 0) == ("bidding", bidding)
    # a pool that only holds MKR is not bidding (issue 13, item 5), and takes deposits
    assert pool_io.status_words(0, 0, 5) == (
        "holding", "open for deposits; holds MKR owed to its members")
    assert pool_io.status_words(2, 0, 0) == (
        "deactivated", "deactivated: withdrawals and claims only")


def test_value_per_share_is_exact() -> None:
    r = row(supply=3 * WAD, free=10 * WAD)  # the liquid DAI per share
    assert r["share_value"] == "3.333333333333333333"
    assert row(supply=0, free=0)["share_value"] == "1"


@pytest.mark.parametrize(
    ("r", "amount", "held", "words"),
    [
        (row(), "0.5", "10", "the pool takes at least 1 DAI per enlist, not 0.5"),
        (row(status=2), "5", "10", pool_io.DEPOSITS_CEASED),
        (row(status=1, active=1), "5", "10", None),  # deposits stay open while it bids
        (row(free=2**96 - 2 * WAD), "5", "10", "the amount is too large"),
        (row(), "20", "10", "you hold 10 DAI, this needs 20"),
        (row(), "5", "10", None),
    ],
)
def test_every_enlist_check_in_the_pools_order(
    r: dict[str, Any], amount: str, held: str, words: str | None
) -> None:
    assert pool_io.enlist_problem(r, Wad.parse(amount), Wad.parse(held)) == words


def test_defect_checks() -> None:
    assert pool_io.defect_problem(Wad(0), Wad(WAD)) == "give more than zero shares"
    assert pool_io.defect_problem(Wad(2 * WAD), Wad(WAD)) == "you hold 1 shares, this needs 2"
    assert pool_io.defect_problem(Wad(WAD), Wad(WAD)) is None

