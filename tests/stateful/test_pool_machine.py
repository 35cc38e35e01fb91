"""The pool against an independent Python model, driven by hypothesis.

Several members (approve+enlist and permit enlist, share transfers, defect) and outside bidders
(outbid, deal, yank) act on a Maker core and a pool at 240 DAI/MKR (biddable from the first
kick, with an ask that is not a whole number of wads). After every step the chain must match
the model exactly (the pool's views, shares, what each member received, what the pool really
holds) and value must be conserved: every DAI minted to members or gifted is with a member, in
the pool, locked in a live bid of the pool, or paid for MKR the pool won; every MKR minted for
the pool's wins or gifted is with a member or in the pool.

Profiles: tests/conftest.py ("ci" by default; HYPOTHESIS_PROFILE=dev for a long run). The CI
run (50 examples, up to 60 steps each) makes about 2,700 steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import boa
import pytest
from eth_account import Account
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from backstop.pool.boa_system import BEG, System, deploy_system
from backstop.pool.gas import dai_permit
from backstop.units import RAY, WAD

POOL_PRICE = 240 * WAD
MEMBER_KEYS = ["0x" + f"{i:02x}" * 32 for i in (0x31, 0x32, 0x33)]
MEMBERS = [Account.from_key(k).address for k in MEMBER_KEYS]
MAX_AUCTIONS = 8

_system: System | None = None


def system() -> System:
    """The core and pool, deployed once per process (each example runs in an anchor)."""
    global _system
    if _system is None:
        _system = deploy_system("flopper", price=POOL_PRICE)
    return _system


@dataclass
class Auction:
    """What the model knows of one auction the test kicked."""

    pool_guy: bool = False  # the pool is the current high bidder
    deleted: bool = False
    pool_won_dealt: bool = False


@dataclass
class Model:
    """The pool's books as the specification says they must be."""

    shares: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    supply: int = 0
    free_erc20: int = 0
    free_vat: int = 0
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)
    mkr_held: int = 0
    ceased: bool = False
    untracked_vat: int = 0
    untracked_mkr: int = 0
    # world ledger
    minted_dai: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    received_dai: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    received_mkr: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    deposited: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    gift_dai: int = 0
    gift_mkr: int = 0
    paid_for_won: int = 0
    won_mkr: int = 0
    auctions: dict[int, Auction] = field(default_factory=dict)

    @property
    def in_bids(self) -> int:
        return sum(b for b, _ in self.positions.values())

    @property
    def free(self) -> int:
        return self.free_erc20 + self.free_vat

    @property
    def status(self) -> int:
        if self.ceased:
            return 2
        return 1 if self.positions or self.mkr_held else 0


@pytest.fixture(scope="module", autouse=True)
def _deployed() -> None:
    """Deploy before the test runs: titanoboa's pytest plugin wraps every hypothesis example in
    an anchor, so a deployment made inside the first example would vanish after it."""
    system()


