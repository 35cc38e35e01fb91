"""A debt auction told step by step, on the in-process chain: ``run_debt_auction_demo()``.

With the March 2020 parameters: 100,000 DAI of bad debt is queued and released, the Vow kicks
two auctions of 50,000 DAI for 250 MKR. In the first, three bidders outbid each other (each
outbid bidder is refunded at once, in the Vat) and ``deal`` mints the winner's MKR. The second
gets no bid: it is restarted (``tick``) twice, its lot growing by ``pad`` (250 -> 300 -> 360
MKR), until a bidder takes it at a lower price. Every figure in the result is read from the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from backstop.maker.deploy import deploy_core
from backstop.maker.handles import MakerCore
from backstop.maker.params import MakerParams
from backstop.maker.scenario import advance_past, create_bad_debt, fund_vat_dai, kick_auctions, now
from backstop.units import Rad, Wad

BAD_DEBT = Rad.from_number(100_000)
# (auction, bidder role, MKR asked): each ask at least 3% (beg) below the lot before it
FIRST_AUCTION_BIDS = (("bidder A", Wad.from_number(240)), ("bidder B", Wad.from_number(232)),
                      ("bidder C", Wad.from_number(225)))
SECOND_AUCTION_ASK = ("bidder A", Wad.from_number(340))
RESTARTS = 2
_NO_DAI = Rad(0)


@dataclass(frozen=True)
class DemoStep:
    """One thing that happened, as read from the chain right after it."""

    auction: int
    hours: int  # since the auctions were kicked
    actor: str
    action: str
    lot: Wad | None = None
    price: Wad | None = None
    refund: Rad | None = None
    refunded: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """Decimal strings for amounts, None where the column does not apply."""
        return {
            "auction": self.auction, "hours": self.hours, "actor": self.actor,
            "action": self.action,
            "lot_mkr": None if self.lot is None else str(self.lot),
            "price_dai_per_mkr": None if self.price is None else str(self.price),
            "refund_dai": None if self.refund is None else str(self.refund.to_wad()),
            "refunded": self.refunded or None, "note": self.note or None,
        }


@dataclass
class DebtAuctionDemo:
    """Everything the demo did and what came of it."""

    params: MakerParams
    bad_debt: Rad
    steps: list[DemoStep] = field(default_factory=list)
    mkr_won: dict[str, Wad] = field(default_factory=dict)
    dai_raised: Rad = _NO_DAI
    debt_left: Rad = _NO_DAI
    transactions: int = 0

    @property
    def mkr_minted(self) -> Wad:
        """All MKR the auctions minted."""
        return Wad(sum(m.raw for m in self.mkr_won.values()))

    def to_json(self) -> dict[str, Any]:
        """The whole result with decimal strings for amounts."""
        return {
            "params": self.params.to_json(),
            "bad_debt_dai": str(self.bad_debt.to_wad()),
            "steps": [s.to_json() for s in self.steps],
            "mkr_won": {who: str(mkr) for who, mkr in self.mkr_won.items()},
            "mkr_minted": str(self.mkr_minted),
            "dai_raised": str(self.dai_raised.to_wad()),
            "debt_left_dai": str(self.debt_left.to_wad()),
            "transactions": self.transactions,
        }


class _Story:
    """Runs the steps and writes them down, naming addresses by role."""

    def __init__(self, core: MakerCore, roles: dict[str, str], result: DebtAuctionDemo) -> None:
        self.core, self.roles, self.result = core, roles, result
        self.names = {addr: name for name, addr in roles.items()}
        self.names[core.vow.address] = "Vow"
        self.start = now(core.w3)

    def hours(self) -> int:
        return (now(self.core.w3) - self.start) // 3_600

    def record(self, auction: int, actor: str, action: str, **extra: Any) -> None:
        self.result.steps.append(DemoStep(auction, self.hours(), actor, action, **extra))

    def kick(self, n: int) -> list[int]:
        ids = kick_auctions(self.core, n, sender=self.roles["keeper"])
        for auction in ids:
            bid = self.core.flopper.bids(auction)
            self.record(auction, "Vow", "kick", lot=bid.lot, price=bid.price,
                        note=f"bid fixed: {bid.bid.to_wad().format(0)} DAI")
        return ids

    def dent(self, auction: int, role: str, lot: Wad) -> None:
        core, bidder = self.core, self.roles[role]
        before = core.flopper.bids(auction)
        previous = before.guy
        held = core.vat.dai(previous)
        fund_vat_dai(core, bidder, before.bid)
        core.vat.hope(bidder, core.flopper.address)
        core.flopper.dent(bidder, auction, lot, before.bid)
        after = core.flopper.bids(auction)
        refund = core.vat.dai(previous) - held
        outbid = previous != core.vow.address
        self.record(auction, role, "dent", lot=after.lot, price=after.price,
                    refund=refund if outbid else None,
                    refunded=self.names.get(previous, previous) if outbid else "",
                    note="outbid one refunded" if outbid else "first bid: Vow kisses")

    def tick(self, auction: int) -> None:
        core = self.core
        advance_past(core.w3, core.flopper.bids(auction).end)
        core.flopper.tick(self.roles["keeper"], auction)
        bid = core.flopper.bids(auction)
        self.record(auction, "keeper", "tick", lot=bid.lot, price=bid.price,
                    note="unbid: lot x pad")

    def deal(self, auction: int) -> None:
        core = self.core
        winner = core.flopper.bids(auction)
        advance_past(core.w3, winner.tic)
        minted = core.mkr.balance_of(winner.guy)
        core.flopper.deal(self.roles["keeper"], auction)
        got = core.mkr.balance_of(winner.guy) - minted
        name = self.names.get(winner.guy, winner.guy)
        self.result.mkr_won[name] = self.result.mkr_won.get(name, Wad(0)) + got
        self.result.dai_raised = self.result.dai_raised + winner.bid
        self.record(auction, "keeper", "deal", lot=got, price=winner.price,
                    note=f"MKR minted to {name}")


def run_debt_auction_demo(w3: Web3 | None = None,
                          params: MakerParams | None = None) -> DebtAuctionDemo:
    """Run the story on ``w3`` (default: a fresh in-process chain) and return what happened."""
    if w3 is None:
        from backstop.chain import connect

        w3 = connect("inprocess")
    params = params or MakerParams()
    accounts = w3.eth.accounts
    roles = {"deployer": accounts[0], "keeper": accounts[1], "bidder A": accounts[2],
             "bidder B": accounts[3], "bidder C": accounts[4]}
    first_block = w3.eth.block_number
    core = deploy_core(w3, roles["deployer"], params)
    create_bad_debt(core, BAD_DEBT)
    result = DebtAuctionDemo(params=params, bad_debt=BAD_DEBT)
    story = _Story(core, roles, result)

    first, second = story.kick(2)
    for role, lot in FIRST_AUCTION_BIDS:
        story.dent(first, role, lot)
    story.deal(first)
    for _ in range(RESTARTS):
        story.tick(second)
    story.dent(second, *SECOND_AUCTION_ASK)
    story.deal(second)

    result.debt_left = core.vat.sin(core.vow.address)
    result.transactions = sum(
        len(w3.eth.get_block(n)["transactions"])
        for n in range(first_block + 1, w3.eth.block_number + 1))
    return result
