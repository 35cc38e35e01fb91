# pragma version ~=0.4.3
"""
@title Flopper (2019)
@custom:contract-name flopper_2019
@license MIT
@notice The debt auction as deployed in 2019 and in force during the March 2020 auctions:
        identical to `flopper.vy` except that `dent` always moves `bid` DAI from the caller
        to the previous high bidder (even when the caller already is the high bidder) and
        never calls `Vow.kiss`. Code that bids must work with both.
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
            current lot. The caller always pays `bid` (rad, from its Vat DAI: it must have
            called `vat.hope(flopper)`) to the previous high bidder.
    @param id The auction id.
    @param lot The MKR asked, in wad.
    @param bid The DAI paid, in rad (must equal the auction's bid).
    """
    flop_auction._dent(id, lot, bid, False)
