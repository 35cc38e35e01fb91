"""The Flopper's timing rules (dss flop.sol), as pure functions of an auction's ``tic`` and
``end`` and the block time ``now``. Whether the auction exists at all (kicked, not yet dealt or
yanked) is the caller's to check first: each caller knows it in its own terms."""

from __future__ import annotations


def dent_open(tic: int, end: int, now: int) -> bool:
    """``dent`` is possible at ``now``: neither the auction nor its high bid has expired."""
    return end > now and (tic == 0 or tic > now)


def deal_ready(tic: int, end: int, now: int) -> bool:
    """``deal`` is possible at ``now``: someone bid, and the bid or the auction expired."""
    return tic != 0 and (tic < now or end < now)


def tick_ready(tic: int, end: int, now: int) -> bool:
    """``tick`` is possible at ``now``: the auction expired with no bid."""
    return tic == 0 and end < now
