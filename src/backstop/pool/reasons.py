"""Revert reasons in words: one wording for the command line and the dashboard.

Contracts revert with "<Contract>/<code>[: detail]" ("Pool/request-pending",
"Dai/insufficient-balance").
``explain_revert`` turns one into a sentence for a person; amounts the contracts give in wei are
shown in tokens, exactly (no rounding).
"""

from __future__ import annotations

import re

from backstop.units import Wad

# The pool's own reasons (by prefix).
POOL_REASONS = {
    "Pool/ceased": "the pool is deactivated (cease-fire): it takes no deposits and makes no "
                   "bids; withdrawals and claims stay open",
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
    "Pool/price-out-of-range": "the price must be from 1 to 1,000,000 DAI per MKR",
    "Pool/price-not-whole-cents": "the price must be a whole number of cents (at most two "
                                  "decimals)",
    "Pool/ask-too-large": "the MKR this bid asks would exceed what the pool can count",
    "Pool/no-request": "there is no such request for that address (or it was already claimed)",
    "Pool/request-pending": "the request waits for the positions that were open when it was "
                            "made: claim it once they are settled and accounted",
    "Pool/owner-not-caller": "only the owner of the DAI may request its deposit",
    "Pool/zero-controller": "the request needs a controller address",
    "Pool/zero-address": "shares cannot be sent to the zero address",
    "Pool/mkr-transfer-failed": "the MKR token refused the transfer (it may be stopped); the "
                                "MKR stays owed to you",
    "Pool/more-gas": "30 days after its auction's end the pool writes off a position the "
                     "Flopper refuses to deal: send the finalize with at least 1,100,000 gas",
    "Pool/too-many-eras": "the pool has drained too many times to record another era",
    "Pool/too-many-positions": "the pool has made as many bids as it can record (67 million)",
    "Pool/join-not-for-dai": "the DaiJoin does not join that DAI",
    "Pool/join-not-for-vat": "the DaiJoin does not belong to that Vat",
    "Pool/flopper-not-for-mkr": "the Flopper does not sell that MKR",
    "Pool/flopper-not-for-vat": "the Flopper does not belong to that Vat",
    "Factory/price-out-of-range": "the price must be from 1 to 1,000,000 DAI per MKR",
    "Factory/price-not-whole-cents": "the price must be a whole number of cents (at most two "
                                     "decimals)",
    "Factory/pool-exists": "a pool at that price already exists",
    "Factory/no-pool": "the factory has no pool at that price",
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
    if code in OTHER_REASONS:
        return OTHER_REASONS[code]
    if detail:  # the contract already says it in words
        return f"{detail} ({contract}/{code})"
    if code:
        words = code.replace("-", " ").replace("_", " ")
        return f"the {contract} contract refused: {words} ({reason})"
    return f"the transaction would revert ({reason or 'no reason given'})"
