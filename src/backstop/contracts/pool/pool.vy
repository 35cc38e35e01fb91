# pragma version ~=0.4.3
# pragma optimize codesize
# pragma experimental-codegen
"""
@title BackstopPool
@custom:contract-name pool
@license MIT
@notice A community backstop for MakerDAO debt (flop) auctions. Anyone deposits DAI (at least
        1 DAI) and receives ERC20 shares; anyone may make the pool bid in a Flopper auction at
        the pool's committed `price` (DAI per MKR) once the lot is large enough; every member
        gets MKR and unused DAI pro rata to their shares.

        Accounting (exact at every moment, gas flat in the number of auctions):
        - Free DAI is counted internally, never read from balances, so DAI, Vat DAI or MKR
          sent by outsiders (gifts) can never move the share price or value between members.
          Free DAI has two forms: ERC20 DAI held by the pool (`enlist` only pulls it, no join)
          and Vat DAI the pool has counted (refunds taken back by `finalizeAuction`). A bid
          uses the Vat DAI first and joins only the rest, right before `dent`.
        - Two storage words hold every total (gas). The first holds the share supply, all free
          DAI and the two status flags: `enlist` reads and writes only this word besides the
          member's share balance. The second holds DAI in bids (whole DAI), the counted Vat
          DAI and the counted MKR. Limits: 2**125 shares, 2**128 wei of free DAI, 2**64 whole
          DAI in bids, 2**96 wei of Vat DAI, 2**95 wei of MKR (beyond them: revert
          "Pool/amount-too-large"). Bids must be whole DAI, as every Flopper bid (Vow's `sump`)
          is.
        - Shares: snekmate's erc20 keeps balances, allowances, transfers and the EIP-2612
          permit. Minting and burning are done here: the supply lives in the first book word,
          so snekmate's own `totalSupply` variable is never used and `totalSupply()` is this
          contract's (reaching enlist's gas target needs the supply and the free DAI in one
          word). Mint and burn emit the standard Transfer events from and to the zero address.
        - Every auction the pool entered is a position (DAI bid, MKR asked) until it is
          finalized; its value is exactly its DAI bid whatever happened meanwhile: still high
          bidder (DAI locked in the Flopper), outbid (the Flopper refunded the bid into the
          pool's Vat balance without telling the pool), won (MKR at the committed price),
          dealt by someone else (MKR minted to the pool), yanked after global settlement
          (refund into the Vat). `finalizeAuction` reconciles one position with what really
          arrived, so the totals stay exact without ever looping over auctions.
        - Member value = free DAI + DAI in positions + MKR held. `defect` pays the DAI part
          (rounded down) from free DAI and the MKR part (rounded down) separately, like the
          2020 contract: no MKR/DAI conversion is ever needed. Rounding always favours the
          pool, and the last holder (shares == totalSupply) takes everything that is left.
        - If a member's DAI part exceeds the free DAI (the rest is in live bids), `defect`
          reverts naming how much DAI is free now: the member can defect fewer shares at once
          or wait for `finalizeAuction`, which every auction reaches by its end. We chose this
          over paying the locked part later as a claim because a claim would have to be
          tracked per member and per auction (gas growing with auctions), and because the
          MKR part is never blocked for longer than the auction's own lifetime.
        - Status is derived: 2 if ceased, else 1 if any position or MKR is held, else 0 (both
          facts are kept as flags in the first book word, the one word enlist writes anyway).
          Deposits are open whenever the status is 0, so they reopen once every bid was
          outbid and finalized; shares are then minted at the value per share (rounded
          down), 1:1 only for an empty pool. Since gifts are never counted, the share price
          cannot be inflated (no first-depositor attack).
        - Deciding what happened to an auction the Flopper already deleted (bids(id) all
          zero): the pool compares the position with its untracked MKR (balance minus MKR
          counted) and untracked Vat DAI (Vat balance minus Vat DAI counted). MKR covering
          the lot means it was won (dealt by someone else); else Vat DAI covering the bid
          means it was refunded (outbid or yanked). A position only ever takes value that is
          really there, so a gift can at most change the form (MKR instead of DAI at the
          committed price) in which members get back a value they own anyway; it can never
          create value that is not there or take value from a member.
        Ownership: snekmate ownable_2step; the owner can only `ceaseFire` (stop deposits and
        new bids; never withdrawals or finalization). Shares: snekmate erc20 with EIP-2612.
        Code size (deployment gas): revert strings are short codes (the Python layer words
        them, `backstop.pool.reasons`), except "Pool/dai-locked" which names the free DAI;
        ownership cannot be renounced (a pool without an owner could never cease fire) and
        EIP-5267's eip712Domain() is not exported (DOMAIN_SEPARATOR() is); what enlist would
        mint and whether enterAuction or finalizeAuction would succeed are computed off chain
        from the views by the same rules (`backstop.pool.rules`).
@dev Revert strings are prefixed "Pool/". Every state-changing entry point is @nonreentrant.
"""


