# pragma version ~=0.4.3
"""
@title BenchBidder
@custom:contract-name bench_bidder
@license MIT
@notice Benchmark stand-in for a bidding contract, NOT part of the Maker core: it makes the core
        calls a backstop pool makes, in the same order and after the same reads, so that the
        gas of each core call (`backstop.maker.gas`) is measured in the context a pool calls
        it in (which slots and accounts are already warm in the transaction).
        `enter` reads `live`, `bids(id)` and `beg`, joins the bid's DAI and dents;
        `finalize` reads `bids(id)` and `live` and deals; `exit` exits Vat DAI as ERC20.
"""


interface IFlop:
    def live() -> uint256: view
    def bids(id: uint256) -> (uint256, uint256, address, uint48, uint48): view
    def beg() -> uint256: view
    def dent(id: uint256, lot: uint256, bid: uint256): nonpayable
    def deal(id: uint256): nonpayable


interface IJoin:
    def join(usr: address, wad: uint256): nonpayable
    def exit(usr: address, wad: uint256): nonpayable


interface IHope:
    def hope(usr: address): nonpayable


interface IApprove:
    def approve(usr: address, wad: uint256) -> bool: nonpayable


_RAY: constant(uint256) = 10**27

flopper: public(immutable(address))
dai_join: public(immutable(address))


@deploy
def __init__(vat_: address, dai_: address, dai_join_: address, flopper_: address):
    """
    @notice Approve the DaiJoin for all DAI and hope the Flopper and the DaiJoin in the Vat.
    @param vat_ The Vat.
    @param dai_ The Dai token.
    @param dai_join_ The DaiJoin.
    @param flopper_ The Flopper.
    """
    flopper = flopper_
    dai_join = dai_join_
    extcall IApprove(dai_).approve(dai_join_, max_value(uint256))
    extcall IHope(vat_).hope(flopper_)
    extcall IHope(vat_).hope(dai_join_)


@external
def enter(id: uint256, lot: uint256, wad: uint256):
    """
    @notice Read the auction as a pool does, join `wad` DAI and bid it for `lot` MKR.
    @param id The auction id.
    @param lot The MKR asked, in wad.
    @param wad The DAI bid, in wad (the auction's bid / 10**27).
    """
    live: uint256 = staticcall IFlop(flopper).live()
    bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    bid, a_lot, guy, tic, end = staticcall IFlop(flopper).bids(id)
    beg: uint256 = staticcall IFlop(flopper).beg()
    assert live == 1 and bid == wad * _RAY and beg * lot <= a_lot * 10**18, "BenchBidder/bad-bid"
    extcall IJoin(dai_join).join(self, wad)
    extcall IFlop(flopper).dent(id, lot, bid)


@external
def finalize(id: uint256):
    """
    @notice Read the auction as a pool does and deal it.
    @param id The auction id.
    """
    bid: uint256 = 0
    a_lot: uint256 = 0
    guy: address = empty(address)
    tic: uint48 = 0
    end: uint48 = 0
    bid, a_lot, guy, tic, end = staticcall IFlop(flopper).bids(id)
    assert staticcall IFlop(flopper).live() == 1 and guy == self, "BenchBidder/not-high-bidder"
    extcall IFlop(flopper).deal(id)


@external
def exit(wad: uint256):
    """
    @notice Exit `wad` of this contract's Vat DAI to itself as ERC20 DAI.
    @param wad The amount, in wad.
    """
    extcall IJoin(dai_join).exit(self, wad)
