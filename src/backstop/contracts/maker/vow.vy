# pragma version ~=0.4.3
"""
@title Vow
@custom:contract-name vow
@license MIT
@notice The system's balance sheet, the flop path of dss's Vow. Bad debt is the Vow's sin
        in the Vat. Debt fessed by liquidations waits in a queue (`sin(era)`, total `Sin`)
        until `flog` releases it after `wait`; released debt can be healed against surplus
        or sold in a debt auction (`flop`), which books `sump` as on-auction debt (`Ash`)
        that `kiss` cancels once the auction's DAI arrives.
        As dss, the constructor takes (vat, flapper, flopper) and hopes the Flapper in the
        Vat, and `cage` cages the Flapper (handing its DAI back) and the Flopper. The Flapper
        here is minimal (`flapper.vy`: only its `cage`), so `flap` is left out and `bump` and
        `hump` are parameters only. Faithful in gas and logs to the production Vow (dss 1.0):
        `vat`, `flapper`, `flopper` are storage variables and `rely`, `deny`, `file`, `fess`,
        `flog`, `heal`, `kiss`, `flop` and `cage` emit LibNote's `LogNote` (`lib_note.vy`).
        `file(bytes32,address)` is served by the fallback (Vyper has no overloading) and is
        not in the ABI.
"""

from . import IFlopper
from . import IVat
from . import IVow
from . import lib_note
from . import solc_gap

implements: IVow


interface IFlapper:
    def cage(rad: uint256): nonpayable


# @dev Administrators (1): `rely`, `deny`, `file`, `fess`, `cage`.
wards: public(HashMap[address, uint256])

# @dev The Vat, the Flapper and the Flopper: storage, as in dss (one SLOAD per use).
vat: public(address)
flapper: public(address)
flopper: public(address)

# @dev Debt queue: fessed debt per timestamp, in rad.
sin: public(HashMap[uint256, uint256])
# @dev Queued debt, in rad.
Sin: public(uint256)
# @dev On-auction debt, in rad.
Ash: public(uint256)

# @dev Delay before queued debt can be flogged, in seconds.
wait: public(uint256)
# @dev Initial MKR lot of a debt auction, in wad, read with `dump()`. Not a public variable
#      named `dump`: titanoboa's storage model has a `dump()` method that such a name shadows,
#      which breaks boa's error reports for this contract.
dump_wad: uint256
# @dev Fixed DAI bid of a debt auction, in rad.
sump: public(uint256)
# @dev Surplus auction lot, in rad (no Flapper here: a parameter only).
bump: public(uint256)
# @dev Surplus buffer, in rad (no Flapper here: a parameter only).
hump: public(uint256)

# @dev 1 until `cage`.
live: public(uint256)


@deploy
def __init__(vat_: address, flapper_: address, flopper_: address):
    """
    @notice Bind the Vow to a Vat, a Flapper and a Flopper and let the Flapper move the
            Vow's Vat DAI (`vat.hope(flapper)`); the deployer is a ward.
    @param vat_ The Vat.
    @param flapper_ The Flapper (it must `rely` this Vow for `cage`).
    @param flopper_ The Flopper (it must `rely` this Vow).
    """
    self.wards[msg.sender] = 1
    self.vat = vat_
    self.flapper = flapper_
    self.flopper = flopper_
    extcall IVat(vat_).hope(flapper_)
    self.live = 1