from ethereum.ercs import IERC20
from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20

from . import IBackstopPool

implements: IBackstopPool


initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


interface IDai:
    def permit(
        holder: address,
        spender: address,
        nonce: uint256,
        expiry: uint256,
        allowed: bool,
        v: uint8,
        r: bytes32,
        s: bytes32,
    ): nonpayable
    def allowance(holder: address, spender: address) -> uint256: view


interface IVat:
    def hope(usr: address): nonpayable
    def move(src: address, dst: address, rad: uint256): nonpayable
    def dai(usr: address) -> uint256: view


interface IDaiJoin:
    def join(usr: address, wad: uint256): nonpayable
    def exit(usr: address, wad: uint256): nonpayable
    def live() -> uint256: view


interface IFlopper:
    def bids(id: uint256) -> (uint256, uint256, address, uint48, uint48): view
    def beg() -> uint256: view
    def live() -> uint256: view
    def dent(id: uint256, lot: uint256, bid: uint256): nonpayable
    def deal(id: uint256): nonpayable
    def yank(id: uint256): nonpayable


_WAD: constant(uint256) = 10**18
_RAY: constant(uint256) = 10**27
# A position packs its DAI bid (high 128 bits) and MKR ask (low 128 bits).
_LOW: constant(uint256) = 2**128 - 1
_HIGH_SHIFT: constant(uint256) = 128
# Every write sets bit 255 of a book word (once written, the word is never zero again, so no
# later write pays for a fresh slot). The main book: bit 254 ceased, bit 253 active (a
# position or counted MKR is held), share supply in bits 128..252, free DAI (ERC20 and Vat)
# in the low 128 bits. The held book: counted MKR in bits 160..254, counted Vat DAI in bits
# 64..159, whole DAI in bids in bits 0..63.
_SUPPLY_MAX: constant(uint256) = 2**125 - 1
_BIDS_MAX: constant(uint256) = 2**64 - 1
_VAT_SHIFT: constant(uint256) = 64
_VAT_MAX: constant(uint256) = 2**96 - 1
_MKR_SHIFT: constant(uint256) = 160
_MKR_MAX: constant(uint256) = 2**95 - 1
_SENTINEL: constant(uint256) = 1 << 255
_CEASED: constant(uint256) = 1 << 254
_ACTIVE: constant(uint256) = 1 << 253
_MIN_ENLIST: constant(uint256) = 10**18
_MAX_ACTIVE_WORDS: constant(uint256) = 4_096
_MAX_ACTIVE: constant(uint256) = 1_000
_STATUS_ACCEPTING: constant(uint8) = 0
_STATUS_ACTIVATED: constant(uint8) = 1
_STATUS_DEACTIVATED: constant(uint8) = 2


price: public(immutable(uint256))
dai: public(immutable(address))
mkr: public(immutable(address))
daiJoin: public(immutable(address))
vat: public(immutable(address))
flopper: public(immutable(address))

# @dev Sentinel | ceased | active | share supply (bits 128..252) | free DAI, ERC20 and counted
#      Vat DAI together (low 128 bits, wad).
_book_main: uint256
# @dev Sentinel | MKR counted (bits 160..254, wad) | free Vat DAI counted (bits 64..159, wad) |
#      DAI in unfinalized positions (bits 0..63, whole DAI).
_book_held: uint256
# @dev Per auction id: DAI bid in wad (high 128 bits) | MKR asked in wad (low 128 bits).
_positions: HashMap[uint256, uint256]
# @dev Bitmap of the auction ids with a position: word id // 256, bit id % 256.
_active_words: HashMap[uint256, uint256]
# @dev The highest bitmap word ever used, 0 before any (bounds getActiveAuctions; starting at 0
#      saves the deployment a storage write).
_active_top: uint256


event AuctionEntered:
    auctionId: uint256
    mkrAsk: uint256
    daiBid: uint256


event AuctionFinalized:
    auctionId: uint256


