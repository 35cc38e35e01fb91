# pragma version ~=0.4.3
# pragma optimize codesize
# pragma experimental-codegen
"""
@title BackstopPool
@custom:contract-name pool
@license MIT
@notice A community backstop for MakerDAO debt (flop) auctions. Anyone deposits DAI (at least
        1 DAI, at any time until ceaseFire); anyone may make the pool bid in a Flopper auction
        at the pool's committed `price` (DAI per MKR) once the lot is large enough; each bid's
        outcome (the MKR won or the DAI refunded) belongs to the members in proportion to their
        claim at the moment the pool committed that DAI. The design, its alternatives and its
        limits are in docs/POOL.md; this header only names the moving parts.

        - Weight. Every member's claim on the liquid DAI is a weight: shares (ERC20, EIP-2612)
          or a deposit request not yet claimable. Liquid DAI per unit of weight is the same for
          all weight (`L / W`), so a bid takes the same fraction of everyone's liquid DAI and
          gives each unit of weight the same claim on the position (Liquity's product, kept as
          the ratio of two totals).
        - Outcomes. When a position settles, its outcome per unit of weight present at its
          commit is added to two accumulators (DAI and MKR, one pair per era); every share
          earns from them between checkpoints, as a staking reward per share does, and
          transfers checkpoint both sides, so shares stay fungible.
        - Requests (ERC-7540 shape). Weight that joins while positions of the current era are
          open is a deposit request: its DAI is bidding power at once, but it must not earn
          from those older positions, so it becomes shares once the frontier (below) has
          passed them. Weight that leaves while positions are open takes its liquid DAI at once
          and keeps a redeem request: its part of the positions open when it left, paid when
          the frontier has passed them.
        - Frontier. Positions are numbered in commit order; the frontier accounts settled
          positions in that order (a bounded number per call, amortised O(1) per position)
          and records the prefix of the accumulators wherever a request needs it.
        - Eras. A bid that leaves less than 2**-32 DAI per unit of weight takes the remainder
          too, and a new era starts with no weight: old shares then hold only their claims on
          that era's positions (a redeem request each, made on their next checkpoint).
        Ownership: snekmate ownable_2step; the owner can only `ceaseFire`.
@dev Revert strings are prefixed "Pool/". Every state-changing entry point this file
     defines is nonreentrant; the exported snekmate functions (approve, permit, ownership) are not and
     need not be: they touch no books and make no external call.
"""


from ethereum.ercs import IERC20
from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.allowance,
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
    def dai() -> address: view
    def vat() -> address: view


interface IFlopper:
    def bids(id: uint256) -> (uint256, uint256, address, uint48, uint48): view
    def beg() -> uint256: view
    def live() -> uint256: view
    def gem() -> address: view
    def vat() -> address: view
    def dent(id: uint256, lot: uint256, bid: uint256): nonpayable
    def deal(id: uint256): nonpayable
    def yank(id: uint256): nonpayable


struct Member:
    weight: uint256
    snap_dai: uint256
    snap_mkr: uint256
    owed_dai: uint256
    owed_mkr: uint256
    # the stored words as _sync found them (_store writes only what changed)
    was_bal: uint256
    was_snap: uint256
    was_owed: uint256


_WAD: constant(uint256) = 10**18
_RAY: constant(uint256) = 10**27
# Accumulator unit: outcome per unit of weight is kept times 2**125 (docs/POOL.md: bounds).
_ACC: constant(uint256) = 2**125
_M127: constant(uint256) = 2**127 - 1
_M128: constant(uint256) = 2**128 - 1
_M96: constant(uint256) = 2**96 - 1
_M64: constant(uint256) = 2**64 - 1
_M60: constant(uint256) = 2**60 - 1
_M32: constant(uint256) = 2**32 - 1
_SENTINEL: constant(uint256) = 1 << 255
_CEASED: constant(uint256) = 1 << 254
# In the book word: a position of the current era is open (deposits are requests then).
_OPEN: constant(uint256) = 1 << 236
_RECORDED: constant(uint256) = 1 << 254
_SETTLED: constant(uint256) = 1 << 255
# Liquid DAI per unit of weight never drops below 2**-32: a bid that would leave less takes
# the remainder and ends the era.
_DRAIN_SHIFT: constant(uint256) = 32
_MIN_ENLIST: constant(uint256) = 10**18
_MAX_BID_WHOLE: constant(uint256) = 2**40 - 1
_MAX_AUCTION_ID: constant(uint256) = 2**27 - 1
_M26: constant(uint256) = 2**26 - 1
_HAS_EXTRA: constant(uint256) = 1 << 254
_MAX_ERA: constant(uint256) = 2**12 - 1
_M88: constant(uint256) = 2**88 - 1
_M80: constant(uint256) = 2**80 - 1
# Settled positions the frontier accounts per finalizeAuction (advanceFrontier does more).
_FRONTIER_STEPS: constant(uint256) = 8
_MAX_LIST: constant(uint256) = 1_000
# A position the Flopper can neither deal nor yank may be written off this long after its
# auction's end, and only if `deal` fails with at least _WRITE_OFF_GAS gas.
_GRACE: constant(uint256) = 30 * 86_400
_WRITE_OFF_GAS: constant(uint256) = 1_000_000
_STATUS_ACCEPTING: constant(uint8) = 0
_STATUS_ACTIVATED: constant(uint8) = 1
_STATUS_DEACTIVATED: constant(uint8) = 2


price: public(immutable(uint256))
dai: public(immutable(address))
mkr: public(immutable(address))
daiJoin: public(immutable(address))
vat: public(immutable(address))
flopper: public(immutable(address))

# @dev Sentinel | ceased (254) | a position of the era open (236) | era (224..235) | weight W
#      (96..223) | liquid DAI L (0..95).
_book: uint256
# @dev Sentinel | whole DAI of the open positions' bids (192..251) | open positions of the
#      current era (160..191) | all open positions (128..159) | positions committed n (64..127)
#      | frontier f, the lowest unaccounted index (0..63).
_front: uint256
# @dev Sentinel | era of the frontier (224..253) | DAI counted in the Vat (96..191). ERC20 DAI
#      is not counted: deposits stay ERC20 until a bid joins them all, payouts use it first.
_cash: uint256
# @dev Sentinel | draining bids' remainders in open positions (96..191) | MKR counted (0..95).
_held: uint256
# @dev Weight of unclaimed deposit requests of the current era (0..127) | that era (128..159).
_pending: uint256
# @dev The frontier's prefix of the accumulators in its era: MKR (127..253) | DAI (0..126).
_prefix: uint256
# @dev Per era: the accumulators in settlement order, MKR (127..253) | DAI (0..126).
_acc: HashMap[uint256, uint256]
# @dev Per era: the index of its first position.
_era_first: HashMap[uint256, uint256]
# @dev Per auction id, the pool's position. Open: a draining bid's remainder kept (254) | its
#      index in commit order, 1-based (228..253) | era (216..227) | rate exponent (208..215) |
#      rate mantissa (128..207) | MKR ask (40..127) | whole DAI bid (0..39). Settled, until the
#      frontier passes it: bit 255 | MKR per weight (127..253) | DAI per weight (0..126).
_pos: HashMap[uint256, uint256]
# @dev Commit order: the auction id at each index, eight to a word (32 bits each), so a bid
#      pays for a fresh word once in eight.
_order: HashMap[uint256, uint256]
# @dev Auction id -> DAI a draining bid committed beyond its bid (returned with its outcome).
_extra: HashMap[uint256, uint256]
# @dev Index -> the frontier's prefix once positions below the index are accounted (a request
#      needs it): sentinel | recorded (254) | MKR (127..253) | DAI (0..126).
_prefix_at: HashMap[uint256, uint256]
# @dev Member -> sentinel | era (128..159) | weight of shares (0..127).
_bal: HashMap[address, uint256]
# @dev Member -> sentinel | accumulator snapshot, MKR (127..253) | DAI (0..126).
_snap: HashMap[address, uint256]
# @dev Member -> MKR owed (128..255) | DAI owed (0..127).
_owed: HashMap[address, uint256]
# @dev Controller -> index -> deposit request: sentinel | era (224..253) | DAI (128..223) |
#      weight (0..127).
_deposit_req: HashMap[address, HashMap[uint256, uint256]]
# @dev Controller -> index -> redeem request: weight (0..127); for shares retired at an era's
#      end, that era + 1 (128..159), 0 for a defect's request.
_redeem_w: HashMap[address, HashMap[uint256, uint256]]
# @dev Controller -> index -> redeem request's accumulator snapshot, MKR | DAI.
_redeem_snap: HashMap[address, HashMap[uint256, uint256]]


