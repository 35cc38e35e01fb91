"""Everything the dashboard's server reads from or sends to a pool, and the words for it.

This module and ``static/pool.js`` are the two places that follow the pool's ABI. Nothing else
in ``web`` encodes a pool call, decodes a pool event or words a pool status.

- ``STATUS_WORDS`` / ``status_words``: every wording of a pool's status (the one place).
- ``state_fns`` / ``pool_row``: the reads per pool for the overview and their row.
- ``page_functions``: the calls the page encodes (by role) for its wallet.
- ``enlist_problem`` / ``defect_problem``: every check the pool makes, in words, before the
  page asks the wallet for anything.
- ``activity_filters`` / ``activity_entry``: a member's deposits, withdrawals and claims from
  the logs.
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
# The pool's status codes (getStatus) and how the page names them (docs/POOL.md): 0 no open
# position, 1 positions open, 2 ceased. A live pool always takes deposits; while it bids, a
# deposit bids at once and becomes shares when the bids open at that moment are settled.
STATUS_CODES = {0: "accepting", 1: "bidding", 2: "deactivated"}
STATUS_WORDS = {
    "accepting": "open for deposits",
    "holding": "open for deposits; holds MKR owed to its members",  # status 0, MKR not paid out
    "bidding": "bidding in {n}; open for deposits (they bid at once)",
    "deactivated": "deactivated: withdrawals and claims only",
}
DEPOSITS_CEASED = (
    "this pool was deactivated by its operator (cease fire): it takes no new "
    "deposits; members can still defect"
)


def status_words(code: int, active: int, mkr: int) -> tuple[str, str]:
    """(status key, words) for status ``code`` with ``active`` auctions and ``mkr`` wei held."""
    key = STATUS_CODES.get(code, "unknown")
    if key == "accepting" and mkr:
        key = "holding"
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
        "accepting": status != "deactivated",
        "members": members,
        "shares": str(Wad(supply)),
        "value_dai": str(value),
        "share_value": share_value(v["dai_free"][0], supply),
        "dai_total": str(dai_total),
        "dai_free": str(Wad(v["dai_free"][0])),
        "dai_locked": str(Wad(v["dai_locked"][0])),
        "mkr": str(mkr),
        "active_auctions": active,
        "raw": {"supply": supply, "free": v["dai_free"][0], "status": v["status"][0]},
    }


def share_value_fns() -> list[Fn]:
    """The reads that make the value per share at a past block, in ``share_value``'s order:
    liquid DAI, shares."""
    return [POOL.fn("getAvailableDaiBalance"), POOL.fn("totalSupply")]


def share_value(liquid: int, supply: int) -> str:
    """The liquid DAI per share (exact decimal): what a defect pays now per share. Open bids
    and MKR won are not valued: their outcome belongs to the members present when the pool bid
    (docs/POOL.md), and is paid to them as it settles."""
    return str(Wad(liquid * WAD // supply)) if supply else "1"


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
    """The calls the page encodes, each input named by its role (see ``abi.Fn.describe``)."""
    return {
        "approve": DAI.fn("approve").describe(_ROLES_APPROVE),
        "enlist": POOL.fn("enlist").describe(_ROLES_AMOUNT),
        "enlistWithPermit": POOL.fn("enlistWithPermit").describe(_ROLES_PERMIT),
        "defect": POOL.fn("defect").describe(_ROLES_SHARES),
        "claim": POOL.fn("claim").describe({}),
    }


def decode_success(action: str, out: bytes) -> tuple[int, ...]:
    """The return values of a simulated pool call."""
    return POOL.fn(action).decode(out)


# ---------------------------------------------------------------- checks before the wallet
_LIQUID_MAX = 2**96 - 1


def enlist_problem(row: dict[str, Any], amount: Wad, held: Wad) -> str | None:
    """Every check ``enlist`` makes (``pool.vy`` ``_deposit``, in its order) plus the wallet's
    DAI, in words; None when it would pass. ``row`` is the pool's ``pool_row``."""
    raw = row["raw"]
    if amount.raw < MIN_ENLIST:
        return explain_revert("Pool/below-minimum") + f", not {tokens(amount)}"
    if row["status"] == "deactivated":
        return DEPOSITS_CEASED
    if raw["free"] + amount.raw > _LIQUID_MAX:
        return explain_revert("Pool/amount-too-large")
    if held < amount:
        return f"you hold {tokens(held)} DAI, this needs {tokens(amount)}"
    return None


def defect_problem(shares: Wad, held: Wad) -> str | None:
    """Every check ``defect`` makes, in words: more than zero shares, and no more than held."""
    if shares.raw == 0:
        return "give more than zero shares"
    if held < shares:
        return f"you hold {tokens(held)} shares, this needs {tokens(shares)}"
    return None


def defect_amount_fn() -> Fn:
    """getDefectAmount(shares) -> (dai, mkr, redeemable now)."""
    return POOL.fn("getDefectAmount")


def owed_fn() -> Fn:
    """previewClaim(member) -> (DAI, MKR) owed now: what claim() pays."""
    return POOL.fn("previewClaim")


def shares_fn() -> Fn:
    """balanceOf(member) -> shares."""
    return POOL.fn("balanceOf")


# ---------------------------------------------------------------- a member's activity
ZERO_TOPIC = "0x" + "00" * 32
TRANSFER = POOL.event_topic("Transfer")
DEFECTED = POOL.event_topic("Defected")
CLAIMED = POOL.event_topic("Claimed")


def _topic_of(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def activity_filters(member: str, pools: list[str], dai: str) -> list[dict[str, Any]]:
    """``eth_getLogs`` filters (without the block range) for ``member``'s activity: share mints
    to it (deposits), its ``Defected`` (withdrawals), its ``Claimed`` (MKR and DAI received
    without leaving) and its DAI paid to the pools (the deposits' DAI)."""
    me = _topic_of(member)
    return [
        {"address": pools, "topics": [[TRANSFER], [ZERO_TOPIC], [me]]},
        {"address": pools, "topics": [[DEFECTED], [me]]},
        {"address": pools, "topics": [[CLAIMED], [me]]},
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
    # a defect pays through the same Claimed log: its transaction is a withdrawal, not a claim
    withdrawals = {"0x" + bytes(log["transactionHash"]).hex() for log in logs
                   if "0x" + bytes(log["topics"][0]).hex() == DEFECTED}
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
        elif topic0 == CLAIMED and tx not in withdrawals:
            dai_out, mkr_out = abi_decode(["uint256"] * 2, bytes(log["data"]))
            out.append({**base, "kind": "claim", "shares": "0", "dai": str(Wad(dai_out)),
                        "mkr": str(Wad(mkr_out))})
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
