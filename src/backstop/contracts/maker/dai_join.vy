# pragma version ~=0.4.3
"""
@title DaiJoin
@custom:contract-name dai_join
@license MIT
@notice The adapter between ERC20 DAI (wad) and internal Vat DAI (rad = wad * 10**27),
        as dss's DaiJoin. The adapter's own Vat balance backs the ERC20 supply: `exit`
        moves the caller's Vat DAI to the adapter and mints ERC20; `join` moves it back out
        and burns ERC20. It needs `dai.rely(adapter)` and nothing from the Vat.
        As the production DaiJoin (dss 1.0, 2019, still the mainnet one): `vat` and `dai` are
        storage variables, and `rely`, `deny`, `cage`, `join` and `exit` emit LibNote's
        `LogNote` (`lib_note.vy`).
"""

from . import IDai
from . import IDaiJoin
from . import IVat
from . import lib_note
from . import solc_gap

implements: IDaiJoin


_ONE: constant(uint256) = 10**27


# @dev Administrators (1): may `rely`, `deny`, `cage`.
wards: public(HashMap[address, uint256])

# @dev The Vat and the Dai token: storage, as in dss (read with SLOAD on every call).
vat: public(address)
dai: public(address)

# @dev 1 until `cage`; `exit` needs it.
live: public(uint256)


@deploy
def __init__(vat_: address, dai_: address):
    """
    @notice Bind the adapter to a Vat and a Dai token; the deployer becomes a ward.
    @param vat_ The Vat.
    @param dai_ The Dai token (it must `rely` this adapter).
    """
    self.wards[msg.sender] = 1
    self.live = 1
    self.vat = vat_
    self.dai = dai_


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
def cage():
    """
    @notice Stop `exit` (wards only); `join` keeps working.
    """
    self._auth()
    self.live = 0
    lib_note.note(0, 0, 0)


@external
def join(usr: address, wad: uint256):
    """
    @notice Burn `wad` ERC20 DAI of the caller and credit `usr` with `wad * 10**27` in
            the Vat. The caller must have approved this adapter for `wad`.
    @param usr The Vat address credited.
    @param wad The amount, in wad.
    """
    extcall IVat(self.vat).move(self, usr, _ONE * wad)
    extcall IDai(self.dai).burn(msg.sender, wad)
    lib_note.note(convert(usr, uint256), wad, 0)
    solc_gap.spend(3)


@external
def exit(usr: address, wad: uint256):
    """
    @notice Debit the caller `wad * 10**27` in the Vat and mint `wad` ERC20 DAI to `usr`.
            The caller must have called `vat.hope(adapter)`.
    @param usr The receiver of the ERC20 DAI.
    @param wad The amount, in wad.
    """
    assert self.live == 1, "DaiJoin/not-live"
    extcall IVat(self.vat).move(msg.sender, self, _ONE * wad)
    extcall IDai(self.dai).mint(usr, wad)
    lib_note.note(convert(usr, uint256), wad, 0)
    solc_gap.spend(4)


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "DaiJoin/not-authorized"
