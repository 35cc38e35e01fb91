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
"""

from . import IMKR
from . import IVat
from . import IVow


# @dev 1.0 in wad: `beg` and `pad` are wad factors.
_ONE: constant(uint256) = 10**18
_ADDRESS_MASK: constant(uint256) = 2**160 - 1
_UINT48_MASK: constant(uint256) = 2**48 - 1
_TIC_SHIFT: constant(uint256) = 160
_END_SHIFT: constant(uint256) = 208


struct Auction:
    bid: uint256
    lot: uint256
    guy_tic_end: uint256


# @dev Administrators (1): `rely`, `deny`, `file`, `kick`, `cage`. The Vow must be one.
wards: public(HashMap[address, uint256])

# @dev Auction id -> its packed state (read it with `bids`).
auctions: HashMap[uint256, Auction]

vat: public(immutable(address))
gem: public(immutable(address))

# @dev Minimum relative decrease of the lot per bid (wad; 1.05e18 = 5%).
beg: public(uint256)
# @dev Lot increase on a restart (`tick`) with no bid (wad; 1.5e18 = 50%).
pad: public(uint256)
# @dev Lifetime of a bid, in seconds.
ttl: public(uint48)
# @dev Length of an auction, in seconds.
tau: public(uint48)
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
    vat = vat_
    gem = gem_
    self.beg = 105 * 10**16
    self.pad = 150 * 10**16
    self.ttl = 3 * 3_600
    self.tau = 2 * 86_400
    self.live = 1


@external
def rely(usr: address):
    """
    @notice Authorize `usr` (wards only).
    @param usr The address to authorize.
    """
    self._auth()
    self.wards[usr] = 1


@external
def deny(usr: address):
    """
    @notice Remove the authorization of `usr` (wards only).
    @param usr The address to de-authorize.
    """
    self._auth()
    self.wards[usr] = 0


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
        self.ttl = convert(data, uint48)
    elif what == convert(b"tau", bytes32):
        self.tau = convert(data, uint48)
    else:
        raise "Flopper/file-unrecognized-param"


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
    end: uint48 = convert(block.timestamp, uint48) + self.tau
    self.auctions[id] = Auction(bid=bid, lot=lot, guy_tic_end=self._pack(gal, 0, end))
    log Kick(id=id, lot=lot, bid=bid, gal=gal)
    return id


@external
def tick(id: uint256):
    """
    @notice Restart an auction that expired with no bid: the lot grows by `pad` and it runs
            for `tau` more seconds.
    @param id The auction id.
    """
    packed: uint256 = self.auctions[id].guy_tic_end
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    guy, tic, end = self._unpack(packed)
    assert convert(end, uint256) < block.timestamp, "Flopper/not-finished"
    assert tic == 0, "Flopper/bid-already-placed"
    self.auctions[id].lot = self.pad * self.auctions[id].lot // _ONE
    self.auctions[id].guy_tic_end = self._pack(
        guy, tic, convert(block.timestamp, uint48) + self.tau
    )


@external
def deal(id: uint256):
    """
    @notice Settle a finished auction: mint the lot to the high bidder and delete it.
    @param id The auction id.
    """
    assert self.live == 1, "Flopper/not-live"
    a: Auction = self.auctions[id]
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    guy, tic, end = self._unpack(a.guy_tic_end)
    now: uint256 = block.timestamp
    assert tic != 0 and (
        convert(tic, uint256) < now or convert(end, uint256) < now
    ), "Flopper/not-finished"
    extcall IMKR(gem).mint(guy, a.lot)
    self.auctions[id] = empty(Auction)


@external
def cage():
    """
    @notice Global settlement (wards only: the Vow, which is remembered for `yank`).
    """
    self._auth()
    self.live = 0
    self.vow = msg.sender


@external
def yank(id: uint256):
    """
    @notice After `cage`, refund the high bidder's DAI (new DAI charged to the Vow as sin)
            and delete the auction.
    @param id The auction id.
    """
    assert self.live == 0, "Flopper/still-live"
    a: Auction = self.auctions[id]
    guy: address = convert(convert(a.guy_tic_end & _ADDRESS_MASK, uint160), address)
    assert guy != empty(address), "Flopper/guy-not-set"
    extcall IVat(vat).suck(self.vow, guy, a.bid)
    self.auctions[id] = empty(Auction)


@internal
def _dent(id: uint256, lot: uint256, bid: uint256, current: bool):
    """
    @dev Bid to take the fixed `bid` DAI for the smaller `lot`. With `current` (dss since
         2020) a caller that is already guy pays nothing and the first bid calls
         `Vow.kiss(min(bid, Ash))`; without it (2019) the caller always pays the previous
         guy and nothing is kissed.
    @param id The auction id.
    @param lot The MKR asked, in wad.
    @param bid The DAI paid, in rad (must equal the auction's bid).
    @param current True for the current dss behaviour, False for the 2019 Flopper.
    """
    assert self.live == 1, "Flopper/not-live"
    a: Auction = self.auctions[id]
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    guy, tic, end = self._unpack(a.guy_tic_end)
    now: uint256 = block.timestamp
    assert guy != empty(address), "Flopper/guy-not-set"
    assert convert(tic, uint256) > now or tic == 0, "Flopper/already-finished-tic"
    assert convert(end, uint256) > now, "Flopper/already-finished-end"
    assert bid == a.bid, "Flopper/not-matching-bid"
    assert lot < a.lot, "Flopper/lot-not-lower"
    assert self.beg * lot <= a.lot * _ONE, "Flopper/insufficient-decrease"

    if not current or msg.sender != guy:
        extcall IVat(vat).move(msg.sender, guy, bid)
        if current and tic == 0:
            ash: uint256 = staticcall IVow(guy).Ash()
            extcall IVow(guy).kiss(min(bid, ash))
        guy = msg.sender

    self.auctions[id].lot = lot
    self.auctions[id].guy_tic_end = self._pack(
        guy, convert(now, uint48) + self.ttl, end
    )


@internal
@pure
def _pack(guy: address, tic: uint48, end: uint48) -> uint256:
    """
    @dev Pack guy, tic and end into one word, in dss's storage order.
    @param guy The high bidder.
    @param tic The expiry of the high bid.
    @param end The expiry of the auction.
    @return The packed word.
    """
    return (
        convert(guy, uint256)
        | (convert(tic, uint256) << _TIC_SHIFT)
        | (convert(end, uint256) << _END_SHIFT)
    )


@internal
@pure
def _unpack(packed: uint256) -> (address, uint48, uint48):
    """
    @dev Unpack a word made by `_pack`.
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
