# pragma version ~=0.4.3
"""
@title Flopper
@custom:contract-name flopper
@license MIT
@notice The debt auction as in current dss (on mainnet since July 2020): sells newly minted
        MKR for a fixed amount of DAI; bidders compete by asking for less MKR. In `dent` a
        caller that is already the high bidder pays nothing, and the first bid immediately
        cancels that much on-auction debt in the Vow (`Vow.kiss(min(bid, Ash))`).
        Everything else lives in `flop_auction.vy`, shared with `flopper_2019.vy`.
"""

from . import IFlopper
from . import flop_auction

implements: IFlopper

initializes: flop_auction

exports: flop_auction.__interface__


@deploy
def __init__(vat_: address, gem_: address):
    """
    @notice Bind the auction to a Vat and the MKR token; the deployer is a ward.
    @param vat_ The Vat.
    @param gem_ The MKR token (it must authorize this contract to mint).
    """
    flop_auction.__init__(vat_, gem_)


@external
def dent(id: uint256, lot: uint256, bid: uint256):
    """
    @notice Take the auction's fixed DAI bid for `lot` MKR, at least `beg` less than the
            current lot. A new high bidder pays `bid` (rad, from its Vat DAI: it must have
            called `vat.hope(flopper)`) to the previous one; the first bid pays the Vow and
            kisses its debt.
    @param id The auction id.
    @param lot The MKR asked, in wad.
    @param bid The DAI paid, in rad (must equal the auction's bid).
    """
    flop_auction._dent(id, lot, bid, True)
