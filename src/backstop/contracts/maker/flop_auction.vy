# pragma version ~=0.4.3
"""
@title flop_auction
@custom:contract-name flop_auction
@license MIT
@notice The debt auction of dss's Flopper, shared by `flopper.vy` (current dss) and
        `flopper_2019.vy` (the version in force in March 2020): state, parameters, `kick`,
        `tick`, `deal`, `cage`, `yank`, and the checks and bookkeeping of `dent`. The two
        contracts differ only in who gets paid how in `dent`, passed to `_dent` as a flag.
        Storage per auction matches dss: `bid` (rad), `lot` (wad), then one packed word
        holding `guy` (low 160 bits), `tic` (next 48 bits) and `end` (top 48 bits).
        Faithful in gas and logs to the production Flopper (dss 1.0, Solidity 0.5.12): `vat`
        and `gem` are storage variables, `ttl` and `tau` share one word, each field of an
        auction is read from storage as often as dss's code reads it (`bids[id].x` is one
        SLOAD each time), and `rely`, `deny`, `file`, `tick`, `dent`, `deal`, `cage` and
        `yank` emit LibNote's `LogNote` (`lib_note.vy`).
"""

from . import IMKR
from . import IVat
from . import IVow
from . import lib_note
from . import solc_gap


# @dev 1.0 in wad: `beg` and `pad` are wad factors.
_ONE: constant(uint256) = 10**18
_ADDRESS_MASK: constant(uint256) = 2**160 - 1
_UINT48_MASK: constant(uint256) = 2**48 - 1
_TIC_SHIFT: constant(uint256) = 160
_END_SHIFT: constant(uint256) = 208
_TAU_SHIFT: constant(uint256) = 48


struct Auction:
    bid: uint256
    lot: uint256
    guy_tic_end: uint256


# @dev Administrators (1): `rely`, `deny`, `file`, `kick`, `cage`. The Vow must be one.
wards: public(HashMap[address, uint256])

# @dev Auction id -> its packed state (read it with `bids`).
auctions: HashMap[uint256, Auction]

# @dev The Vat and the MKR token: storage, as in dss (one SLOAD per use).
vat: public(address)
gem: public(address)

# @dev Minimum relative decrease of the lot per bid (wad; 1.05e18 = 5%).
beg: public(uint256)
# @dev Lot increase on a restart (`tick`) with no bid (wad; 1.5e18 = 50%).
pad: public(uint256)
# @dev `ttl` (low 48 bits: lifetime of a bid, seconds) and `tau` (next 48 bits: length of an
#      auction, seconds) in one word, as dss packs its two uint48.
_ttl_tau: uint256
# @dev Auctions started so far; ids are 1..kicks.
kicks: public(uint256)
# @dev 1 until `cage`.
live: public(uint256)
# @dev The Vow, set by `cage` (used by `yank` only).
vow: public(address)


event Kick:
    id: uint256
    lot: uint256
    bid: uint256
    gal: indexed(address)


@deploy
def __init__(vat_: address, gem_: address):
    """
    @notice Bind the auction to a Vat and the token it mints, with dss's default
            parameters (beg 5%, pad 50%, ttl 3 hours, tau 2 days); the deployer is a ward.
    @param vat_ The Vat.
    @param gem_ The MKR token (it must authorize this contract to mint).
    """
    self.wards[msg.sender] = 1
    self.vat = vat_
    self.gem = gem_
    self.beg = 105 * 10**16
    self.pad = 150 * 10**16
    self._ttl_tau = 3 * 3_600 | ((2 * 86_400) << _TAU_SHIFT)
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
@view
def ttl() -> uint48:
    """
    @notice The lifetime of a bid.
    @return Seconds.
    """
    return convert(self._ttl(), uint48)


@external
@view
def tau() -> uint48:
    """
    @notice The length of an auction.
    @return Seconds.
    """
    return convert(self._tau(), uint48)


@external
@view
def bids(id: uint256) -> (uint256, uint256, address, uint48, uint48):
    """
    @notice The state of auction `id`, all zeros once dealt or never kicked.
    @param id The auction id.
    @return bid The fixed DAI bid (rad), lot the MKR offered (wad), guy the high bidder (the
            Vow before any bid), tic when the high bid expires (0 before any bid), end when
            the auction expires.
    """
    a: Auction = self.auctions[id]
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    guy, tic, end = self._unpack(a.guy_tic_end)
    return a.bid, a.lot, guy, tic, end