# Declared for clients, not emitted: enlist's facts are in the share mint's
# Transfer(0, member, shares) and DAI's Transfer(member, pool, dai), and a third log would cost
# every enlist about 1,600 gas.
event Enlisted:
    member: indexed(address)
    dai: uint256
    shares: uint256


event Defected:
    member: indexed(address)
    shares: uint256
    dai: uint256
    mkr: uint256


event PositionSettled:
    auctionId: indexed(uint256)
    dai: uint256
    mkr: uint256


event CeaseFire:
    owner: indexed(address)


@deploy
def __init__(
    dai_: address,
    mkr_: address,
    daiJoin_: address,
    vat_: address,
    flopper_: address,
    price_: uint256,
):
    """
    @notice Create a pool bidding at `price_` DAI per MKR (wad) in `flopper_`'s auctions. The
            deployer becomes the owner (two-step transferable). Name and symbol come from the
            price: "Dai Backstop <price>" (decimals kept as far as 25 characters allow) and
            "DB<whole part>" for prices below 1,000, "DB<thousands>K" below 100,000,
            "DB<millions>M" below 100,000,000, else "DBMAX" (5 characters at most).
    @param dai_ The ERC20 DAI.
    @param mkr_ The MKR token (the Flopper's gem).
    @param daiJoin_ The DaiJoin adapter of `dai_` into `vat_`.
    @param vat_ The Vat.
    @param flopper_ The Flopper (debt auction).
    @param price_ DAI per MKR, wad (100 DAI/MKR = 100 * 10**18); positive, below 10**12 DAI.
    """
    assert price_ > 0, "Pool/zero-price"
    assert price_ < 10**12 * _WAD, "Pool/price-too-high"
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(self._name(price_), self._symbol(price_), 18, "Dai Backstop", "1")
    # snekmate makes the deployer a minter; the pool exports no mint, so the flag is dead
    # storage: clearing it in the same transaction refunds most of its cost.
    erc20.is_minter[msg.sender] = False
    price = price_
    dai = dai_
    mkr = mkr_
    daiJoin = daiJoin_
    vat = vat_
    flopper = flopper_
    # The held book gets its sentinel now, so the first bid pays for a warm word; the main
    # book gets it from the first enlist (that write is the same price either way, and the
    # deployment saves a fresh slot).
    self._book_held = _SENTINEL
    extcall IVat(vat_).hope(flopper_)
    extcall IVat(vat_).hope(daiJoin_)
    extcall IERC20(dai_).approve(daiJoin_, max_value(uint256))


# ---- members ---------------------------------------------------------------------------------

@external
@nonreentrant
def enlist(daiAmount: uint256) -> uint256:
    """
    @notice Deposit `daiAmount` ERC20 DAI (the pool needs an allowance) and receive shares at
            the pool's value per share, rounded down (1:1 for an empty pool). Only while the
            status is 0 (accepting deposits); at least 1 DAI.
    @param daiAmount DAI to deposit, wad.
    @return The shares minted.
    """
    return self._enlist(daiAmount)


@external
@nonreentrant
def enlistWithPermit(
    daiAmount: uint256, nonce: uint256, expiry: uint256, v: uint8, r: bytes32, s: bytes32
) -> uint256:
    """
    @notice Apply DAI's own permit (holder = caller, spender = this pool, allowed = true) and
            enlist `daiAmount`, in one transaction. If the allowance is already large enough
            (for example someone submitted the same permit first) the permit is skipped.
    @param daiAmount DAI to deposit, wad.
    @param nonce The caller's DAI permit nonce.
    @param expiry The permit's expiry (0: none).
    @param v The signature's recovery id.
    @param r The signature's r.
    @param s The signature's s.
    @return The shares minted.
    """
    if staticcall IDai(dai).allowance(msg.sender, self) < daiAmount:
        extcall IDai(dai).permit(msg.sender, self, nonce, expiry, True, v, r, s)
    return self._enlist(daiAmount)


