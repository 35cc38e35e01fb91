# pragma version ~=0.4.3
"""
@title Flapper
@custom:contract-name flapper
@license MIT
@notice A minimal surplus auction: only what the Vow's `cage` needs. dss's Vow is built with
        a Flapper and a Flopper, hopes the Flapper in the Vat, and on `cage` calls
        `flapper.cage(vat.dai(flapper))`, which stops the Flapper and hands the DAI it holds
        back to the Vow. Surplus auctions themselves (`kick`, `tend`, `deal`, `tick`, `yank`)
        are left out: nothing in this project sells surplus.
"""

from . import IVat
from . import lib_note


# @dev Administrators (1): `rely`, `deny`, `cage`. The Vow must be one.
wards: public(HashMap[address, uint256])

# @dev The Vat and the token a surplus auction would buy (MKR): storage, as in dss.
vat: public(address)
gem: public(address)

# @dev 1 until `cage`.
live: public(uint256)


@deploy
def __init__(vat_: address, gem_: address):
    """
    @notice Bind the Flapper to a Vat and MKR; the deployer is a ward.
    @param vat_ The Vat.
    @param gem_ The MKR token.
    """
    self.wards[msg.sender] = 1
    self.vat = vat_
    self.gem = gem_
    self.live = 1


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only).
    @param usr The address to authorize.
    """
    self._auth()
    self.wards[usr] = 1
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def deny(usr: address):
    """
    @notice Remove the authorization of `usr` (wards only).
    @param usr The address to de-authorize.
    """
    self._auth()
    self.wards[usr] = 0
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def cage(rad: uint256):
    """
    @notice Global settlement (wards only: the Vow): stop, and move `rad` of this contract's
            Vat DAI to the caller.
    @param rad The DAI handed back, in rad (the Vow passes all the Flapper holds).
    """
    self._auth()
    self.live = 0
    extcall IVat(self.vat).move(self, msg.sender, rad)
    lib_note.note(rad, 0, 0)


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "Flapper/not-authorized"