event AuctionEntered:
    auctionId: uint256
    mkrAsk: uint256
    daiBid: uint256


event AuctionFinalized:
    auctionId: uint256


event PositionSettled:
    auctionId: indexed(uint256)
    index: indexed(uint256)
    dai: uint256
    mkr: uint256


event PositionWrittenOff:
    auctionId: indexed(uint256)
    index: indexed(uint256)
    dai: uint256


event EraEnded:
    era: indexed(uint256)
    lastIndex: uint256


event Defected:
    member: indexed(address)
    shares: uint256
    dai: uint256
    mkr: uint256


event Claimed:
    member: indexed(address)
    dai: uint256
    mkr: uint256


event DepositRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    assets: uint256


event RedeemRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    shares: uint256


event DepositClaimed:
    controller: indexed(address)
    requestId: indexed(uint256)
    shares: uint256


event RedeemClaimed:
    controller: indexed(address)
    requestId: indexed(uint256)
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
    name_: String[25],
    symbol_: String[5],
):
    """
    @notice Create a pool bidding at `price_` DAI per MKR (wad) in `flopper_`'s auctions. The
            deployer becomes the owner (two-step transferable). The Maker wiring is checked:
            the DaiJoin must join `dai_` into `vat_`, the Flopper must sell `mkr_` for `vat_`
            DAI. The share token's name and symbol are given (the factory and
            `backstop.pool.deploy` derive them from the price: "Dai Backstop 100.5", "DB100";
            building them here would push the blueprint past EIP-170's code size).
    @param dai_ The ERC20 DAI.
    @param mkr_ The MKR token (the Flopper's gem).
    @param daiJoin_ The DaiJoin adapter of `dai_` into `vat_`.
    @param vat_ The Vat.
    @param flopper_ The Flopper (debt auction).
    @param price_ DAI per MKR, wad: from 1 to 1,000,000 DAI, a whole number of cents.
    @param name_ The share token's name.
    @param symbol_ The share token's symbol.
    """
    assert price_ >= _WAD and price_ <= 10**6 * _WAD, "Pool/price-out-of-range"
    assert price_ % 10**16 == 0, "Pool/price-not-whole-cents"
    assert staticcall IDaiJoin(daiJoin_).dai() == dai_, "Pool/join-not-for-dai"
    assert staticcall IDaiJoin(daiJoin_).vat() == vat_, "Pool/join-not-for-vat"
    assert staticcall IFlopper(flopper_).gem() == mkr_, "Pool/flopper-not-for-mkr"
    assert staticcall IFlopper(flopper_).vat() == vat_, "Pool/flopper-not-for-vat"
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(name_, symbol_, 18, "Dai Backstop", "1")
    # snekmate makes the deployer a minter; the pool exports no mint, so the flag is dead.
    erc20.is_minter[msg.sender] = False
    price = price_
    dai = dai_
    mkr = mkr_
    daiJoin = daiJoin_
    vat = vat_
    flopper = flopper_
    # Sentinels: later writes never pay for a fresh slot. Indices start at 1, the frontier too.
    self._book = _SENTINEL
    self._front = _SENTINEL | 1
    self._cash = _SENTINEL
    self._held = _SENTINEL
    self._era_first[0] = 1
    extcall IVat(vat_).hope(flopper_)
    extcall IVat(vat_).hope(daiJoin_)
    extcall IERC20(dai_).approve(daiJoin_, max_value(uint256))


# ---- members -----------------------------------------------------------------------------------