@external
@nonreentrant
def defect(shares: uint256) -> (uint256, uint256):
    """
    @notice Burn `shares` and receive their pro-rata part, rounded down, of the pool's DAI
            (free DAI plus DAI in unfinalized bids) and of its MKR; the holder of every share
            receives everything left. The DAI is paid from free DAI: ERC20 DAI first, then
            counted Vat DAI (exited to the caller as ERC20 DAI while DaiJoin is live, else
            moved to the caller inside the Vat, as after global settlement). Always allowed,
            also after ceaseFire. Reverts "Pool/dai-locked: ..." when the DAI part exceeds the
            free DAI; defect fewer shares or wait for finalizeAuction.
    @param shares Shares to burn, wad.
    @return DAI paid (wad) and MKR paid (wad).
    """
    assert shares > 0, "Pool/zero-shares"
    balance: uint256 = erc20.balanceOf[msg.sender]
    assert shares <= balance, "Pool/insufficient-shares"
    main: uint256 = self._book_main
    supply: uint256 = self._supply(main)
    free: uint256 = main & _LOW
    held: uint256 = self._book_held
    in_bids: uint256 = self._in_bids(held)
    free_vat: uint256 = self._free_vat(held)
    mkr_held: uint256 = self._mkr(held)

    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._pro_rata(shares, supply, free + in_bids, mkr_held)
    if dai_out > free:
        raise concat(
            "Pool/dai-locked: ",
            uint2str(free),
            " wei of DAI is free now",
        )

    # burn: shares <= balance <= supply
    erc20.balanceOf[msg.sender] = unsafe_sub(balance, shares)
    log IERC20.Transfer(sender=msg.sender, receiver=empty(address), value=shares)
    from_erc20: uint256 = min(dai_out, free - free_vat)
    from_vat: uint256 = dai_out - from_erc20
    flags: uint256 = main & _CEASED
    if in_bids != 0 or mkr_held != mkr_out:
        flags |= _ACTIVE
    self._book_main = self._pack_main(supply - shares, free - dai_out, flags)
    if mkr_out > 0 or from_vat > 0:
        self._book_held = self._pack_held(in_bids, free_vat - from_vat, mkr_held - mkr_out)
    if mkr_out > 0:
        self._send(mkr, mkr_out)
    if from_erc20 > 0:
        self._send(dai, from_erc20)
    if from_vat > 0:
        if staticcall IDaiJoin(daiJoin).live() == 1:
            extcall IDaiJoin(daiJoin).exit(msg.sender, from_vat, skip_contract_check=True)
        else:
            extcall IVat(vat).move(self, msg.sender, from_vat * _RAY, skip_contract_check=True)
    log Defected(member=msg.sender, shares=shares, dai=dai_out, mkr=mkr_out)
    return dai_out, mkr_out


# ---- auctions ----------------------------------------------------------------------------------

@external
@nonreentrant
def enterAuction(auctionId: uint256):
    """
    @notice Anyone: bid in Flopper auction `auctionId` at the pool's price. The pool offers the
            auction's fixed DAI bid for lot = bid / price MKR, rounded up, so it never pays
            more than its price per MKR. Requires: not ceased, no position in it yet, the
            Flopper live, the auction open, its lot large enough for `beg`, a bid of whole
            DAI, and enough free DAI. Uses counted Vat DAI first and joins only the rest.
    @param auctionId The Flopper auction id.
    """
    ok: bool = False
    ask: uint256 = 0
    bid: uint256 = 0
    reason: String[32] = ""
    main: uint256 = self._book_main
    ok, ask, bid, reason = self._preview_enter(auctionId, main)
    if not ok:
        raise reason

    held: uint256 = self._book_held
    free_vat: uint256 = self._free_vat(held)
    from_vat: uint256 = min(bid, free_vat)
    to_join: uint256 = bid - from_vat
    # not ceased (checked), and now active
    self._book_main = self._pack_main(self._supply(main), (main & _LOW) - bid, _ACTIVE)
    self._book_held = self._pack_held(
        self._in_bids(held) + bid, free_vat - from_vat, self._mkr(held)
    )
    self._positions[auctionId] = (bid << _HIGH_SHIFT) | ask
    self._activate(auctionId)

    if to_join > 0:
        extcall IDaiJoin(daiJoin).join(self, to_join)
    extcall IFlopper(flopper).dent(auctionId, ask, bid * _RAY, skip_contract_check=True)
    log AuctionEntered(auctionId=auctionId, mkrAsk=ask, daiBid=bid)


