"""Revert reasons in words: one wording for the command line and the dashboard.

Contracts revert with "<Contract>/<code>[: detail]" ("Pool/deposits-closed",
"Pool/dai-locked: 1500000000000000000000 wei of DAI is free now", "Dai/insufficient-balance").
``explain_revert`` turns one into a sentence for a person; amounts the contracts give in wei are
shown in tokens, exactly (no rounding).
"""

from __future__ import annotations

import re

from backstop.units import Wad

# The pool's own reasons (by prefix).
POOL_REASONS = {
    "Pool/ceased": "the pool is deactivated: deposits are closed",
    "Pool/deposits-closed": "deposits are closed while the pool holds bids or MKR: try again "
                            "when its auctions are finalized",
    "Pool/below-minimum": "the pool takes at least 1 DAI per enlist",
    "Pool/zero-shares": "that amount is too small to buy a single share unit",
    "Pool/insufficient-shares": "you do not hold that many shares",
    "Pool/amount-too-large": "the amount is too large",
    "Pool/lot-too-small": "the lot is below the pool's price; it grows with each restart",
    "Pool/already-entered": "the pool already bid in this auction",
    "Pool/already-high-bidder": "the pool is already the high bidder in this auction",
    "Pool/auction-finished": "the auction or its high bid has expired: it can only be settled "
                             "(or restarted, if nobody bid)",
    "Pool/bid-not-whole-dai": "the auction's DAI bid is not a whole number of DAI, which the "
                              "pool does not book",
    "Pool/bid-out-of-range": "the auction asks no DAI, or more than the pool can book",
    "Pool/flopper-not-live": "Maker's debt auctions are shut (global settlement): the pool "
                             "bids no more",
    "Pool/no-auction": "there is no running auction with that id",
    "Pool/not-enough-dai": "the pool's free DAI does not cover the auction's bid",
    "Pool/auction-id-too-high": "the auction id is beyond what the pool can track",
    "Pool/auction-not-finished": "the pool is still the high bidder and the auction has not "
                                 "ended: finalize it once its bid or the auction expires",
    "Pool/no-position": "the pool has no bid in that auction to finalize",
    "Pool/already-ceased": "the pool is already deactivated",
    "Pool/zero-price": "the price must be more than 0 DAI per MKR",
    "Pool/price-too-high": "the price must be below 1,000,000,000,000 DAI per MKR",
}

# Other contracts' reasons, by the code after the contract-name prefix.
OTHER_REASONS = {
    "insufficient-balance": "your wallet does not hold enough for this",
    "insufficient-allowance": "the pool is not allowed to take that much of your DAI; "
                              "approve it or sign a permit first",
    "invalid-permit": "the permit signature does not belong to your address",
    "permit-expired": "the permit has expired; start again to sign a fresh one",
    "invalid-nonce": "the permit was already used or is out of date; start again",
    "not-live": "Maker is in global settlement, so auctions and deposits are closed",
}

_WEI = re.compile(r"\b(\d+) wei of (DAI|MKR)\b")


def tokens(amount: Wad) -> str:
    """An amount for a sentence: exact, with thousands separators for the whole part."""
    whole, _, frac = str(amount).partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}" + (f".{frac}" if frac else "")


def _in_tokens(text: str) -> str:
    return _WEI.sub(lambda m: f"{tokens(Wad(int(m.group(1))))} {m.group(2)}", text)


def explain_revert(reason: str) -> str:
    """A contract's revert reason as a sentence (the raw reason kept where we know no better)."""
    reason = reason.strip()
    for prefix, words in POOL_REASONS.items():
        if reason.startswith(prefix):
            return words
    contract, _, rest = reason.partition("/")
    code, _, detail = rest.partition(":")
    detail = _in_tokens(detail.strip())
    if contract == "Pool" and code == "dai-locked":
        free = f": {detail}" if detail else ""
        return (f"part of the pool's DAI is locked in auction bids{free}; defect fewer "
                "shares, or wait until its auctions are finalized")
    if code in OTHER_REASONS:
        return OTHER_REASONS[code]
    if detail:  # the contract already says it in words
        return f"{detail} ({contract}/{code})"
    if code:
        words = code.replace("-", " ").replace("_", " ")
        return f"the {contract} contract refused: {words} ({reason})"
    return f"the transaction would revert ({reason or 'no reason given'})"