@external
@nonreentrant
def enlist(daiAmount: uint256) -> uint256:
    """
    @notice Deposit `daiAmount` ERC20 DAI (the pool needs an allowance), at least 1 DAI, at any
            time until ceaseFire. With no position of the current era open, shares are minted
            at once at the liquid DAI per share (1:1 in an empty era). Otherwise the deposit is
            a deposit request (ERC-7540 shape, id = the next position index): its DAI bids at
            once, and it becomes shares with `claimDeposit` once the positions open now are
            accounted. Returns 0 then; the DepositRequest event carries the id.
    @param daiAmount DAI to deposit, wad.
    @return The shares minted now (0 for a request).
    """
    shares: uint256 = 0
    request_id: uint256 = 0
    shares, request_id = self._deposit(daiAmount, msg.sender)
    return shares


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
    @return The shares minted now (0 for a request).
    """
    if staticcall IDai(dai).allowance(msg.sender, self) < daiAmount:
        extcall IDai(dai).permit(msg.sender, self, nonce, expiry, True, v, r, s)
    shares: uint256 = 0
    request_id: uint256 = 0
    shares, request_id = self._deposit(daiAmount, msg.sender)
    return shares


@external
@nonreentrant
def requestDeposit(assets: uint256, controller: address, owner: address) -> uint256:
    """
    @notice ERC-7540 shape of `enlist`: deposit `assets` DAI from `owner` (must be the caller)
            for `controller`. Shares are minted to `controller` at once when no position of the
            current era is open (the request is then claimed on the spot and id 0 returned);
            otherwise a deposit request is opened or increased.
    @param assets DAI, wad (at least 1 DAI).
    @param controller Who receives the shares.
    @param owner Whose DAI is pulled; must be the caller.
    @return The request id (the next position index), or 0 if shares were minted at once.
    """
    assert owner == msg.sender, "Pool/owner-not-caller"
    assert controller != empty(address), "Pool/zero-controller"
    shares: uint256 = 0
    request_id: uint256 = 0
    shares, request_id = self._deposit(assets, controller)
    return request_id


@external
@nonreentrant
def claimDeposit(requestId: uint256, controller: address) -> uint256:
    """
    @notice Anyone: turn `controller`'s claimable deposit request `requestId` into shares (or,
            if its era has ended meanwhile, into a redeem request for that era's positions) and
            credit what it earned from the positions settled since it was made. Claimable once
            the frontier is past every position committed before the request.
    @param requestId The request id (DepositRequest event).
    @param controller The request's controller.
    @return The shares minted.
    """
    req: uint256 = self._deposit_req[controller][requestId]
    assert req & _M128 != 0, "Pool/no-request"
    pre: uint256 = self._prefix_at[requestId]
    assert pre & _RECORDED != 0, "Pool/request-pending"
    w: uint256 = req & _M128
    req_era: uint256 = (req >> 224) & (2**30 - 1)
    self._deposit_req[controller][requestId] = 0
    m: Member = self._sync(controller)
    book: uint256 = self._book
    acc: uint256 = self._acc[req_era]
    m.owed_dai += w * ((acc & _M127) - (pre & _M127)) // _ACC
    m.owed_mkr += w * (((acc >> 127) & _M127) - ((pre >> 127) & _M127)) // _ACC
    shares: uint256 = 0
    if req_era == self._era(book):
        # still the current era: the weight becomes shares (it is in W already)
        m.weight += w
        shares = w
        pend: uint256 = self._pending
        self._pending = (pend & ~_M128) | ((pend & _M128) - w)
        log IERC20.Transfer(sender=empty(address), receiver=controller, value=w)
    else:
        # its era ended: the weight keeps only its claim on that era's positions
        d_dai: uint256 = 0
        d_mkr: uint256 = 0
        end_id: uint256 = self._era_first[req_era + 1]
        d_dai, d_mkr = self._add_redeem(controller, end_id, w, acc, req_era + 1)
        m.owed_dai += d_dai
        m.owed_mkr += d_mkr
        log RedeemRequest(
            controller=controller, owner=controller, requestId=end_id, sender=msg.sender, shares=w
        )
    self._store(controller, m, self._era(book))
    log DepositClaimed(controller=controller, requestId=requestId, shares=shares)
    return shares


@external
@nonreentrant
def defect(shares: uint256) -> (uint256, uint256):
    """
    @notice Burn `shares` and receive now their part of the liquid DAI (rounded down; the last
            share takes all), together with every DAI and MKR already owed to the caller. If
            positions of the current era are open, the burnt shares keep their claim on them
            as a redeem request (id = the next position index), paid by `claimRedeem` once they
            are accounted. Always allowed, also after ceaseFire. The MKR is sent only if the MKR
            token accepts the transfer; otherwise it stays owed (`claimMkr`).
    @param shares Shares to burn, wad.
    @return DAI paid and MKR paid (wad).
    """
    assert shares > 0, "Pool/zero-shares"
    m: Member = self._sync(msg.sender)
    assert shares <= m.weight, "Pool/insufficient-shares"
    book: uint256 = self._book
    era: uint256 = self._era(book)
    liquid: uint256 = book & _M96
    weight: uint256 = (book >> 96) & _M128
    out: uint256 = liquid
    if shares < weight:
        out = shares * liquid // weight
    self._book = self._pack_book(liquid - out, weight - shares, era, book & (_CEASED | _OPEN))
    m.weight -= shares
    m.owed_dai += out
    log IERC20.Transfer(sender=msg.sender, receiver=empty(address), value=shares)
    if book & _OPEN != 0:
        request_id: uint256 = ((self._front >> 64) & _M64) + 1
        d_dai: uint256 = 0
        d_mkr: uint256 = 0
        d_dai, d_mkr = self._add_redeem(msg.sender, request_id, shares, self._acc[era], 0)
        m.owed_dai += d_dai
        m.owed_mkr += d_mkr
        log RedeemRequest(
            controller=msg.sender,
            owner=msg.sender,
            requestId=request_id,
            sender=msg.sender,
            shares=shares,
        )
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._payout(msg.sender, m.owed_dai, m.owed_mkr, True, False)
    m.owed_dai = 0
    m.owed_mkr -= mkr_out
    self._store(msg.sender, m, era)
    log Defected(member=msg.sender, shares=shares, dai=dai_out, mkr=mkr_out)
    return dai_out, mkr_out


@external
@nonreentrant
def claim() -> (uint256, uint256):
    """
    @notice Receive every DAI and MKR owed to the caller (outcomes of settled positions, paid
            redeem requests), keeping all shares. The MKR is sent only if the MKR token accepts
            the transfer; otherwise it stays owed.
    @return DAI paid and MKR paid (wad).
    """
    m: Member = self._sync(msg.sender)
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._payout(msg.sender, m.owed_dai, m.owed_mkr, True, False)
    m.owed_dai = 0
    m.owed_mkr -= mkr_out
    self._store(msg.sender, m, self._era(self._book))
    return dai_out, mkr_out


@external
@nonreentrant
def claimDai() -> uint256:
    """
    @notice Receive only the DAI owed to the caller.
    @return DAI paid (wad).
    """
    m: Member = self._sync(msg.sender)
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._payout(msg.sender, m.owed_dai, 0, False, False)
    m.owed_dai = 0
    self._store(msg.sender, m, self._era(self._book))
    return dai_out


@external
@nonreentrant
def claimMkr() -> uint256:
    """
    @notice Receive only the MKR owed to the caller; reverts if the MKR token refuses.
    @return MKR paid (wad).
    """
    m: Member = self._sync(msg.sender)
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._payout(msg.sender, 0, m.owed_mkr, True, True)
    m.owed_mkr = 0
    self._store(msg.sender, m, self._era(self._book))
    return mkr_out


@external
@nonreentrant
def claimRedeem(requestId: uint256, controller: address) -> (uint256, uint256):
    """
    @notice Anyone: pay `controller`'s redeem request `requestId` (its part of the positions
            open when it was made) once the frontier has accounted them; the DAI and MKR go to
            `controller` with everything else owed to it (MKR only if the token accepts it).
    @param requestId The request id (RedeemRequest event, or an era's end).
    @param controller The request's controller.
    @return DAI paid and MKR paid (wad).
    """
    # the checkpoint first: it turns shares of an ended era into this kind of request
    m: Member = self._sync(controller)
    word: uint256 = self._redeem_w[controller][requestId]
    w: uint256 = word & _M128
    assert w != 0, "Pool/no-request"
    pre: uint256 = self._prefix_at[requestId]
    snap: uint256 = self._redeem_snap[controller][requestId]
    if pre & _RECORDED == 0 and word >> 128 != 0:
        # shares retired at an era's end: every position of that era is below the id, so
        # what its accumulators hold now is owed now; the request stays for the rest
        pre = self._acc[(word >> 128) - 1]
        self._redeem_snap[controller][requestId] = pre & ((_M127 << 127) | _M127)
    else:
        assert pre & _RECORDED != 0, "Pool/request-pending"
        self._redeem_w[controller][requestId] = 0
        self._redeem_snap[controller][requestId] = 0
    got_dai: uint256 = w * ((pre & _M127) - (snap & _M127)) // _ACC
    got_mkr: uint256 = w * (((pre >> 127) & _M127) - ((snap >> 127) & _M127)) // _ACC
    m.owed_dai += got_dai
    m.owed_mkr += got_mkr
    log RedeemClaimed(controller=controller, requestId=requestId, dai=got_dai, mkr=got_mkr)
    dai_out: uint256 = 0
    mkr_out: uint256 = 0
    dai_out, mkr_out = self._payout(controller, m.owed_dai, m.owed_mkr, True, False)
    m.owed_dai = 0
    m.owed_mkr -= mkr_out
    self._store(controller, m, self._era(self._book))
    return dai_out, mkr_out


@external
@nonreentrant
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice ERC20 transfer of shares. Both sides are checkpointed first, so what each share
            earned so far stays with its holder and the shares carry only future earnings.
    @param to The receiver.
    @param amount Shares, wad.
    @return True.
    """
    self._move(msg.sender, to, amount)
    return True


@external
@nonreentrant
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice ERC20 transferFrom of shares (spends the caller's allowance; an unlimited one is
            never decreased). Both sides are checkpointed first.
    @param owner The holder.
    @param to The receiver.
    @param amount Shares, wad.
    @return True.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    self._move(owner, to, amount)
    return True


# ---- auctions ----------------------------------------------------------------------------------

@external
@nonreentrant
def enterAuction(auctionId: uint256):
    """
    @notice Anyone: bid in Flopper auction `auctionId` at the pool's price. The pool offers the
            auction's fixed DAI bid for lot = bid / price MKR, rounded up, so it never pays
            more than its price per MKR. Requires: not ceased, no position in it yet, the
            Flopper live, the auction open, its lot large enough for `beg`, a bid of whole DAI
            within bounds, and enough liquid DAI. The DAI is joined into the Vat when the
            counted Vat DAI is short: all ERC20 DAI at once (later bids then skip the join).
    @param auctionId The Flopper auction id.
    """
    ok: bool = False
    ask: uint256 = 0
    bid: uint256 = 0
    reason: String[32] = ""
    book: uint256 = self._book
    ok, ask, bid, reason = self._preview_enter(auctionId, book)
    if not ok:
        raise reason

    era: uint256 = self._era(book)
    liquid: uint256 = book & _M96
    weight: uint256 = (book >> 96) & _M128
    front: uint256 = self._front
    index: uint256 = ((front >> 64) & _M64) + 1
    assert index <= _M26, "Pool/too-many-positions"
    committed: uint256 = bid
    left: uint256 = liquid - bid
    open_era: uint256 = (front >> 160) & _M32
    flags: uint256 = 0
    if left << _DRAIN_SHIFT < weight:
        # the bid drains the era: it takes the remainder too (returned with its outcome)
        committed = liquid
        if left != 0:
            flags = _HAS_EXTRA
            self._extra[auctionId] = left
            held: uint256 = self._held
            self._held = self._pack_held(held & _M96, ((held >> 96) & _M96) + left)
        assert era < _MAX_ERA, "Pool/too-many-eras"
        self._book = self._pack_book(0, 0, era + 1, book & _CEASED)
        self._era_first[era + 1] = index + 1
        # the era's shares retire into redeem requests at its end: record the prefix there
        self._prefix_at[index + 1] = _SENTINEL
        # the new era has no open position
        open_era = 0
        log EraEnded(era=era, lastIndex=index)
    else:
        self._book = self._pack_book(left, weight, era, (book & _CEASED) | _OPEN)
        open_era += 1
    rate: uint256 = committed * _ACC // weight
    # keep the rate as a float: 80-bit mantissa, exponent (relative error below 2**-80): the
    # smallest exponent leaving at most 80 bits, by halving steps
    exp: uint256 = 0
    if rate > _M80:
        for step: uint256 in [64, 32, 16, 8, 4, 2, 1]:
            if rate >> (exp + step) > _M80:
                exp += step
        exp += 1
    self._pos[auctionId] = (
        flags
        | (index << 228)
        | (era << 216)
        | (exp << 208)
        | ((rate >> exp) << 128)
        | (ask << 40)
        | (bid // _WAD)
    )
    self._order[index >> 3] |= auctionId << ((index & 7) << 5)
    bids: uint256 = ((front >> 192) & _M60) + bid // _WAD
    self._front = (
        _SENTINEL
        | (bids << 192)
        | (open_era << 160)
        | ((((front >> 128) & _M32) + 1) << 128)
        | (index << 64)
        | (front & _M64)
    )

    cash: uint256 = self._cash
    in_vat: uint256 = (cash >> 96) & _M96
    if in_vat < bid:
        # all ERC20 DAI at once: later bids skip the join (amortised)
        in_erc20: uint256 = staticcall IERC20(dai).balanceOf(self)
        extcall IDaiJoin(daiJoin).join(self, in_erc20)
        in_vat += in_erc20
    self._cash = self._pack_cash(in_vat - bid, cash)
    extcall IFlopper(flopper).dent(auctionId, ask, bid * _RAY, skip_contract_check=True)
    log AuctionEntered(auctionId=auctionId, mkrAsk=ask, daiBid=bid)


@external
@nonreentrant
def finalizeAuction(auctionId: uint256):
    """
    @notice Anyone: settle the pool's position in `auctionId` with what it became, then move
            the frontier over up to 8 settled positions. Still high bidder: deal it once
            finished (MKR to the pool), or yank it if the Flopper is caged (bid refunded into
            the Vat). Outbid: the refund is already in the pool's Vat balance. Deleted by
            someone else: see docs/POOL.md "Outcomes". Allowed also after ceaseFire.
            Write-off: from 30 days after the auction's end the pool calls `deal` with
            1,000,000 gas (the call must bring 1,100,000) and, if the Flopper still refuses
            (for example one replaced by governance that may no longer mint MKR), closes the
            position with nothing returned, so that requests behind it can be paid. Nobody
            receives anything from a write-off: it cannot move value, only stop the wait.
    @param auctionId The Flopper auction id.
    """
    pos: uint256 = self._pos[auctionId]
    assert pos != 0 and pos & _SETTLED == 0, "Pool/no-position"
    index: uint256 = (pos >> 228) & _M26
    a_bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    a_bid, a_lot, guy, tic, end = staticcall IFlopper(flopper).bids(auctionId)
    bid: uint256 = (pos & (2**40 - 1)) * _WAD
    ask: uint256 = (pos >> 40) & _M88
    got_dai: uint256 = 0
    got_mkr: uint256 = 0
    if guy == self:
        if self._flopper_live():
            assert tic != 0 and (
                convert(tic, uint256) < block.timestamp or convert(end, uint256) < block.timestamp
            ), "Pool/auction-not-finished"
            if block.timestamp <= convert(end, uint256) + _GRACE:
                extcall IFlopper(flopper).deal(auctionId, skip_contract_check=True)
                got_mkr = ask
            else:
                # 30 days after its end: a Flopper that still refuses to deal (with gas to
                # spare, so the refusal is its own) never will; write the position off
                assert msg.gas >= _WRITE_OFF_GAS + 100_000, "Pool/more-gas"
                if raw_call(
                    flopper,
                    abi_encode(auctionId, method_id=method_id("deal(uint256)")),
                    gas=_WRITE_OFF_GAS,
                    revert_on_failure=False,
                ):
                    got_mkr = ask
                else:
                    log PositionWrittenOff(auctionId=auctionId, index=index, dai=bid)
        else:
            extcall IFlopper(flopper).yank(auctionId, skip_contract_check=True)
            got_dai = bid
    else:
        got_dai, got_mkr = self._reconcile(bid, ask, guy == empty(address))
    self._settle(auctionId, pos, got_dai, got_mkr)
    log AuctionFinalized(auctionId=auctionId)
    self._advance(_FRONTIER_STEPS)


@external
@nonreentrant
def advanceFrontier(steps: uint256) -> uint256:
    """
    @notice Anyone: account up to `steps` settled positions in commit order (finalizeAuction
            does 8), so that requests waiting behind them become claimable.
    @param steps The most positions to account (at most 1,000).
    @return The frontier after the call: the lowest index not yet accounted.
    """
    return self._advance(min(steps, _MAX_LIST))


@external
@nonreentrant
def ceaseFire():
    """
    @notice Owner only: stop deposits and new bids for good (status 2). Withdrawals, claims
            and finalization stay possible.
    """
    ownable._check_owner()
    book: uint256 = self._book
    assert book & _CEASED == 0, "Pool/already-ceased"
    self._book = book | _CEASED
    log CeaseFire(owner=msg.sender)


# ---- views -------------------------------------------------------------------------------------

@external
@view
def balanceOf(owner: address) -> uint256:
    """
    @notice Shares of `owner` (ERC20). Shares of an ended era read 0: they hold only their claim
            on that era's positions, which the next checkpoint turns into a redeem request.
    @param owner The holder.
    @return The shares, wad.
    """
    bal: uint256 = self._bal[owner]
    if (bal >> 128) & _M32 != self._era(self._book):
        return 0
    return bal & _M128


@external
@view
def totalSupply() -> uint256:
    """
    @notice All shares of the current era (ERC20): the weight less unclaimed deposit requests.
    @return The supply, wad.
    """
    book: uint256 = self._book
    return ((book >> 96) & _M128) - self._pending_weight(self._era(book))


@external
@view
def ceased() -> bool:
    """
    @notice True once ceaseFire was called.
    @return Whether the pool is ceased.
    """
    return self._book & _CEASED != 0


@external
@view
def getStatus() -> uint8:
    """
    @notice 0 no open position, 1 positions open, 2 ceased. Deposits are open in 0 and 1.
    @return The status.
    """
    if self._book & _CEASED != 0:
        return _STATUS_DEACTIVATED
    if (self._front >> 128) & _M32 != 0:
        return _STATUS_ACTIVATED
    return _STATUS_ACCEPTING


@external
@view
def era() -> uint256:
    """
    @notice The current era (0 until a bid first drains the pool).
    @return The era.
    """
    return self._era(self._book)


@external
@view
def frontier() -> (uint256, uint256, uint256, uint256):
    """
    @notice The position counters.
    @return The frontier (lowest index not accounted), positions committed (the highest index),
            open positions, open positions of the current era.
    """
    front: uint256 = self._front
    return front & _M64, (front >> 64) & _M64, (front >> 128) & _M32, (front >> 160) & _M32


@external
@view
def getActiveAuctions() -> DynArray[uint256, _MAX_LIST]:
    """
    @notice Ids of the auctions with an open position, in commit order, from the frontier on
            (at most 1,000; use getActiveAuctionsFrom to page).
    @return The ids.
    """
    ids: DynArray[uint256, _MAX_LIST] = []
    nxt: uint256 = 0
    ids, nxt = self._active_from(self._front & _M64, _MAX_LIST)
    return ids


@external
@view
def getActiveAuctionsFrom(startIndex: uint256, maxCount: uint256) -> (
    DynArray[uint256, _MAX_LIST], uint256
):
    """
    @notice A page of open positions' auction ids, scanning indices from `startIndex` (the
            frontier if lower) up to `maxCount` of them (at most 1,000).
    @param startIndex The first index to scan.
    @param maxCount The most ids to return.
    @return The ids, and the index to continue from (0 when the scan is complete).
    """
    return self._active_from(max(startIndex, self._front & _M64), min(maxCount, _MAX_LIST))


@external
@view
def getPosition(auctionId: uint256) -> (uint256, uint256):
    """
    @notice The pool's open position in `auctionId`.
    @param auctionId The Flopper auction id.
    @return DAI bid (wad) and MKR asked (wad); (0, 0) if none.
    """
    pos: uint256 = self._pos[auctionId]
    if pos & _SETTLED != 0:
        return 0, 0
    return (pos & (2**40 - 1)) * _WAD, (pos >> 40) & _M88


@external
@view
def getDaiBalance() -> uint256:
    """
    @notice DAI the current weight bids with plus DAI in open positions, wad.
    @return The DAI.
    """
    return (self._book & _M96) + self._in_positions()


@external
@view
def getDaiBalanceForAuctions() -> uint256:
    """
    @notice DAI committed to open positions (their bids, and a draining bid's remainder), wad.
    @return The DAI.
    """
    return self._in_positions()


@external
@view
def getAvailableDaiBalance() -> uint256:
    """
    @notice Liquid DAI: what enterAuction can bid with and defect pays from, wad.
    @return The DAI.
    """
    return self._book & _M96


@external
@view
def getMKRBalance() -> uint256:
    """
    @notice MKR the pool holds for its members (won and not yet paid out), wad.
    @return The MKR.
    """
    return self._held & _M96


@external
@view
def getDefectAmount(shares: uint256) -> (uint256, uint256, bool):
    """
    @notice The liquid DAI `shares` are worth now (2020 shape). MKR and DAI already earned are
            owed per member, not per share: see previewDefect.
    @param shares Shares, wad.
    @return DAI (wad), 0, and whether `shares` is within the supply.
    """
    book: uint256 = self._book
    weight: uint256 = (book >> 96) & _M128
    supply: uint256 = weight - self._pending_weight(self._era(book))
    if shares == 0 or shares > supply:
        return 0, 0, False
    if shares == weight:
        return book & _M96, 0, True
    return shares * (book & _M96) // weight, 0, True


@external
@view
def previewEnlist(daiAmount: uint256) -> (uint256, bool, String[32]):
    """
    @notice What enlist(daiAmount) would do now.
    @param daiAmount DAI, wad.
    @return Weight (shares, or the request's weight), whether it would be a deposit request,
            and the revert reason if it would fail ("" if not; the caller's allowance and
            balance are not checked).
    """
    book: uint256 = self._book
    if daiAmount < _MIN_ENLIST:
        return 0, False, "Pool/below-minimum"
    if book & _CEASED != 0:
        return 0, False, "Pool/ceased"
    liquid: uint256 = book & _M96
    if liquid + daiAmount > _M96:
        return 0, False, "Pool/amount-too-large"
    return self._weight_for(daiAmount, book), (self._front >> 160) & _M32 != 0, ""


@external
@view
def previewDefect(member: address, shares: uint256) -> (uint256, uint256, uint256, String[32]):
    """
    @notice What defect(shares) would pay `member` now.
    @param member The member.
    @param shares Shares to burn, wad.
    @return DAI now (liquid part and DAI owed), MKR now (owed), weight of the redeem request it
            would open (0 if none), and the revert reason ("" if it would succeed).
    """
    m: Member = self._view_sync(member)
    if shares == 0:
        return 0, 0, 0, "Pool/zero-shares"
    if shares > m.weight:
        return 0, 0, 0, "Pool/insufficient-shares"
    book: uint256 = self._book
    weight: uint256 = (book >> 96) & _M128
    out: uint256 = book & _M96
    if shares < weight:
        out = shares * out // weight
    ticket: uint256 = 0
    if (self._front >> 160) & _M32 != 0:
        ticket = shares
    return out + m.owed_dai, m.owed_mkr, ticket, ""


@external
@view
def previewClaim(member: address) -> (uint256, uint256):
    """
    @notice DAI and MKR owed to `member` now (what claim() pays).
    @param member The member.
    @return DAI and MKR, wad.
    """
    m: Member = self._view_sync(member)
    return m.owed_dai, m.owed_mkr


@external
@view
def pendingDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice ERC-7540: DAI of `controller`'s deposit request `requestId` still waiting for the
            positions open when it was made.
    @param requestId The request id.
    @param controller The controller.
    @return DAI deposited, wad (0 if none or claimable).
    """
    req: uint256 = self._deposit_req[controller][requestId]
    if self._prefix_at[requestId] & _RECORDED != 0:
        return 0
    return (req >> 128) & _M96


@external
@view
def claimableDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice ERC-7540: DAI of `controller`'s deposit request `requestId` that claimDeposit can
            turn into shares now.
    @param requestId The request id.
    @param controller The controller.
    @return DAI deposited, wad (0 if none or pending).
    """
    req: uint256 = self._deposit_req[controller][requestId]
    if self._prefix_at[requestId] & _RECORDED == 0:
        return 0
    return (req >> 128) & _M96


@external
@view
def previewClaimDeposit(requestId: uint256, controller: address) -> (
    uint256, uint256, uint256, String[32]
):
    """
    @notice What claimDeposit(requestId, controller) would do now.
    @param requestId The request id.
    @param controller The controller.
    @return Shares it would mint, DAI and MKR it would credit, and the revert reason ("" if
            none).
    """
    req: uint256 = self._deposit_req[controller][requestId]
    if req & _M128 == 0:
        return 0, 0, 0, "Pool/no-request"
    pre: uint256 = self._prefix_at[requestId]
    if pre & _RECORDED == 0:
        return 0, 0, 0, "Pool/request-pending"
    w: uint256 = req & _M128
    req_era: uint256 = (req >> 224) & (2**30 - 1)
    acc: uint256 = self._acc[req_era]
    shares: uint256 = 0
    if req_era == self._era(self._book):
        shares = w
    return (
        shares,
        w * ((acc & _M127) - (pre & _M127)) // _ACC,
        w * (((acc >> 127) & _M127) - ((pre >> 127) & _M127)) // _ACC,
        "",
    )


@external
@view
def pendingRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice ERC-7540: shares of `controller`'s redeem request `requestId` still waiting for the
            positions open when it was made.
    @param requestId The request id.
    @param controller The controller.
    @return Shares (weight), wad (0 if none or claimable).
    """
    word: uint256 = self._redeem_w[controller][requestId]
    if self._prefix_at[requestId] & _RECORDED != 0 or word >> 128 != 0:
        return 0
    return word & _M128


@external
@view
def claimableRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice ERC-7540: shares of `controller`'s redeem request `requestId` that claimRedeem can
            pay now.
    @param requestId The request id.
    @param controller The controller.
    @return Shares (weight), wad (0 if none or pending).
    """
    word: uint256 = self._redeem_w[controller][requestId]
    if self._prefix_at[requestId] & _RECORDED == 0 and word >> 128 == 0:
        return 0
    return word & _M128


@external
@view
def previewClaimRedeem(requestId: uint256, controller: address) -> (
    uint256, uint256, String[32]
):
    """
    @notice What the redeem request `requestId` of `controller` pays when claimed now.
    @param requestId The request id.
    @param controller The controller.
    @return DAI and MKR of the request alone (wad), and the revert reason ("" if none).
    """
    word: uint256 = self._redeem_w[controller][requestId]
    w: uint256 = word & _M128
    if w == 0:
        return 0, 0, "Pool/no-request"
    pre: uint256 = self._prefix_at[requestId]
    if pre & _RECORDED == 0 and word >> 128 != 0:
        pre = self._acc[(word >> 128) - 1]
    elif pre & _RECORDED == 0:
        return 0, 0, "Pool/request-pending"
    snap: uint256 = self._redeem_snap[controller][requestId]
    return (
        w * ((pre & _M127) - (snap & _M127)) // _ACC,
        w * (((pre >> 127) & _M127) - ((snap >> 127) & _M127)) // _ACC,
        "",
    )


@external
@view
def previewEnterAuction(auctionId: uint256) -> (bool, uint256, uint256, String[32]):
    """
    @notice Whether enterAuction(auctionId) would succeed now, and the bid it would make.
    @param auctionId The Flopper auction id.
    @return ok, MKR ask (wad), DAI bid (wad), and the revert reason if not ok.
    """
    return self._preview_enter(auctionId, self._book)


@external
@view
def previewFinalizeAuction(auctionId: uint256) -> (bool, String[32]):
    """
    @notice Whether finalizeAuction(auctionId) would succeed now.
    @param auctionId The Flopper auction id.
    @return ok, and the revert reason if not ok.
    """
    pos: uint256 = self._pos[auctionId]
    if pos == 0 or pos & _SETTLED != 0:
        return False, "Pool/no-position"
    a_bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    a_bid, a_lot, guy, tic, end = staticcall IFlopper(flopper).bids(auctionId)
    if guy == self and self._flopper_live():
        if tic == 0 or (
            convert(tic, uint256) >= block.timestamp and convert(end, uint256) >= block.timestamp
        ):
            return False, "Pool/auction-not-finished"
    return True, ""


# ---- internal: members -------------------------------------------------------------------------

@internal
def _deposit(amount: uint256, controller: address) -> (uint256, uint256):
    """
    @dev Pull `amount` DAI from the caller for `controller`: shares now, or a deposit request
         while positions of the current era are open.
    @param amount DAI, wad.
    @param controller Who gets the shares or the request.
    @return Shares minted (0 for a request), request id (0 for shares).
    """
    assert amount >= _MIN_ENLIST, "Pool/below-minimum"
    book: uint256 = self._book
    assert book & _CEASED == 0, "Pool/ceased"
    era: uint256 = self._era(book)
    liquid: uint256 = book & _M96
    assert liquid + amount <= _M96, "Pool/amount-too-large"
    w: uint256 = self._weight_for(amount, book)
    assert w > 0, "Pool/zero-shares"
    self._book = self._pack_book(
        liquid + amount, ((book >> 96) & _M128) + w, era, book & _OPEN
    )
    shares: uint256 = 0
    request_id: uint256 = 0
    if book & _OPEN == 0:
        m: Member = self._sync(controller)
        m.weight += w
        shares = w
        self._store(controller, m, era)
        log IERC20.Transfer(sender=empty(address), receiver=controller, value=w)
    else:
        request_id = ((self._front >> 64) & _M64) + 1
        req: uint256 = self._deposit_req[controller][request_id]
        self._deposit_req[controller][request_id] = (
            _SENTINEL
            | (era << 224)
            | ((((req >> 128) & _M96) + amount) << 128)
            | ((req & _M128) + w)
        )
        if self._prefix_at[request_id] == 0:
            self._prefix_at[request_id] = _SENTINEL
        pend: uint256 = self._pending_weight(era)
        self._pending = (era << 128) | (pend + w)
        log DepositRequest(
            controller=controller,
            owner=msg.sender,
            requestId=request_id,
            sender=msg.sender,
            assets=amount,
        )
    assert extcall IERC20(dai).transferFrom(msg.sender, self, amount, default_return_value=True)
    return shares, request_id


@internal
@view
def _weight_for(amount: uint256, book: uint256) -> uint256:
    """
    @dev Weight for `amount` DAI at the liquid DAI per unit of weight (1:1 in an empty era),
         rounded down.
    @param amount DAI, wad.
    @param book The book word.
    @return The weight.
    """
    weight: uint256 = (book >> 96) & _M128
    if weight == 0:
        return amount
    return amount * weight // (book & _M96)


@internal
def _move(owner: address, to: address, amount: uint256):
    """
    @dev Move `amount` shares from `owner` to `to`, checkpointing both.
    @param owner The holder.
    @param to The receiver.
    @param amount Shares, wad.
    """
    assert to != empty(address), "Pool/zero-address"
    era: uint256 = self._era(self._book)
    src: Member = self._sync(owner)
    assert amount <= src.weight, "Pool/insufficient-shares"
    src.weight -= amount
    self._store(owner, src, era)
    dst: Member = self._sync(to)
    dst.weight += amount
    self._store(to, dst, era)
    log IERC20.Transfer(sender=owner, receiver=to, value=amount)


@internal
def _sync(member: address) -> Member:
    """
    @dev Checkpoint `member`: shares of an ended era become a redeem request for that era's
         positions, and what the shares earned since the last checkpoint becomes owed.
    @param member The member.
    @return The member's state at the current accumulators (store it with _store).
    """
    bal: uint256 = self._bal[member]
    era: uint256 = self._era(self._book)
    m_era: uint256 = (bal >> 128) & _M32
    m: Member = empty(Member)
    acc: uint256 = self._acc[era]
    m.snap_dai = acc & _M127
    m.snap_mkr = (acc >> 127) & _M127
    if bal == 0:
        # never checkpointed: nothing owed, no snapshot (both words are still empty)
        return m
    m.was_bal = bal
    owed: uint256 = self._owed[member]
    m.was_owed = owed
    m.owed_dai = owed & _M128
    m.owed_mkr = owed >> 128
    w: uint256 = bal & _M128
    snap: uint256 = self._snap[member]
    m.was_snap = snap
    if m_era != era and w != 0:
        # the member's era ended: its shares keep only their claim on its positions
        d_dai: uint256 = 0
        d_mkr: uint256 = 0
        request_id: uint256 = self._era_first[m_era + 1]
        d_dai, d_mkr = self._add_redeem(member, request_id, w, snap, m_era + 1)
        m.owed_dai += d_dai
        m.owed_mkr += d_mkr
        log RedeemRequest(
            controller=member, owner=member, requestId=request_id, sender=msg.sender, shares=w
        )
        w = 0
    if w != 0:
        m.owed_dai += w * ((acc & _M127) - (snap & _M127)) // _ACC
        m.owed_mkr += w * (((acc >> 127) & _M127) - ((snap >> 127) & _M127)) // _ACC
    m.weight = w
    return m


@internal
@view
def _view_sync(member: address) -> Member:
    """
    @dev What _sync would return, without writing (for previews).
    @param member The member.
    @return The member's state.
    """
    bal: uint256 = self._bal[member]
    era: uint256 = self._era(self._book)
    m: Member = empty(Member)
    owed: uint256 = self._owed[member]
    m.owed_dai = owed & _M128
    m.owed_mkr = owed >> 128
    w: uint256 = bal & _M128
    if (bal >> 128) & _M32 != era or w == 0:
        # (a member without shares may keep an older era's snapshot: nothing accrues to it)
        return m
    snap: uint256 = self._snap[member]
    acc: uint256 = self._acc[era]
    m.owed_dai += w * ((acc & _M127) - (snap & _M127)) // _ACC
    m.owed_mkr += w * (((acc >> 127) & _M127) - ((snap >> 127) & _M127)) // _ACC
    m.weight = w
    return m


@internal
def _store(member: address, m: Member, era: uint256):
    """
    @dev Write a member's state back; only the words that changed are written.
    @param member The member.
    @param m The state from _sync.
    @param era The current era.
    """
    bal: uint256 = _SENTINEL | (era << 128) | m.weight
    if m.was_bal != bal:
        self._bal[member] = bal
    snap: uint256 = (m.snap_mkr << 127) | m.snap_dai
    if m.weight != 0 and m.was_snap != snap:
        self._snap[member] = snap
    assert m.owed_dai <= _M128 and m.owed_mkr <= _M128, "Pool/amount-too-large"
    owed: uint256 = (m.owed_mkr << 128) | m.owed_dai
    if m.was_owed != owed:
        self._owed[member] = owed


@internal
def _add_redeem(
    member: address, request_id: uint256, w: uint256, snap: uint256, era_tag: uint256
) -> (uint256, uint256):
    """
    @dev Open or increase `member`'s redeem request at `request_id` by weight `w` that has
         earned up to accumulator value `snap`. Two parts of one request share the later
         snapshot; what the lagging part earned between the two snapshots came from positions
         below the request id (both snapshots are of the same era and no position was
         committed between them at this id), so it is owed at once and returned.
    @param member The controller.
    @param request_id The request id (an index; its prefix is recorded when the frontier
           passes the position before it).
    @param w The weight.
    @param snap The accumulator snapshot (MKR | DAI) the weight has earned up to.
    @param era_tag For shares retired at an era's end: that era + 1 (such a request pays as
           the era's positions settle); 0 for a defect's request.
    @return DAI and MKR owed at once to `member`.
    """
    old_w: uint256 = self._redeem_w[member][request_id] & _M128
    new_snap: uint256 = snap & ((_M127 << 127) | _M127)
    d_dai: uint256 = 0
    d_mkr: uint256 = 0
    if old_w != 0:
        old_snap: uint256 = self._redeem_snap[member][request_id]
        if old_snap & _M127 > new_snap & _M127:
            # the new weight lags the request
            d_dai = w * ((old_snap & _M127) - (new_snap & _M127)) // _ACC
            d_mkr = w * (((old_snap >> 127) & _M127) - ((new_snap >> 127) & _M127)) // _ACC
            new_snap = old_snap
        else:
            d_dai = old_w * ((new_snap & _M127) - (old_snap & _M127)) // _ACC
            d_mkr = old_w * (((new_snap >> 127) & _M127) - ((old_snap >> 127) & _M127)) // _ACC
    self._redeem_w[member][request_id] = (era_tag << 128) | (old_w + w)
    self._redeem_snap[member][request_id] = new_snap
    if self._prefix_at[request_id] == 0:
        self._prefix_at[request_id] = _SENTINEL
    return d_dai, d_mkr


@internal
def _payout(
    to: address, owed_dai: uint256, owed_mkr: uint256, pay_mkr: bool, strict_mkr: bool
) -> (uint256, uint256):
    """
    @dev Pay `owed_dai` DAI (from counted ERC20 DAI first, then counted Vat DAI: exited while
         DaiJoin is live, else moved in the Vat) and, if `pay_mkr`, `owed_mkr` MKR to `to`.
         The MKR is sent only if the token accepts it, unless `strict_mkr` (then a refusal
         reverts). The caller takes what was paid off the member's owed amounts.
    @param to The receiver.
    @param owed_dai DAI to pay, wad.
    @param owed_mkr MKR owed, wad.
    @param pay_mkr Pay the MKR.
    @param strict_mkr Revert if the MKR transfer fails.
    @return DAI paid, MKR paid.
    """
    mkr_out: uint256 = 0
    if owed_dai != 0:
        from_erc20: uint256 = min(owed_dai, staticcall IERC20(dai).balanceOf(self))
        from_vat: uint256 = owed_dai - from_erc20
        if from_vat != 0:
            cash: uint256 = self._cash
            self._cash = self._pack_cash(((cash >> 96) & _M96) - from_vat, cash)
        if from_erc20 != 0:
            assert extcall IERC20(dai).transfer(to, from_erc20, default_return_value=True)
        if from_vat != 0:
            if staticcall IDaiJoin(daiJoin).live() == 1:
                extcall IDaiJoin(daiJoin).exit(to, from_vat)
            else:
                extcall IVat(vat).move(self, to, from_vat * _RAY)
    if pay_mkr and owed_mkr != 0:
        ok: bool = False
        res: Bytes[32] = b""
        ok, res = raw_call(
            mkr,
            abi_encode(to, owed_mkr, method_id=method_id("transfer(address,uint256)")),
            max_outsize=32,
            revert_on_failure=False,
        )
        if ok and len(res) == 32:
            ok = convert(res, bool)
        if ok:
            mkr_out = owed_mkr
            held: uint256 = self._held
            self._held = self._pack_held((held & _M96) - owed_mkr, (held >> 96) & _M96)
        else:
            assert not strict_mkr, "Pool/mkr-transfer-failed"
    if owed_dai != 0 or mkr_out != 0:
        log Claimed(member=to, dai=owed_dai, mkr=mkr_out)
    return owed_dai, mkr_out


# ---- internal: positions -----------------------------------------------------------------------

@internal
@view
def _preview_enter(auctionId: uint256, book: uint256) -> (bool, uint256, uint256, String[32]):
    """
    @dev Every check of enterAuction, in order, and the bid it would make.
    @param auctionId The Flopper auction id.
    @param book The book word.
    @return ok, MKR ask (wad), DAI bid (wad), reason if not ok.
    """
    if book & _CEASED != 0:
        return False, 0, 0, "Pool/ceased"
    if self._pos[auctionId] != 0:
        return False, 0, 0, "Pool/already-entered"
    if auctionId > _MAX_AUCTION_ID:
        return False, 0, 0, "Pool/auction-id-too-high"
    if not self._flopper_live():
        return False, 0, 0, "Pool/flopper-not-live"
    a_bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    a_bid, a_lot, guy, tic, end = staticcall IFlopper(flopper).bids(auctionId)
    if guy == empty(address):
        return False, 0, 0, "Pool/no-auction"
    now: uint256 = block.timestamp
    if convert(end, uint256) <= now or (tic != 0 and convert(tic, uint256) <= now):
        return False, 0, 0, "Pool/auction-finished"
    if a_bid % (_RAY * _WAD) != 0:
        return False, 0, 0, "Pool/bid-not-whole-dai"
    bid: uint256 = a_bid // _RAY
    if bid == 0 or bid // _WAD > _MAX_BID_WHOLE:
        return False, 0, 0, "Pool/bid-out-of-range"
    ask: uint256 = (bid * _WAD + price - 1) // price
    if ask >= a_lot or (staticcall IFlopper(flopper).beg()) * ask > a_lot * _WAD:
        return False, ask, bid, "Pool/lot-too-small"
    if ask > _M88 or (self._held & _M96) + ask > _M96:
        return False, ask, bid, "Pool/ask-too-large"
    if book & _M96 < bid:
        return False, ask, bid, "Pool/not-enough-dai"
    return True, ask, bid, ""


@internal
@view
def _reconcile(bid: uint256, ask: uint256, deleted: bool) -> (uint256, uint256):
    """
    @dev The outcome of a position whose auction the pool no longer leads, from the value that
         arrived untracked: an outbid bid was refunded into the pool's Vat balance; a deleted
         auction was dealt while the Flopper is live (to the pool: MKR; to the bidder who
         outbid it: the refund is there), and yanked (Vat DAI) or dealt before the cage
         otherwise. Never more than is there. An outbid position left unfinalized until its
         auction is dealt may be booked as a win if another position's MKR is there too
         (docs/POOL.md: the keeper finalizes outbid positions at once, long before a deal).
    @param bid The position's DAI bid, wad.
    @param ask The position's MKR ask, wad.
    @param deleted True if the Flopper has deleted the auction.
    @return DAI (Vat, wad) and MKR (wad) that arrived.
    """
    cash: uint256 = self._cash
    u_dai: uint256 = staticcall IVat(vat).dai(self) // _RAY
    u_dai -= min(u_dai, (cash >> 96) & _M96)
    u_mkr: uint256 = staticcall IERC20(mkr).balanceOf(self)
    u_mkr -= min(u_mkr, self._held & _M96)
    if not deleted:
        return min(u_dai, bid), 0
    if self._flopper_live():
        # only a deal deletes a live auction: a win dealt by someone else, unless the pool
        # was outbid and the winner dealt it (then only the refund is there)
        if u_mkr >= ask or u_dai < bid:
            return 0, min(u_mkr, ask)
        return bid, 0
    if u_dai >= bid:
        return bid, 0
    return 0, min(u_mkr, ask)


@internal
def _settle(auctionId: uint256, pos: uint256, got_dai: uint256, got_mkr: uint256):
    """
    @dev Book a position's outcome: per unit of the weight present at its commit, into its
         era's accumulators, and into its slot for the frontier.
    @param auctionId The auction id.
    @param pos The position's open slot.
    @param got_dai DAI that came back (into the Vat), wad.
    @param got_mkr MKR that came back, wad.
    """
    bid: uint256 = (pos & (2**40 - 1)) * _WAD
    index: uint256 = (pos >> 228) & _M26
    extra: uint256 = 0
    if pos & _HAS_EXTRA != 0:
        extra = self._extra[auctionId]
    committed: uint256 = bid + extra
    rate: uint256 = ((pos >> 128) & _M80) << ((pos >> 208) & 255)
    pos_era: uint256 = (pos >> 216) & _MAX_ERA
    dai_back: uint256 = got_dai + extra
    dai_rate: uint256 = dai_back * rate // committed
    mkr_rate: uint256 = got_mkr * rate // committed
    acc: uint256 = self._acc[pos_era]
    a_dai: uint256 = (acc & _M127) + dai_rate
    a_mkr: uint256 = ((acc >> 127) & _M127) + mkr_rate
    assert a_dai <= _M127 and a_mkr <= _M127, "Pool/amount-too-large"
    self._acc[pos_era] = _SENTINEL | (a_mkr << 127) | a_dai
    self._pos[auctionId] = _SETTLED | (mkr_rate << 127) | dai_rate
    if got_dai != 0:
        cash: uint256 = self._cash
        self._cash = self._pack_cash(((cash >> 96) & _M96) + got_dai, cash)
    if got_mkr != 0 or extra != 0:
        if extra != 0:
            self._extra[auctionId] = 0
        held: uint256 = self._held
        self._held = self._pack_held((held & _M96) + got_mkr, ((held >> 96) & _M96) - extra)
    front: uint256 = self._front
    open_era: uint256 = (front >> 160) & _M32
    book: uint256 = self._book
    if pos_era == self._era(book):
        open_era -= 1
        if open_era == 0:
            self._book = book & ~_OPEN
    self._front = (
        _SENTINEL
        | (front & _M128)
        | ((((front >> 192) & _M60) - bid // _WAD) << 192)
        | (open_era << 160)
        | ((((front >> 128) & _M32) - 1) << 128)
    )
    log PositionSettled(auctionId=auctionId, index=index, dai=dai_back, mkr=got_mkr)


@internal
def _advance(steps: uint256) -> uint256:
    """
    @dev Account up to `steps` settled positions in commit order: add each to the frontier's
         prefix (reset at an era's first position), record the prefix where a request waits
         for it, and clear the slot.
    @param steps The most positions to account.
    @return The new frontier.
    """
    front: uint256 = self._front
    f: uint256 = front & _M64
    n: uint256 = (front >> 64) & _M64
    if f > n:
        return f
    cash: uint256 = self._cash
    f_era: uint256 = (cash >> 224) & (2**30 - 1)
    next_first: uint256 = self._era_first[f_era + 1]
    prefix: uint256 = self._prefix
    moved: bool = False
    word: uint256 = self._order[f >> 3]
    for i: uint256 in range(_MAX_LIST):
        if i == steps or f > n:
            break
        if f & 7 == 0:
            word = self._order[f >> 3]
        auction_id: uint256 = (word >> ((f & 7) << 5)) & _M32
        pos: uint256 = self._pos[auction_id]
        if pos & _SETTLED == 0:
            break
        if next_first != 0 and f >= next_first:
            f_era += 1
            next_first = self._era_first[f_era + 1]
            prefix = 0
        p_dai: uint256 = (prefix & _M127) + (pos & _M127)
        p_mkr: uint256 = ((prefix >> 127) & _M127) + ((pos >> 127) & _M127)
        prefix = (p_mkr << 127) | p_dai
        self._pos[auction_id] = 0
        f += 1
        if self._prefix_at[f] != 0:
            self._prefix_at[f] = _SENTINEL | _RECORDED | prefix
        moved = True
    if moved:
        self._prefix = prefix
        self._front = (self._front & ~_M64) | f
        self._cash = (self._cash & ~((2**30 - 1) << 224)) | (f_era << 224)
    return f


@internal
@view
def _active_from(start: uint256, max_count: uint256) -> (DynArray[uint256, _MAX_LIST], uint256):
    """
    @dev Auction ids of open positions from index `start` on.
    @param start The first index to scan.
    @param max_count The most ids to return (at most 1,000).
    @return The ids, and the index to continue from (0 if the scan reached the last position).
    """
    ids: DynArray[uint256, _MAX_LIST] = []
    n: uint256 = (self._front >> 64) & _M64
    i: uint256 = start
    for k: uint256 in range(10 * _MAX_LIST):
        if i > n:
            return ids, 0
        if len(ids) == max_count:
            return ids, i
        auction_id: uint256 = (self._order[i >> 3] >> ((i & 7) << 5)) & _M32
        pos: uint256 = self._pos[auction_id]
        if pos != 0 and pos & _SETTLED == 0:
            ids.append(auction_id)
        i += 1
    return ids, i


@internal
@view
def _in_positions() -> uint256:
    """
    @dev DAI committed to open positions: their bids and draining bids' remainders, wad.
    @return The DAI.
    """
    return ((self._front >> 192) & _M60) * _WAD + ((self._held >> 96) & _M96)


@internal
@view
def _flopper_live() -> bool:
    """
    @dev Whether the Flopper is live (not caged).
    @return True if live.
    """
    return staticcall IFlopper(flopper).live() == 1


# ---- internal: words ---------------------------------------------------------------------------

@internal
@pure
def _era(book: uint256) -> uint256:
    """
    @dev The era in the book word.
    @param book The book word.
    @return The era.
    """
    return (book >> 224) & _MAX_ERA


@internal
@view
def _pending_weight(era: uint256) -> uint256:
    """
    @dev Weight of unclaimed deposit requests of `era` (0 if the word is of an older era).
    @param era The current era.
    @return The weight.
    """
    pend: uint256 = self._pending
    if (pend >> 128) & _M32 != era:
        return 0
    return pend & _M128


@internal
@pure
def _pack_book(liquid: uint256, weight: uint256, era: uint256, flags: uint256) -> uint256:
    """
    @dev The book word.
    @param liquid Liquid DAI, wad (at most 2**96 - 1).
    @param weight All weight (at most 2**128 - 1).
    @param era The era.
    @param flags `_CEASED` and `_OPEN`, or 0.
    @return The word.
    """
    assert liquid <= _M96 and weight <= _M128, "Pool/amount-too-large"
    return _SENTINEL | flags | (era << 224) | (weight << 96) | liquid


@internal
@pure
def _pack_cash(in_vat: uint256, old: uint256) -> uint256:
    """
    @dev The cash word, keeping the frontier's era from `old`.
    @param in_vat Vat DAI counted, wad.
    @param old The current cash word.
    @return The word.
    """
    assert in_vat <= _M96, "Pool/amount-too-large"
    return _SENTINEL | (old & ((2**30 - 1) << 224)) | (in_vat << 96)


@internal
@pure
def _pack_held(mkr_counted: uint256, in_positions: uint256) -> uint256:
    """
    @dev The held word.
    @param mkr_counted MKR counted, wad.
    @param in_positions Draining bids' remainders in open positions, wad.
    @return The word.
    """
    assert mkr_counted <= _M96 and in_positions <= _M96, "Pool/amount-too-large"
    return _SENTINEL | (in_positions << 96) | mkr_counted