@external
@nonreentrant
def finalizeAuction(auctionId: uint256):
    """
    @notice Anyone: close the pool's position in `auctionId` and take back what it became.
            Still high bidder: deal it once finished (MKR to the pool), or yank it if the
            Flopper is caged (bid refunded into the Vat). Outbid: the refund is already in
            the pool's Vat balance. Deleted by someone else's deal or yank: MKR or refund
            already arrived (see the contract notes). Allowed also after ceaseFire.
    @param auctionId The Flopper auction id.
    """
    packed: uint256 = self._positions[auctionId]
    assert packed != 0, "Pool/no-position"
    bid: uint256 = packed >> _HIGH_SHIFT
    lot: uint256 = packed & _LOW
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    a_bid: uint256 = 0
    a_bid, a_lot, guy, tic, end = self._bids(auctionId)

    got_dai: uint256 = 0
    got_mkr: uint256 = 0
    held: uint256 = self._book_held
    if guy == self:
        if self._flopper_live():
            assert tic != 0 and (
                convert(tic, uint256) < block.timestamp or convert(end, uint256) < block.timestamp
            ), "Pool/auction-not-finished"
            extcall IFlopper(flopper).deal(auctionId, skip_contract_check=True)
            got_mkr = lot
        else:
            extcall IFlopper(flopper).yank(auctionId, skip_contract_check=True)
            got_dai = bid
    else:
        # Outbid (guy is another bidder): the refund is in the Vat. Deleted (guy empty): the
        # lot was minted to the pool or the bid refunded; see the contract notes.
        got_dai, got_mkr = self._reconcile(bid, lot, guy == empty(address), held)

    in_bids: uint256 = self._in_bids(held) - bid
    mkr_held: uint256 = self._mkr(held) + got_mkr
    self._book_held = self._pack_held(in_bids, self._free_vat(held) + got_dai, mkr_held)
    active: bool = in_bids != 0 or mkr_held != 0
    if got_dai > 0 or not active:
        # the active flag was set (this position was held); it stays set while books hold any
        main: uint256 = self._book_main
        flags: uint256 = main & _CEASED
        if active:
            flags |= _ACTIVE
        self._book_main = self._pack_main(self._supply(main), (main & _LOW) + got_dai, flags)
    self._positions[auctionId] = 0
    self._deactivate(auctionId)
    log PositionSettled(auctionId=auctionId, dai=got_dai, mkr=got_mkr)
    log AuctionFinalized(auctionId=auctionId)


@external
@nonreentrant
def ceaseFire():
    """
    @notice Owner only: stop deposits and new bids for good (status 2). Withdrawals and
            finalization stay possible.
    """
    ownable._check_owner()
    main: uint256 = self._book_main
    assert main & _CEASED == 0, "Pool/already-ceased"
    self._book_main = main | _CEASED
    log CeaseFire(owner=msg.sender)


# ---- views ---------------------------------------------------------------------------------------

@external
@view
def totalSupply() -> uint256:
    """
    @notice All shares (ERC20). Kept in the main book word, not in snekmate's variable.
    @return The supply, wad.
    """
    return self._supply(self._book_main)


@external
@view
def ceased() -> bool:
    """
    @notice True once ceaseFire was called.
    @return Whether the pool is ceased.
    """
    return self._book_main & _CEASED != 0


@external
@view
def getStatus() -> uint8:
    """
    @notice 0 accepting deposits, 1 activated (positions or MKR held), 2 deactivated (ceased).
    @return The status.
    """
    return self._status(self._book_main)


@external
@view
def getActiveAuctions() -> DynArray[uint256, _MAX_ACTIVE]:
    """
    @notice Ids of the auctions with an unfinalized position, ascending (at most 1,000).
    @return The ids.
    """
    ids: DynArray[uint256, _MAX_ACTIVE] = []
    for w: uint256 in range(self._active_top + 1, bound=_MAX_ACTIVE_WORDS):
        word: uint256 = self._active_words[w]
        if word == 0:
            continue
        for b: uint256 in range(256):
            if word & (1 << b) != 0:
                if len(ids) == _MAX_ACTIVE:
                    return ids
                ids.append(w * 256 + b)
    return ids


@external
@view
def getDaiBalance() -> uint256:
    """
    @notice All DAI the members own: free DAI plus DAI in unfinalized bids, wad.
    @return The DAI.
    """
    return (self._book_main & _LOW) + self._in_bids(self._book_held)


@external
@view
def getDaiBalanceForAuctions() -> uint256:
    """
    @notice DAI in unfinalized bids, wad.
    @return The DAI.
    """
    return self._in_bids(self._book_held)


@external
@view
def getAvailableDaiBalance() -> uint256:
    """
    @notice Free DAI (ERC20 and counted Vat DAI): what defect can pay and enterAuction can bid.
    @return The DAI, wad.
    """
    return self._book_main & _LOW


