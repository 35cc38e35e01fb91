# pragma version ~=0.4.3
"""
@title Vat
@custom:contract-name vat
@license MIT
@notice The core ledger of the local Maker, the part debt auctions touch, written from the
        public behaviour of dss's Vat: internal DAI (`dai`) and unbacked debt (`sin`) per
        address, both in rad (10**45), their totals `debt` and `vice`, delegation with
        `hope`/`nope`, transfers with `move`, creation of unbacked DAI with `suck` (wards
        only), cancellation with `heal`, and global settlement with `cage`.
        Collateral (ilks, urns, frob) is left out: nothing in this project uses it.
        Like the production Vat (dss 1.0, 2019, still the mainnet Vat) every state-changing
        call emits LibNote's anonymous `LogNote` after its body (`lib_note.vy`), and `move`
        reads `can[src][msg.sender]` even when the caller is `src` (dss's `wish` evaluates
        both sides), so that gas and logs match.
        How the core's contracts are wired is in README.md next to this file.
"""

from . import IVat
from . import lib_note
from . import solc_gap

implements: IVat


# @dev Authorized callers (1) of `rely`, `deny`, `suck`, `cage`.
wards: public(HashMap[address, uint256])

# @dev can[bit][usr] == 1 lets `usr` move the internal DAI of `bit`.
can: public(HashMap[address, HashMap[address, uint256]])

# @dev Internal DAI per address, in rad.
dai: public(HashMap[address, uint256])

# @dev Unbacked debt per address, in rad.
sin: public(HashMap[address, uint256])

# @dev Total DAI issued, in rad.
debt: public(uint256)

# @dev Total unbacked DAI, in rad.
vice: public(uint256)

# @dev 1 while the system runs, 0 after `cage`.
live: public(uint256)


@deploy
def __init__():
    """
    @notice The deployer becomes the first ward; the ledger starts live.
    """
    self.wards[msg.sender] = 1
    self.live = 1


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only, while live).
    @param usr The address to authorize.
    """
    self._auth()
    assert self.live == 1, "Vat/not-live"
    self.wards[usr] = 1
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def deny(usr: address):
    """
    @notice Remove the authorization of `usr` (wards only, while live).
    @param usr The address to de-authorize.
    """
    self._auth()
    assert self.live == 1, "Vat/not-live"
    self.wards[usr] = 0
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def hope(usr: address):
    """
    @notice Let `usr` move the caller's internal DAI.
    @param usr The address allowed to move the caller's DAI.
    """
    self.can[msg.sender][usr] = 1
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def nope(usr: address):
    """
    @notice Take back the permission given with `hope`.
    @param usr The address no longer allowed to move the caller's DAI.
    """
    self.can[msg.sender][usr] = 0
    lib_note.note(convert(usr, uint256), 0, 0)


@external
def move(src: address, dst: address, rad: uint256):
    """
    @notice Transfer internal DAI from `src` to `dst`; the caller is `src` or hoped by it.
    @param src The address debited.
    @param dst The address credited.
    @param rad The amount, in rad.
    """
    hoped: bool = self.can[src][msg.sender] == 1
    assert src == msg.sender or hoped, "Vat/not-allowed"
    self.dai[src] -= rad
    self.dai[dst] += rad
    lib_note.note(convert(src, uint256), convert(dst, uint256), rad)
    solc_gap.spend(3)


@external
def suck(u: address, v: address, rad: uint256):
    """
    @notice Create `rad` of unbacked debt for `u` and the same of internal DAI for `v`
            (wards only).
    @param u The address charged with the debt (sin).
    @param v The address credited with the DAI.
    @param rad The amount, in rad.
    """
    self._auth()
    self.sin[u] += rad
    self.dai[v] += rad
    self.vice += rad
    self.debt += rad
    lib_note.note(convert(u, uint256), convert(v, uint256), rad)


@external
def heal(rad: uint256):
    """
    @notice Cancel `rad` of the caller's internal DAI against as much of its sin.
    @param rad The amount, in rad.
    """
    self.sin[msg.sender] -= rad
    self.dai[msg.sender] -= rad
    self.vice -= rad
    self.debt -= rad
    lib_note.note(rad, 0, 0)
    solc_gap.spend(4)


@external
def cage():
    """
    @notice Global settlement: the ledger stops being live (wards only).
    """
    self._auth()
    self.live = 0
    lib_note.note(0, 0, 0)


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "Vat/not-authorized"