class PoolMachine(RuleBasedStateMachine):
    """Random members, bidders and keepers against the pool; the model says what must be."""

    @initialize()
    def start(self) -> None:
        self.s = system()
        self.anchor = boa.env.anchor()
        self.anchor.__enter__()
        self.m = Model()
        self.pool = self.s.pool
        self.bidders = [boa.env.generate_address(f"outside_bidder{i}") for i in range(2)]
        self.keeper = boa.env.generate_address("keeper")
        self.outsider = boa.env.generate_address("outsider")
        self.caged = False
        self.join_caged = False
        self.permit_nonce = dict.fromkeys(MEMBERS, 0)

    def teardown(self) -> None:
        if hasattr(self, "anchor"):
            self.anchor.__exit__(None, None, None)

    # ---- helpers ----------------------------------------------------------------------------
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def bids(self, id_: int) -> tuple[int, int, str, int, int]:
        bid, lot, guy, tic, end = self.s.flopper.bids(id_)
        return bid, lot, str(guy), tic, end

    def open_for_bids(self, id_: int) -> bool:
        _bid, _lot, guy, tic, end = self.bids(id_)
        now = self.now()
        return (not self.caged and guy != "0x" + "00" * 20 and end > now
                and (tic == 0 or tic > now))

    def expected_shares(self, amount: int) -> int:
        if self.m.supply == 0:
            return amount
        if self.m.free == 0:
            return 0
        return amount * self.m.supply // self.m.free

    def do_enlist(self, member: str, amount: int, permit: bool) -> None:
        self.s.mint_dai(member, amount)
        self.m.minted_dai[member] += amount
        ok = amount >= WAD and self.m.status == 0 and self.expected_shares(amount) > 0
        with boa.env.prank(member):
            if permit:
                key = MEMBER_KEYS[MEMBERS.index(member)]
                nonce = self.permit_nonce[member]
                v, r, s = dai_permit(self.s, key, self.pool.address, nonce)
                call = lambda: self.pool.enlistWithPermit(amount, nonce, 0, v, r, s)  # noqa: E731
            else:
                self.s.dai.approve(self.pool.address, amount)
                call = lambda: self.pool.enlist(amount)  # noqa: E731
            if not ok:
                with boa.reverts():
                    call()
                return
            expected = self.expected_shares(amount)
            assert call() == expected
        if permit and self.s.dai.nonces(member) > self.permit_nonce[member]:
            self.permit_nonce[member] += 1
        self.m.shares[member] += expected
        self.m.supply += expected
        self.m.free_erc20 += amount
        self.m.deposited[member] += amount

    # ---- members ------------------------------------------------------------------------------
    @rule(member=st.sampled_from(MEMBERS),
          amount=st.one_of(st.integers(WAD // 2, 200 * WAD),
                           st.integers(WAD, 150_000 * WAD)),
          permit=st.booleans())
    def enlist(self, member: str, amount: int, permit: bool) -> None:
        self.do_enlist(member, amount, permit)

    @rule(src=st.sampled_from(MEMBERS), dst=st.sampled_from(MEMBERS),
          fraction=st.integers(1, 100))
    def transfer_shares(self, src: str, dst: str, fraction: int) -> None:
        amount = self.m.shares[src] * fraction // 100
        with boa.env.prank(src):
            self.pool.transfer(dst, amount)
        self.m.shares[src] -= amount
        self.m.shares[dst] += amount

    @rule(member=st.sampled_from(MEMBERS), fraction=st.integers(1, 100),
          odd=st.integers(0, 3))
    def defect(self, member: str, fraction: int, odd: int) -> None:
        held = self.m.shares[member]
        shares = max(0, held * fraction // 100 - odd)
        if shares == 0:
            with boa.env.prank(member), boa.reverts("Pool/zero-shares"):
                self.pool.defect(0)
            return
        m = self.m
        total_dai = m.free + m.in_bids
        if shares == m.supply:
            dai_out, mkr_out = total_dai, m.mkr_held
        else:
            dai_out, mkr_out = total_dai * shares // m.supply, m.mkr_held * shares // m.supply
        assert self.pool.getDefectAmount(shares) == (dai_out, mkr_out, dai_out <= m.free)
        if dai_out > m.free:
            with boa.env.prank(member), pytest.raises(boa.BoaError) as err:
                self.pool.defect(shares)
            assert f"Pool/dai-locked: {m.free} wei of DAI is free now" in str(err.value)
            return
        with boa.env.prank(member):
            assert self.pool.defect(shares) == (dai_out, mkr_out)
        from_erc20 = min(dai_out, m.free_erc20)
        m.free_erc20 -= from_erc20
        m.free_vat -= dai_out - from_erc20
        m.mkr_held -= mkr_out
        m.shares[member] -= shares
        m.supply -= shares
        m.received_dai[member] += dai_out
        m.received_mkr[member] += mkr_out

    # ---- auctions -----------------------------------------------------------------------------
    @precondition(lambda self: len(self.m.auctions) < MAX_AUCTIONS and not self.caged)
    @rule()
    def kick(self) -> None:
        self.m.auctions[self.s.kick()] = Auction()

    @rule(seconds=st.sampled_from([60, 3_600, 6 * 3_600 + 1, 3 * 86_400 + 1]))
    def time_passes(self, seconds: int) -> None:
        boa.env.time_travel(seconds=seconds)

    @precondition(lambda self: self.m.auctions and not self.caged)
    @rule(data=st.data())
    def tick(self, data: st.DataObject) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.auctions)))
        _bid, _lot, guy, tic, end = self.bids(id_)
        if guy != "0x" + "00" * 20 and tic == 0 and end < self.now():
            self.s.flopper.tick(id_)

    @precondition(lambda self: self.m.auctions)
    @rule(data=st.data())
    def enter_auction(self, data: st.DataObject) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.auctions)))
        bid_rad, lot, _guy, _tic, _end = self.bids(id_)
        bid = bid_rad // RAY
        ask = (bid * WAD + POOL_PRICE - 1) // POOL_PRICE
        m = self.m
        ok = (not m.ceased and id_ not in m.positions and self.open_for_bids(id_)
              and not m.auctions[id_].pool_guy and ask < lot and BEG * ask <= lot * WAD
              and m.free >= bid)
        assert self.s.enter_check(id_, self.pool).ok == ok  # the off-chain preview agrees
        with boa.env.prank(self.keeper):
            if not ok:
                with boa.reverts():
                    self.pool.enterAuction(id_)
                return
            self.pool.enterAuction(id_)
        assert self.bids(id_)[1] == ask
        from_vat = min(bid, m.free_vat)
        m.free_vat -= from_vat
        m.free_erc20 -= bid - from_vat
        m.positions[id_] = (bid, ask)
        m.auctions[id_].pool_guy = True

    @precondition(lambda self: self.m.auctions)
    @rule(data=st.data(), which=st.integers(0, 1))
    def outbid(self, data: st.DataObject, which: int) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.auctions)))
        if not self.open_for_bids(id_):
            return
        bid_rad, lot, guy, _tic, _end = self.bids(id_)
        if guy == self.bidders[which] or lot * WAD // BEG == 0:
            return
        self.s.outbid(id_, self.bidders[which])
        a = self.m.auctions[id_]
        if a.pool_guy:
            a.pool_guy = False
            self.m.untracked_vat += bid_rad // RAY

    @precondition(lambda self: self.m.auctions and not self.caged)
    @rule(data=st.data())
    def deal_by_outsider(self, data: st.DataObject) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.auctions)))
        bid_rad, lot, _guy, tic, end = self.bids(id_)
        if tic == 0 or (tic >= self.now() and end >= self.now()):
            return
        with boa.env.prank(self.outsider):
            self.s.flopper.deal(id_)
        a = self.m.auctions[id_]
        a.deleted = True
        if a.pool_guy:
            a.pool_guy = False
            a.pool_won_dealt = True
            self.m.untracked_mkr += lot
            self.m.won_mkr += lot
            self.m.paid_for_won += bid_rad // RAY

    @precondition(lambda self: self.m.positions)
    @rule(data=st.data())
    def finalize(self, data: st.DataObject) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.positions)))
        m = self.m
        bid, lot = m.positions[id_]
        a = m.auctions[id_]
        got_dai = got_mkr = 0
        if a.pool_guy:
            if not self.caged:
                _b, _l, _g, tic, end = self.bids(id_)
                if not (tic != 0 and (tic < self.now() or end < self.now())):
                    with boa.reverts("Pool/auction-not-finished"):
                        self.pool.finalizeAuction(id_)
                    return
                got_mkr = lot
                m.won_mkr += lot
                m.paid_for_won += bid
            else:
                got_dai = bid
            a.pool_guy = False
            a.deleted = True
        else:
            got_dai, got_mkr = self.reconcile(bid, lot, a.deleted)
        with boa.env.prank(self.keeper):
            self.pool.finalizeAuction(id_)
        del m.positions[id_]
        m.mkr_held += got_mkr
        m.free_vat += got_dai

    def reconcile(self, bid: int, lot: int, deleted: bool) -> tuple[int, int]:
        """The specified rule, on the model's own knowledge of what arrived untracked."""
        m = self.m
        if not deleted and m.untracked_vat >= bid:
            take = (bid, 0)
        elif m.untracked_mkr >= lot:
            take = (0, lot)
        elif m.untracked_vat >= bid:
            take = (bid, 0)
        else:
            covered = m.untracked_mkr * POOL_PRICE // WAD
            take = (min(m.untracked_vat, bid - covered), m.untracked_mkr)
        m.untracked_vat -= take[0]
        m.untracked_mkr -= take[1]
        return take

    # ---- owner, settlement, gifts ---------------------------------------------------------------
    @rule()
    def cease_fire(self) -> None:
        with boa.env.prank(self.s.deployer):
            if self.m.ceased:
                with boa.reverts("Pool/already-ceased"):
                    self.pool.ceaseFire()
                return
            self.pool.ceaseFire()
        self.m.ceased = True

    @precondition(lambda self: not self.caged)
    @rule()
    def cage(self) -> None:
        self.s.cage()
        self.caged = True

    @precondition(lambda self: self.caged and self.m.auctions)
    @rule(data=st.data())
    def yank_by_outsider(self, data: st.DataObject) -> None:
        id_ = data.draw(st.sampled_from(sorted(self.m.auctions)))
        bid_rad, _lot, guy, _tic, _end = self.bids(id_)
        if guy == "0x" + "00" * 20:
            return
        with boa.env.prank(self.outsider):
            self.s.flopper.yank(id_)
        a = self.m.auctions[id_]
        a.deleted = True
        if a.pool_guy:
            a.pool_guy = False
            self.m.untracked_vat += bid_rad // RAY

    @precondition(lambda self: self.caged and not self.join_caged)
    @rule()
    def cage_dai_join(self) -> None:
        with boa.env.prank(self.s.deployer):
            self.s.dai_join.cage()
        self.join_caged = True

    @rule(kind=st.sampled_from(["dai", "vat", "mkr"]), amount=st.integers(1, 300 * WAD))
    def gift(self, kind: str, amount: int) -> None:
        pool = self.pool.address
        if kind == "dai":
            self.s.mint_dai(pool, amount)
            self.m.gift_dai += amount
        elif kind == "vat":
            amount = amount // WAD * WAD or WAD
            self.s.give_vat_dai(pool, amount * RAY)
            self.m.untracked_vat += amount
            self.m.gift_dai += amount
        else:
            with boa.env.prank(self.s.flopper.address):
                self.s.mkr.mint(pool, amount)
            self.m.untracked_mkr += amount
            self.m.gift_mkr += amount

    # ---- invariants ---------------------------------------------------------------------------
    @invariant()
    def books_match_the_model(self) -> None:
        if not hasattr(self, "m"):
            return
        m, pool = self.m, self.pool
        assert pool.getStatus() == m.status
        assert pool.totalSupply() == m.supply
        assert [pool.balanceOf(x) for x in MEMBERS] == [m.shares[x] for x in MEMBERS]
        assert pool.getAvailableDaiBalance() == m.free
        assert pool.getDaiBalanceForAuctions() == m.in_bids
        assert pool.getDaiBalance() == m.free + m.in_bids
        assert pool.getMKRBalance() == m.mkr_held
        assert pool.getActiveAuctions() == sorted(m.positions)

    @invariant()
    def the_pool_really_holds_what_it_counts(self) -> None:
        if not hasattr(self, "m"):
            return
        m, s, addr = self.m, self.s, self.pool.address
        assert s.dai.balanceOf(addr) >= m.free_erc20
        assert s.vat.dai(addr) == (m.free_vat + m.untracked_vat) * RAY
        assert s.mkr.balanceOf(addr) == m.mkr_held + m.untracked_mkr

    @invariant()
    def value_is_conserved(self) -> None:
        if not hasattr(self, "m"):
            return
        m, s, addr = self.m, self.s, self.pool.address
        locked = sum(b for i, (b, _l) in m.positions.items() if m.auctions[i].pool_guy)
        members_dai = sum(s.dai.balanceOf(x) + s.vat.dai(x) // RAY for x in MEMBERS)
        pool_dai = s.dai.balanceOf(addr) + s.vat.dai(addr) // RAY
        assert members_dai + pool_dai + locked + m.paid_for_won == (
            sum(m.minted_dai.values()) + m.gift_dai)
        members_mkr = sum(s.mkr.balanceOf(x) for x in MEMBERS)
        assert members_mkr + s.mkr.balanceOf(addr) == m.won_mkr + m.gift_mkr
        for x in MEMBERS:
            assert s.dai.balanceOf(x) + s.vat.dai(x) // RAY == (
                m.minted_dai[x] - m.deposited[x] + m.received_dai[x])
            assert s.mkr.balanceOf(x) == m.received_mkr[x]


PoolMachine.TestCase.settings = settings(settings.default, stateful_step_count=60)
TestPoolMachine = PoolMachine.TestCase
