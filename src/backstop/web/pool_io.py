"""Everything the dashboard's server reads from or sends to a pool, and the words for it.

The pool's ABI will change (deposits as requests claimed later, claims without leaving...):
this module and ``static/pool.js`` are the two places to adapt. Nothing else in ``web``
encodes a pool call, decodes a pool event or words a pool status.

- ``STATUS_WORDS`` / ``status_words``: every wording of a pool's status (the one place).
- ``state_fns`` / ``pool_row``: the reads per pool for the overview and their row.
- ``page_functions``: the calls the page encodes (by role) for its wallet.
- ``enlist_problem`` / ``defect_problem``: every check the pool makes, in words, before the
  page asks the wallet for anything.
- ``activity_filters`` / ``activity_entry``: a member's deposits, withdrawals (and, with the
  redesign, claims) from the logs.
"""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from backstop.pool.reasons import explain_revert, tokens
from backstop.pool.rules import MIN_ENLIST
from backstop.units import WAD, Wad
from backstop.web.abi import Contract, Fn

POOL = Contract.named("pool/pool")
DAI = Contract.named("maker/dai")

# ---------------------------------------------------------------- status words (the one place)
# The pool's status codes (getStatus) and how the page names them. The lead sets these words
# when the redesign changes what a status means (deposits will stay open while the pool bids).
STATUS_CODES = {0: "accepting", 1: "activated", 2: "deactivated"}
STATUS_WORDS = {
    "accepting": "open for deposits",
    "bidding": "bidding in {n}: deposits closed",  # status 1 with DAI in bids
    "holding": "holds MKR: deposits closed",  # status 1, no bid left, MKR not yet paid out
    "activated": "deposits closed",  # status 1, neither (should not occur)
    "deactivated": "deactivated: withdrawals only",
}
DEPOSITS_CLOSED = (
    "this pool is not taking deposits now ({status}); deposits reopen when its "
    "auctions are finalized and it holds only DAI again"
)
DEPOSITS_CEASED = (
    "this pool was deactivated by its operator (cease fire): it takes no new "
    "deposits; members can still defect"
)


def status_words(code: int, active: int, mkr: int) -> tuple[str, str]:
    """(status key, words) for status ``code`` with ``active`` auctions and ``mkr`` wei held."""
    key = STATUS_CODES.get(code, "unknown")
    if key == "activated":
        key = "bidding" if active else ("holding" if mkr else "activated")
    text = STATUS_WORDS.get(key, f"status {code}")
    return key, text.format(n=f"{active} auction" + ("s" if active != 1 else ""))


# ---------------------------------------------------------------- reads
def state_fns() -> dict[str, Fn]:
    """The pool's views the overview reads, by the name its row uses."""
    p = POOL
    return {
        "price": p.fn("price"),
        "status": p.fn("getStatus"),
        "dai_total": p.fn("getDaiBalance"),
        "dai_locked": p.fn("getDaiBalanceForAuctions"),
        "dai_free": p.fn("getAvailableDaiBalance"),
        "mkr": p.fn("getMKRBalance"),
        "supply": p.fn("totalSupply"),
        "active": p.fn("getActiveAuctions"),
    }