@external
@view
def dump() -> uint256:
    """
    @notice The initial MKR lot of a debt auction.
    @return The lot, in wad.
    """
    return self.dump_wad


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only, while live).
    @param usr The address to authorize.
    """
    self._auth()
    assert self.live == 1, "Vow/not-live"
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
def file(what: bytes32, data: uint256):
    """
    @notice Set a parameter (wards only): "wait" (s), "bump", "sump", "hump" (rad),
            "dump" (wad).
    @param what The parameter's name, as bytes32.
    @param data The new value.
    """
    self._auth()
    if what == convert(b"wait", bytes32):
        self.wait = data
    elif what == convert(b"bump", bytes32):
        self.bump = data
    elif what == convert(b"sump", bytes32):
        self.sump = data
    elif what == convert(b"dump", bytes32):
        self.dump_wad = data
    elif what == convert(b"hump", bytes32):
        self.hump = data
    else:
        raise "Vow/file-unrecognized-param"
    lib_note.note(convert(what, uint256), data, 0)


@external
def __default__():
    """
    @notice Vyper has no overloading: this fallback serves dss's `file(bytes32,address)`
            (wards only; "flapper" moves the Vat permission to the new Flapper, "flopper"
            sets the Flopper) and reverts on any other call. The
            compiled ABI does not list it: add the fragment
            `file(bytes32 what, address data)` to call it through web3.
    """
    assert len(msg.data) == 68, "Vow/unknown-function"
    assert slice(msg.data, 0, 4) == method_id("file(bytes32,address)"), "Vow/unknown-function"
    what: bytes32 = empty(bytes32)
    data: address = empty(address)
    what, data = abi_decode(slice(msg.data, 4, 64), (bytes32, address))
    self._auth()
    if what == convert(b"flapper", bytes32):
        extcall IVat(self.vat).nope(self.flapper)
        self.flapper = data
        extcall IVat(self.vat).hope(data)
    elif what == convert(b"flopper", bytes32):
        self.flopper = data
    else:
        raise "Vow/file-unrecognized-param"
    lib_note.note(convert(what, uint256), convert(data, uint256), 0)


@external
def fess(tab: uint256):
    """
    @notice Queue `tab` of bad debt at the current timestamp (wards only).
    @param tab The debt, in rad.
    """
    self._auth()
    self.sin[block.timestamp] += tab
    self.Sin += tab
    lib_note.note(tab, 0, 0)


@external
def flog(era: uint256):
    """
    @notice Release the debt queued at `era` once `wait` has passed.
    @param era The timestamp the debt was queued at.
    """
    assert era + self.wait <= block.timestamp, "Vow/wait-not-finished"
    self.Sin -= self.sin[era]
    self.sin[era] = 0
    lib_note.note(era, 0, 0)


@external
def heal(rad: uint256):
    """
    @notice Cancel `rad` of the Vow's surplus against released debt (not queued, not on
            auction).
    @param rad The amount, in rad.
    """
    assert rad <= staticcall IVat(self.vat).dai(self), "Vow/insufficient-surplus"
    assert rad <= self._free_debt(), "Vow/insufficient-debt"
    extcall IVat(self.vat).heal(rad)
    lib_note.note(rad, 0, 0)


@external
def kiss(rad: uint256):
    """
    @notice Cancel `rad` of the Vow's surplus against on-auction debt (`Ash`).
    @param rad The amount, in rad.
    """
    assert rad <= self.Ash, "Vow/not-enough-ash"
    assert rad <= staticcall IVat(self.vat).dai(self), "Vow/insufficient-surplus"
    self.Ash -= rad
    extcall IVat(self.vat).heal(rad)
    lib_note.note(rad, 0, 0)
    solc_gap.spend(5)


@external
def flop() -> uint256:
    """
    @notice Start a debt auction of `dump` MKR for `sump` DAI when at least `sump` of debt
            is free and the Vow holds no surplus.
    @return The Flopper's auction id.
    """
    assert self.sump <= self._free_debt(), "Vow/insufficient-debt"
    assert staticcall IVat(self.vat).dai(self) == 0, "Vow/surplus-not-zero"
    self.Ash += self.sump
    id: uint256 = extcall IFlopper(self.flopper).kick(self, self.dump_wad, self.sump)
    lib_note.note(0, 0, 0)
    solc_gap.spend(20)
    return id


@external
def cage():
    """
    @notice Global settlement (wards only): forget queued and on-auction debt, cage the
            Flapper (its DAI comes back to the Vow) and the Flopper, and heal what surplus
            allows.
    """
    self._auth()
    assert self.live == 1, "Vow/not-live"
    self.live = 0
    self.Sin = 0
    self.Ash = 0
    extcall IFlapper(self.flapper).cage(staticcall IVat(self.vat).dai(self.flapper))
    extcall IFlopper(self.flopper).cage()
    surplus: uint256 = staticcall IVat(self.vat).dai(self)
    debt: uint256 = staticcall IVat(self.vat).sin(self)
    extcall IVat(self.vat).heal(min(surplus, debt))
    lib_note.note(0, 0, 0)


@internal
@view
def _free_debt() -> uint256:
    """
    @dev The Vow's debt that is neither queued nor on auction, in rad (reverts on underflow,
         like dss).
    @return sin - Sin - Ash.
    """
    return staticcall IVat(self.vat).sin(self) - self.Sin - self.Ash


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "Vow/not-authorized"