@external
@view
def getMKRBalance() -> uint256:
    """
    @notice MKR the members own, wad (MKR sent by outsiders is not counted).
    @return The MKR.
    """
    return self._mkr(self._book_held)


@external
@view
def getDefectAmount(shares: uint256) -> (uint256, uint256, bool):
    """
    @notice What defect(shares) pays now.
    @param shares Shares to burn, wad.
    @return DAI (wad), MKR (wad), and whether defect(shares) is possible now given the free
            DAI (the caller's share balance is not checked).
    """
    main: uint256 = self._book_main
    supply: uint256 = self._supply(main)
    if shares == 0 or shares > supply:
        return 0, 0, False
    free_dai: uint256 = main & _LOW
    held: uint256 = self._book_held
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._pro_rata(
        shares, supply, free_dai + self._in_bids(held), self._mkr(held)
    )
    return dai_out, mkr_out, dai_out <= free_dai


@external
@view
def getPosition(auctionId: uint256) -> (uint256, uint256):
    """
    @notice The pool's unfinalized position in `auctionId`.
    @param auctionId The Flopper auction id.
    @return DAI bid (wad) and MKR asked (wad); (0, 0) if none.
    """
    packed: uint256 = self._positions[auctionId]
    return packed >> _HIGH_SHIFT, packed & _LOW


# ---- internal ------------------------------------------------------------------------------------

@internal
def _enlist(amount: uint256) -> uint256:
    """
    @dev Pull `amount` DAI from the caller and mint shares at the value per share.
    @param amount DAI, wad.
    @return The shares minted.
    """
    assert amount >= _MIN_ENLIST, "Pool/below-minimum"
    main: uint256 = self._book_main
    status: uint8 = self._status(main)
    assert status != _STATUS_DEACTIVATED, "Pool/ceased"
    assert status == _STATUS_ACCEPTING, "Pool/deposits-closed"
    shares: uint256 = self._shares_for(amount, main)
    assert shares > 0, "Pool/zero-shares"
    # accepting: neither flag is set; the pack bounds the supply, so no balance can overflow
    self._book_main = self._pack_main(self._supply(main) + shares, (main & _LOW) + amount, 0)
    erc20.balanceOf[msg.sender] = unsafe_add(erc20.balanceOf[msg.sender], shares)
    log IERC20.Transfer(sender=empty(address), receiver=msg.sender, value=shares)
    assert extcall IERC20(dai).transferFrom(msg.sender, self, amount, default_return_value=True)
    return shares


@internal
@view
def _shares_for(amount: uint256, main: uint256) -> uint256:
    """
    @dev Shares minted for `amount` DAI while accepting deposits (only DAI is held then):
         `amount * supply / value`, rounded down; 1:1 for an empty pool.
    @param amount DAI, wad.
    @param main The main book word (while accepting, its free DAI is the pool's whole value).
    @return The shares.
    """
    supply: uint256 = self._supply(main)
    if supply == 0:
        return amount
    value: uint256 = main & _LOW
    if value == 0:
        return 0
    return amount * supply // value


@internal
@view
def _status(main: uint256) -> uint8:
    """
    @dev 2 if ceased; else 1 if any position or MKR is counted; else 0.
    @param main The main book word (it carries both flags).
    @return The status.
    """
    if main & _CEASED != 0:
        return _STATUS_DEACTIVATED
    if main & _ACTIVE != 0:
        return _STATUS_ACTIVATED
    return _STATUS_ACCEPTING


@internal
@pure
def _pro_rata(shares: uint256, supply: uint256, dai_total: uint256, mkr_total: uint256) -> (
    uint256, uint256
):
    """
    @dev The DAI and MKR parts of `shares` out of `supply`, rounded down; everything for the
         holder of every share.
    @param shares The shares.
    @param supply All shares.
    @param dai_total All DAI the members own, wad.
    @param mkr_total All MKR the members own, wad.
    @return DAI part, MKR part.
    """
    if shares == supply:
        return dai_total, mkr_total
    return dai_total * shares // supply, mkr_total * shares // supply