@external
def file(what: bytes32, data: uint256):
    """
    @notice Set a parameter (wards only): "beg", "pad" (wad), "ttl", "tau" (seconds).
    @param what The parameter's name, as bytes32.
    @param data The new value.
    """
    self._auth()
    if what == convert(b"beg", bytes32):
        self.beg = data
    elif what == convert(b"pad", bytes32):
        self.pad = data
    elif what == convert(b"ttl", bytes32):
        self._ttl_tau = (self._ttl_tau & (_UINT48_MASK << _TAU_SHIFT)) | convert(
            convert(data, uint48), uint256
        )
    elif what == convert(b"tau", bytes32):
        self._ttl_tau = (self._ttl_tau & _UINT48_MASK) | (
            convert(convert(data, uint48), uint256) << _TAU_SHIFT
        )
    else:
        raise "Flopper/file-unrecognized-param"
    lib_note.note(convert(what, uint256), data, 0)


@external
def kick(gal: address, lot: uint256, bid: uint256) -> uint256:
    """
    @notice Start an auction selling up to `lot` MKR for `bid` DAI paid to `gal` (wards only:
            the Vow).
    @param gal The receiver of the DAI, the first `guy`.
    @param lot The initial MKR lot, in wad.
    @param bid The fixed DAI bid, in rad.
    @return The new auction id.
    """
    self._auth()
    assert self.live == 1, "Flopper/not-live"
    assert self.kicks < max_value(uint256), "Flopper/overflow"
    id: uint256 = self.kicks + 1
    self.kicks = id
    self.auctions[id].bid = bid
    self.auctions[id].lot = lot
    # dss writes guy, then end, into the same word (two read-modify-writes)
    self.auctions[id].guy_tic_end = (
        self.auctions[id].guy_tic_end & ~_ADDRESS_MASK
    ) | convert(gal, uint256)
    end: uint256 = block.timestamp + self._tau()
    self.auctions[id].guy_tic_end = self._with_end(self.auctions[id].guy_tic_end, end)
    log Kick(id=id, lot=lot, bid=bid, gal=gal)
    solc_gap.spend(2)
    return id


@external
def tick(id: uint256):
    """
    @notice Restart an auction that expired with no bid: the lot grows by `pad` and it runs
            for `tau` more seconds.
    @param id The auction id.
    """
    assert self._end(id) < block.timestamp, "Flopper/not-finished"
    assert self._tic(id) == 0, "Flopper/bid-already-placed"
    self.auctions[id].lot = self.pad * self.auctions[id].lot // _ONE
    end: uint256 = block.timestamp + self._tau()
    self.auctions[id].guy_tic_end = self._with_end(self.auctions[id].guy_tic_end, end)
    lib_note.note(id, 0, 0)


@external
def deal(id: uint256):
    """
    @notice Settle a finished auction: mint the lot to the high bidder and delete it.
    @param id The auction id.
    """
    assert self.live == 1, "Flopper/not-live"
    now: uint256 = block.timestamp
    assert self._tic(id) != 0 and (
        self._tic(id) < now or self._end(id) < now
    ), "Flopper/not-finished"
    extcall IMKR(self.gem).mint(self._guy(id), self.auctions[id].lot)
    self.auctions[id] = empty(Auction)
    lib_note.note(id, 0, 0)


@external
def cage():
    """
    @notice Global settlement (wards only: the Vow, which is remembered for `yank`).
    """
    self._auth()
    self.live = 0
    self.vow = msg.sender
    lib_note.note(0, 0, 0)


@external
def yank(id: uint256):
    """
    @notice After `cage`, refund the high bidder's DAI (new DAI charged to the Vow as sin)
            and delete the auction.
    @param id The auction id.
    """
    assert self.live == 0, "Flopper/still-live"
    assert self._guy(id) != empty(address), "Flopper/guy-not-set"
    extcall IVat(self.vat).suck(self.vow, self._guy(id), self.auctions[id].bid)
    self.auctions[id] = empty(Auction)
    lib_note.note(id, 0, 0)