def pool_row(address: str, v: dict[str, tuple[Any, ...]], members: int) -> dict[str, Any]:
    """One pool for the page: price, status, holdings, value and value per share."""
    price = Wad(v["price"][0])
    dai_total, mkr, supply = Wad(v["dai_total"][0]), Wad(v["mkr"][0]), v["supply"][0]
    active = list(v["active"][0])
    status, status_text = status_words(v["status"][0], len(active), mkr.raw)
    # the pool's DAI (free and locked in bids) plus its MKR valued at the pool's price
    value = dai_total + Wad(mkr.raw * price.raw // WAD)
    return {
        "address": address,
        "price": str(price),
        "status": status,
        "status_code": v["status"][0],
        "status_text": status_text,
        "accepting": status == "accepting",
        "members": members,
        "shares": str(Wad(supply)),
        "value_dai": str(value),
        "share_value": share_value(price.raw, dai_total.raw, mkr.raw, supply),
        "dai_total": str(dai_total),
        "dai_free": str(Wad(v["dai_free"][0])),
        "dai_locked": str(Wad(v["dai_locked"][0])),
        "mkr": str(mkr),
        "active_auctions": active,
        "raw": {"supply": supply, "free": v["dai_free"][0], "status": v["status"][0]},
    }


def share_value_fns() -> list[Fn]:
    """The reads that make the value per share at a past block: DAI, MKR, shares."""
    return [POOL.fn("getDaiBalance"), POOL.fn("getMKRBalance"), POOL.fn("totalSupply")]


def share_value(price: int, dai: int, mkr: int, supply: int) -> str:
    """The value per share (DAI, exact decimal) as ``pool_row`` computes it."""
    value = dai + mkr * price // WAD
    return str(Wad(value * WAD // supply)) if supply else "1"


# ---------------------------------------------------------------- what the page sends
_ROLES_AMOUNT = {"daiAmount": "amount"}
_ROLES_SHARES = {"shares": "shares"}
_ROLES_APPROVE = {"usr": "spender", "wad": "amount"}
_ROLES_PERMIT = {
    **_ROLES_AMOUNT,
    "nonce": "nonce",
    "expiry": "expiry",
    "v": "v",
    "r": "r",
    "s": "s",
}


def page_functions() -> dict[str, Any]:
    """The calls the page encodes, each input named by its role (see ``abi.Fn.describe``).
    Claims come here with the redesign."""
    return {
        "approve": DAI.fn("approve").describe(_ROLES_APPROVE),
        "enlist": POOL.fn("enlist").describe(_ROLES_AMOUNT),
        "enlistWithPermit": POOL.fn("enlistWithPermit").describe(_ROLES_PERMIT),
        "defect": POOL.fn("defect").describe(_ROLES_SHARES),
    }


def decode_success(action: str, out: bytes) -> tuple[int, ...]:
    """The return values of a simulated pool call."""
    return POOL.fn(action).decode(out)


# ---------------------------------------------------------------- checks before the wallet
_SUPPLY_MAX = 2**125 - 1
_FREE_MAX = 2**128 - 1


def _shares_for(amount: int, *, supply: int, free: int) -> int:
    """The shares ``enlist(amount)`` mints while deposits are open (``pool.vy`` ``_shares_for``:
    1:1 for an empty pool, else ``amount * supply / free`` rounded down). The redesigned pool
    has ``previewEnlist`` on chain: read that instead when adapting."""
    if supply == 0:
        return amount
    return amount * supply // free if free else 0


def enlist_problem(row: dict[str, Any], amount: Wad, held: Wad) -> str | None:
    """Every check ``enlist`` makes (``pool.vy`` ``_enlist``, in its order) plus the wallet's
    DAI, in words; None when it would pass. ``row`` is the pool's ``pool_row``."""
    raw = row["raw"]
    if amount.raw < MIN_ENLIST:
        return explain_revert("Pool/below-minimum") + f", not {tokens(amount)}"
    if row["status"] == "deactivated":
        return DEPOSITS_CEASED
    if not row["accepting"]:
        return DEPOSITS_CLOSED.format(status=row["status_text"])
    shares = _shares_for(amount.raw, supply=raw["supply"], free=raw["free"])
    if shares == 0:
        return explain_revert("Pool/zero-shares")
    if raw["supply"] + shares > _SUPPLY_MAX or raw["free"] + amount.raw > _FREE_MAX:
        return explain_revert("Pool/amount-too-large")
    if held < amount:
        return f"you hold {tokens(held)} DAI, this needs {tokens(amount)}"
    return None


def defect_problem(
    row: dict[str, Any], shares: Wad, held: Wad, paid: tuple[int, int, bool]
) -> str | None:
    """Every check ``defect`` makes, in words (``paid``: getDefectAmount(shares))."""
    if shares.raw == 0:
        return "give more than zero shares"
    if held < shares:
        return f"you hold {tokens(held)} shares, this needs {tokens(shares)}"
    dai, _mkr, redeemable = paid
    if not redeemable:
        free = Wad.parse(row["dai_free"])
        return (
            f"these shares are worth {tokens(Wad(dai))} DAI but only {tokens(free)} "
            "DAI of the pool is free now (the rest is locked in auction bids): defect "
            "fewer shares, or wait until the pool's auctions are finalized"
        )
    return None


def defect_amount_fn() -> Fn:
    """getDefectAmount(shares) -> (dai, mkr, redeemable now)."""
    return POOL.fn("getDefectAmount")


def shares_fn() -> Fn:
    """balanceOf(member) -> shares."""
    return POOL.fn("balanceOf")


# ---------------------------------------------------------------- a member's activity
ZERO_TOPIC = "0x" + "00" * 32
TRANSFER = POOL.event_topic("Transfer")
DEFECTED = POOL.event_topic("Defected")


def _topic_of(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def activity_filters(member: str, pools: list[str], dai: str) -> list[dict[str, Any]]:
    """``eth_getLogs`` filters (without the block range) for ``member``'s activity: share mints
    to it (deposits), its ``Defected`` (withdrawals) and its DAI paid to the pools (the
    deposits' DAI). Claims (redesign) get their filter here."""
    me = _topic_of(member)
    return [
        {"address": pools, "topics": [[TRANSFER], [ZERO_TOPIC], [me]]},
        {"address": pools, "topics": [[DEFECTED], [me]]},
        {"address": [dai], "topics": [[TRANSFER], [me], [_topic_of(p) for p in pools]]},
    ]


def activity_entries(logs: list[Any], dai: str) -> list[dict[str, Any]]:
    """The member's deposits and withdrawals (newest first) from ``activity_filters``' logs:
    ``{kind, pool, block, tx, shares, dai, mkr}`` (amounts decimal strings)."""
    paid: dict[tuple[str, str], int] = {}  # (tx, pool) -> DAI the member paid the pool
    for log in logs:
        if to_checksum_address(log["address"]) == to_checksum_address(dai):
            pool = to_checksum_address("0x" + bytes(log["topics"][2])[-20:].hex())
            key = ("0x" + bytes(log["transactionHash"]).hex(), pool)
            paid[key] = paid.get(key, 0) + abi_decode(["uint256"], bytes(log["data"]))[0]
    out = []
    for log in logs:
        address = to_checksum_address(log["address"])
        if address == to_checksum_address(dai):
            continue
        topic0 = "0x" + bytes(log["topics"][0]).hex()
        tx = "0x" + bytes(log["transactionHash"]).hex()
        base = {
            "pool": address,
            "block": int(log["blockNumber"]),
            "tx": tx,
            "index": int(log["logIndex"]),
        }
        if topic0 == TRANSFER:
            (shares,) = abi_decode(["uint256"], bytes(log["data"]))
            out.append(
                {
                    **base,
                    "kind": "deposit",
                    "shares": str(Wad(shares)),
                    "dai": str(Wad(paid.get((tx, address), 0))),
                    "mkr": "0",
                }
            )
        elif topic0 == DEFECTED:
            shares, dai_out, mkr_out = abi_decode(["uint256"] * 3, bytes(log["data"]))
            out.append(
                {
                    **base,
                    "kind": "withdrawal",
                    "shares": str(Wad(shares)),
                    "dai": str(Wad(dai_out)),
                    "mkr": str(Wad(mkr_out)),
                }
            )
    out.sort(key=lambda e: (e["block"], e["index"]), reverse=True)
    return out