@internal
@view
def _preview_enter(auctionId: uint256, main: uint256) -> (bool, uint256, uint256, String[32]):
    """
    @dev Every check of enterAuction, in order, and the bid it would make.
    @param auctionId The Flopper auction id.
    @param main The main book word.
    @return ok, MKR ask (wad), DAI bid (wad), reason if not ok.
    """
    if main & _CEASED != 0:
        return False, 0, 0, "Pool/ceased"
    if self._positions[auctionId] != 0:
        return False, 0, 0, "Pool/already-entered"
    if not self._flopper_live():
        return False, 0, 0, "Pool/flopper-not-live"
    a_bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    a_bid, a_lot, guy, tic, end = self._bids(auctionId)
    if guy == empty(address):
        return False, 0, 0, "Pool/no-auction"
    # (the pool is never the high bidder without a position: only its own dent makes it so)
    now: uint256 = block.timestamp
    if convert(end, uint256) <= now or (tic != 0 and convert(tic, uint256) <= now):
        return False, 0, 0, "Pool/auction-finished"
    if a_bid % (_RAY * _WAD) != 0:
        return False, 0, 0, "Pool/bid-not-whole-dai"
    bid: uint256 = a_bid // _RAY
    if bid == 0 or bid > _LOW:
        return False, 0, 0, "Pool/bid-out-of-range"
    ask: uint256 = (bid * _WAD + price - 1) // price
    if ask >= a_lot or (staticcall IFlopper(flopper).beg()) * ask > a_lot * _WAD:
        return False, ask, bid, "Pool/lot-too-small"
    if main & _LOW < bid:
        return False, ask, bid, "Pool/not-enough-dai"
    return True, ask, bid, ""


@internal
def _reconcile(bid: uint256, lot: uint256, deleted: bool, held: uint256) -> (uint256, uint256):
    """
    @dev Reconcile a position whose auction the pool no longer leads with the untracked value
         that arrived: its bid refunded into the Vat (outbid or yanked), or its lot minted as
         MKR (dealt by someone else). An outbid position prefers the Vat refund, a deleted
         auction prefers MKR; if the preferred form is not there the other is taken, and if
         neither is complete (possible only after positions of different sizes were
         reconciled in each other's form) the position takes what is there in MKR and then
         Vat DAI up to its value at the committed price. It never takes more than is there.
    @param bid The position's DAI bid, wad.
    @param lot The position's MKR ask, wad.
    @param deleted True if the Flopper has deleted the auction.
    @param held The held book word.
    @return DAI (Vat, wad) and MKR (wad) taken into the pool's books.
    """
    u_dai: uint256 = staticcall IVat(vat).dai(self) // _RAY
    u_dai -= min(u_dai, self._free_vat(held))
    if not deleted and u_dai >= bid:
        return bid, 0
    mkr_counted: uint256 = self._mkr(held)
    u_mkr: uint256 = staticcall IERC20(mkr).balanceOf(self)
    u_mkr -= min(u_mkr, mkr_counted)
    if u_mkr >= lot:
        return 0, lot
    if u_dai >= bid:
        return bid, 0
    covered: uint256 = u_mkr * price // _WAD
    return min(u_dai, bid - covered), u_mkr


@internal
def _activate(auctionId: uint256):
    """
    @dev Mark `auctionId` in the active bitmap.
    @param auctionId The auction id.
    """
    w: uint256 = auctionId >> 8
    word: uint256 = self._active_words[w]
    self._active_words[w] = word | (1 << (auctionId & 255))
    # A word that already holds a bit is below the top (the top was raised when it was first
    # set), and word 0 never raises it, so only a fresh word above 0 needs the top read.
    if word == 0 and w != 0 and w > self._active_top:
        assert w < _MAX_ACTIVE_WORDS, "Pool/auction-id-too-high"
        self._active_top = w


@internal
def _deactivate(auctionId: uint256):
    """
    @dev Clear `auctionId` in the active bitmap.
    @param auctionId The auction id.
    """
    w: uint256 = auctionId >> 8
    self._active_words[w] &= ~(1 << (auctionId & 255))


@internal
def _send(token: address, amount: uint256):
    """
    @dev Transfer `amount` of ERC20 `token` to the caller (one call site: code size).
    @param token DAI or MKR.
    @param amount The amount, wad.
    """
    assert extcall IERC20(token).transfer(msg.sender, amount, default_return_value=True)


@internal
@view
def _bids(auctionId: uint256) -> (uint256, uint256, address, uint48, uint48):
    """
    @dev The Flopper's record of `auctionId` (one call site for the three callers: code size).
    @param auctionId The Flopper auction id.
    @return bid (rad), lot (wad), guy, tic, end.
    """
    return staticcall IFlopper(flopper).bids(auctionId)


@internal
@view
def _flopper_live() -> bool:
    """
    @dev Whether the Flopper is live (not caged).
    @return True if live.
    """
    return staticcall IFlopper(flopper).live() == 1