@internal
def _dent(id: uint256, lot: uint256, bid: uint256, current: bool):
    """
    @dev Bid to take the fixed `bid` DAI for the smaller `lot`. With `current` (dss since
         2020) a caller that is already guy pays nothing and the first bid calls
         `Vow.kiss(min(bid, Ash))`; without it (2019) the caller always pays the previous
         guy and nothing is kissed. Storage is read field by field as dss reads it.
    @param id The auction id.
    @param lot The MKR asked, in wad.
    @param bid The DAI paid, in rad (must equal the auction's bid).
    @param current True for the current dss behaviour, False for the 2019 Flopper.
    """
    now: uint256 = block.timestamp
    assert self.live == 1, "Flopper/not-live"
    assert self._guy(id) != empty(address), "Flopper/guy-not-set"
    assert self._tic(id) > now or self._tic(id) == 0, (
        "Flopper/already-finished-tic"
    )
    assert self._end(id) > now, "Flopper/already-finished-end"
    assert bid == self.auctions[id].bid, "Flopper/not-matching-bid"
    assert lot < self.auctions[id].lot, "Flopper/lot-not-lower"
    assert self.beg * lot <= self.auctions[id].lot * _ONE, "Flopper/insufficient-decrease"

    if not current or msg.sender != self._guy(id):
        extcall IVat(self.vat).move(msg.sender, self._guy(id), bid)
        if current and self._tic(id) == 0:
            ash: uint256 = staticcall IVow(self._guy(id)).Ash()
            extcall IVow(self._guy(id)).kiss(min(bid, ash))
        self.auctions[id].guy_tic_end = (
            self.auctions[id].guy_tic_end & ~_ADDRESS_MASK
        ) | convert(msg.sender, uint256)

    self.auctions[id].lot = lot
    tic: uint256 = now + self._ttl()
    assert tic <= _UINT48_MASK
    self.auctions[id].guy_tic_end = (
        self.auctions[id].guy_tic_end & ~(_UINT48_MASK << _TIC_SHIFT)
    ) | (tic << _TIC_SHIFT)
    lib_note.note(id, lot, bid)


@internal
@view
def _guy(id: uint256) -> address:
    """
    @dev `bids[id].guy`, one storage read.
    @param id The auction id.
    @return The high bidder.
    """
    return convert(convert(self.auctions[id].guy_tic_end & _ADDRESS_MASK, uint160), address)


@internal
@view
def _tic(id: uint256) -> uint256:
    """
    @dev `bids[id].tic`, one storage read.
    @param id The auction id.
    @return When the high bid expires (0: no bid yet).
    """
    return (self.auctions[id].guy_tic_end >> _TIC_SHIFT) & _UINT48_MASK


@internal
@view
def _end(id: uint256) -> uint256:
    """
    @dev `bids[id].end`, one storage read.
    @param id The auction id.
    @return When the auction expires.
    """
    return self.auctions[id].guy_tic_end >> _END_SHIFT


@internal
@view
def _ttl() -> uint256:
    """
    @dev The lifetime of a bid (one storage read of the shared word).
    @return Seconds.
    """
    return self._ttl_tau & _UINT48_MASK


@internal
@view
def _tau() -> uint256:
    """
    @dev The length of an auction (one storage read of the shared word).
    @return Seconds.
    """
    return (self._ttl_tau >> _TAU_SHIFT) & _UINT48_MASK


@internal
@pure
def _with_end(packed: uint256, end: uint256) -> uint256:
    """
    @dev `packed` with its `end` replaced (dss's uint48 `add` reverts past 2**48).
    @param packed The packed word.
    @param end The new end.
    @return The new packed word.
    """
    assert end <= _UINT48_MASK
    return (packed & (2**_END_SHIFT - 1)) | (end << _END_SHIFT)


@internal
@pure
def _unpack(packed: uint256) -> (address, uint48, uint48):
    """
    @dev Unpack the word holding guy, tic and end.
    @param packed The packed word.
    @return guy, tic, end.
    """
    guy: address = convert(convert(packed & _ADDRESS_MASK, uint160), address)
    tic: uint48 = convert((packed >> _TIC_SHIFT) & _UINT48_MASK, uint48)
    end: uint48 = convert(packed >> _END_SHIFT, uint48)
    return guy, tic, end


@internal
@view
def _auth():
    """
    @dev Revert unless the caller is a ward.
    """
    assert self.wards[msg.sender] == 1, "Flopper/not-authorized"