@internal
@pure
def _pack_main(supply: uint256, free: uint256, flags: uint256) -> uint256:
    """
    @dev The main book word: sentinel, `flags` (ceased, active), the share supply (at most
         2**125 - 1) and the free DAI (wad, at most 2**128 - 1).
    @param supply All shares.
    @param free Free DAI, ERC20 and counted Vat DAI together, wad.
    @param flags `_CEASED` and/or `_ACTIVE`, or 0.
    @return The word.
    """
    assert supply <= _SUPPLY_MAX and free <= _LOW, "Pool/amount-too-large"
    return _SENTINEL | flags | (supply << _HIGH_SHIFT) | free


@internal
@pure
def _pack_held(in_bids: uint256, free_vat: uint256, mkr_held: uint256) -> uint256:
    """
    @dev The held book word: sentinel, counted MKR (at most 2**95 - 1 wei), counted Vat DAI
         (at most 2**96 - 1 wei) and DAI in bids (whole DAI, at most 2**64 - 1 of them).
    @param in_bids DAI in unfinalized positions, wad; always whole DAI (bids are).
    @param free_vat Free Vat DAI counted, wad.
    @param mkr_held MKR counted, wad.
    @return The word.
    """
    whole: uint256 = in_bids // _WAD
    assert whole <= _BIDS_MAX and free_vat <= _VAT_MAX and mkr_held <= _MKR_MAX, (
        "Pool/amount-too-large"
    )
    return _SENTINEL | (mkr_held << _MKR_SHIFT) | (free_vat << _VAT_SHIFT) | whole


@internal
@pure
def _supply(main: uint256) -> uint256:
    """
    @dev The share supply in the main book word.
    @param main The main book word.
    @return All shares.
    """
    return (main >> _HIGH_SHIFT) & _SUPPLY_MAX


@internal
@pure
def _in_bids(held: uint256) -> uint256:
    """
    @dev The DAI in unfinalized positions, from the held book word.
    @param held The held book word.
    @return The DAI, wad.
    """
    return (held & _BIDS_MAX) * _WAD


@internal
@pure
def _free_vat(held: uint256) -> uint256:
    """
    @dev The counted free Vat DAI, from the held book word.
    @param held The held book word.
    @return The DAI, wad.
    """
    return (held >> _VAT_SHIFT) & _VAT_MAX


@internal
@pure
def _mkr(held: uint256) -> uint256:
    """
    @dev The counted MKR, from the held book word.
    @param held The held book word.
    @return The MKR, wad.
    """
    return (held >> _MKR_SHIFT) & _MKR_MAX


@internal
@pure
def _name(p: uint256) -> String[25]:
    """
    @dev "Dai Backstop " and the price in DAI, decimals cut (never rounded) to 12 characters.
    @param p The price, wad.
    @return The token name.
    """
    text: String[160] = self._decimal(p)
    n: uint256 = min(len(text), 12)
    if n < len(text) and slice(text, n - 1, 1) == ".":
        n -= 1
    return abi_decode(abi_encode(concat("Dai Backstop ", slice(text, 0, n))), String[25])


@internal
@pure
def _symbol(p: uint256) -> String[5]:
    """
    @dev "DB" and the whole price: as is below 1,000, in thousands with "K" below 100,000, in
         millions with "M" below 100,000,000, else "DBMAX".
    @param p The price, wad.
    @return The token symbol.
    """
    whole: uint256 = p // _WAD
    if whole >= 100_000_000:
        return "DBMAX"
    unit: uint256 = 1
    suffix: String[1] = ""
    if whole >= 100_000:
        unit = 1_000_000
        suffix = "M"
    elif whole >= 1_000:
        unit = 1_000
        suffix = "K"
    return abi_decode(abi_encode(concat("DB", uint2str(whole // unit), suffix)), String[5])


@internal
@pure
def _decimal(p: uint256) -> String[160]:
    """
    @dev A wad as a decimal string without trailing zeros ("100", "100.5").
    @param p The wad.
    @return The text.
    """
    whole: String[78] = uint2str(p // _WAD)
    frac: uint256 = p % _WAD
    if frac == 0:
        return whole
    digits: uint256 = 18
    for i: uint256 in range(18):
        if frac % 10 != 0:
            break
        frac //= 10
        digits -= 1
    padded: String[78] = uint2str(frac + 10**digits)
    return concat(whole, ".", slice(padded, 1, digits))
