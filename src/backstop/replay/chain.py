"""The replay on a real EVM: ``ChainEngine`` runs the driver of ``backstop.replay.model`` against
the Maker core, a 100 DAI/MKR pool and the project's ``Keeper`` on the in-process chain.

Every action is a real transaction: bidders ``dent`` and ``deal`` on the Flopper, members enlist
with DAI's permit (one transaction each) and defect, the Vow kicks the auctions, and the keeper
(the same code as ``backstop keeper``) enters, ticks and finalizes. Bidders and members are
accounts the in-process node lets us send from (``anvil_impersonateAccount``); their
transactions are sent as they are (the strategies decide with the Flopper's own rules, and a
transaction that reverts anyway is counted as not done). State is read back with batched calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from backstop.chain import BoaProvider, batch_call, dev, send_batch
from backstop.keeper import EventLog, Keeper, KeeperSettings
from backstop.maker import MakerCore, MakerParams, deploy_core
from backstop.maker import scenario as maker_scenario
from backstop.pool import deploy_pool
from backstop.replay.model import POOL, VOW, AuctionView
from backstop.replay.scenario import Scenario
from backstop.units import Rad, Wad

GAS = 1_000_000
ETH = 10**24  # gas money for every replay account
ZERO = "0x0000000000000000000000000000000000000000"


def replay_account(role: str, index: int) -> Any:
    """A deterministic account for a replay role ("member", "bidder"), never a real key."""
    return Account.from_key(keccak(f"backstop-replay-{role}-{index}".encode()))


class ChainEngine:
    """The driver's ``Engine`` on a web3 chain (by default a fresh in-process one)."""

    def __init__(self, scenario: Scenario, w3: Web3 | None = None) -> None:
        self.s = scenario
        self.w3 = w3 or Web3(BoaProvider(genesis_timestamp=scenario.start, history=False))
        self.provider = self.w3.provider
        self.deployer = to_checksum_address(self.w3.eth.accounts[0])
        self.keeper_account = to_checksum_address(self.w3.eth.accounts[1])
        self.core: MakerCore = deploy_core(self.w3, self.deployer, self._params())
        self.pool = self._deploy_pool()
        self.names: dict[str, str] = {self.core.vow.address: VOW, self.pool.address: POOL,
                                      ZERO: ""}
        self.addresses: dict[str, str] = {}
        self.member_keys = [replay_account("member", i) for i in range(len(scenario.members))]
        self.members = [key.address for key in self.member_keys]
        for i, b in enumerate(scenario.bidders):
            addr = replay_account("bidder", i).address
            self.addresses[b.name] = addr
            self.names[addr] = b.name
        self.enlisted = False
        self.late_keys: list[Any] = []
        self.late: list[str] = []
        self.late_enlisted = False
        self._funding: dict[str, int] = {}
        self._queue: list[tuple[tuple[str, str, int], tuple[str, str, str]]] = []
        self.keeper = self._keeper()
        self._prepare_accounts()
        maker_scenario.fund_dai(self.core, self.deployer, Wad(sum(scenario.members)))

    # ---- set-up ----
    def _params(self) -> MakerParams:
        p = self.s.params
        return MakerParams(beg=Wad(p.beg), pad=Wad(p.pad), ttl=p.ttl, tau=p.tau,
                           dump=Wad(p.dump), sump=Rad(p.sump))

    def _deploy_pool(self) -> Any:
        """The syndicate's pool at the scenario's price; its web3 contract (for calldata)."""
        self.pool_handle = deploy_pool(self.w3, self.deployer, self.core,
                                       Wad(self.s.pool_price))
        return self.pool_handle.contract

    def _keeper(self) -> Any:
        """The project's keeper, quiet (its decisions stay in ``keeper.log.records``)."""
        settings = KeeperSettings(tick=self.s.tick, pools=(self.pool.address,))
        return Keeper(self.w3, self.keeper_account, [self.pool.address], settings,
                      log=EventLog(quiet=True, keep=100_000))

    def use(self, scenario: Scenario, keeper_account: str) -> None:
        """Play another scenario on this chain (after ``dev.revert`` to a snapshot): a new
        keeper from a fresh account (nonces of the old one belong to the abandoned branch)."""
        self.s = scenario
        self.keeper_account = to_checksum_address(keeper_account)
        self.keeper = self._keeper()
        self._funding.clear()
        self.late_keys = [replay_account("late", i) for i in range(len(scenario.late_members))]
        self.late = [key.address for key in self.late_keys]
        self.late_enlisted = False
        for addr in self.late:
            dev.set_balance(self.w3, addr, ETH)
            dev.impersonate(self.w3, addr)
        if scenario.late_members:
            maker_scenario.fund_dai(self.core, self.deployer, Wad(sum(scenario.late_members)))

    def _prepare_accounts(self) -> None:
        """Gas money and impersonation for every member and bidder; bidders hope the Flopper."""
        for addr in [*self.members, *self.addresses.values()]:
            dev.set_balance(self.w3, addr, ETH)
            dev.impersonate(self.w3, addr)
        hope = self.core.vat.contract.encode_abi("hope", [self.core.flopper.address])
        self._send_block([(a, self.core.vat.address, hope) for a in self.addresses.values()])

    # ---- transactions ----
    def _rpc(self, method: str, params: list[Any]) -> Any:
        out = self.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in out:
            raise RuntimeError(f"{method}: {out['error']}")
        return out["result"]

    def _send_block(self, txs: list[tuple[str, str, str]]) -> list[bool]:
        """Independent transactions mined together in one block; whether each succeeded."""
        if not txs:
            return []
        dev.set_automine(self.w3, False)
        try:
            hashes = [self.provider.make_request(  # type: ignore[arg-type]
                "eth_sendTransaction", [{"from": f, "to": t, "data": d, "gas": hex(GAS)}])
                for f, t, d in txs]
            dev.mine(self.w3)
        finally:
            dev.set_automine(self.w3, True)
        answers = send_batch(self.w3, [("eth_getTransactionReceipt", [h["result"]])
                                       for h in hashes if "result" in h])
        ok = [a.get("result") is not None and int(a["result"]["status"], 16) == 1
              for a in answers]
        ok += [False] * (len(txs) - len(ok))
        return ok

    # ---- Engine ----
    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self._rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def advance(self, seconds: int) -> None:
        """Move chain time forward (one empty block)."""
        dev.time_travel(self.w3, max(seconds, 1))

    def enlist_all(self, amounts: list[int] | tuple[int, ...]) -> None:
        """Give every member its DAI (one block), then each enlists with DAI's permit: one
        transaction per member (one block). Done once per chain: a scenario replayed after a
        snapshot revert finds its members enlisted."""
        if self.enlisted:
            return
        self._enlist(self.members, self.member_keys, amounts)
        self.enlisted = True

    def enlist_late(self, amounts: list[int] | tuple[int, ...]) -> None:
        """The late members join while the pool bids: their DAI (one block), then each
        enlists with DAI's permit (one block). With positions open each deposit is a request
        that bids at once and becomes shares when the bids open now are settled."""
        if self.late_enlisted:
            return
        self._enlist(self.late, self.late_keys, amounts)
        self.late_enlisted = True

    def _enlist(self, members: list[str], keys: list[Any], amounts: Any) -> None:
        dai = self.core.dai
        self._send_block([(self.deployer, dai.address,
                           dai.contract.encode_abi("transfer", [members[i], amount]))
                          for i, amount in enumerate(amounts)])
        txs = []
        for i, amount in enumerate(amounts):
            sig = dai.sign_permit(keys[i], self.pool.address, nonce=0)
            txs.append((members[i], self.pool.address, self.pool.encode_abi(
                "enlistWithPermit", [amount, sig.nonce, sig.expiry, sig.v, sig.r, sig.s])))
        if not all(self._send_block(txs)):
            raise RuntimeError("a member could not enlist")

    def fund_bidder(self, name: str, rad: int) -> None:
        """Give the bidder ``rad`` more Vat DAI (sent with the next kick, in one block)."""
        self._funding[name] = self._funding.get(name, 0) + rad

    def _fund_bidders(self) -> None:
        """New Vat DAI for the wave's bidders (against the deployer's sin), one block."""
        vat = self.core.vat
        self._send_block([(self.deployer, vat.address, vat.contract.encode_abi(
            "suck", [self.deployer, self.addresses[name], rad]))
            for name, rad in self._funding.items()])
        self._funding.clear()

    def kick(self, n: int) -> list[int]:
        """Fund the wave's bidders, book enough bad debt and kick ``n`` debt auctions
        (``vow.flop``, all in one block)."""
        self._fund_bidders()
        need = Rad(self.s.params.sump * n) - maker_scenario.free_debt(self.core)
        if need.raw > 0:
            maker_scenario.create_bad_debt(self.core, need, queue=False)
        first = self.core.flopper.kicks() + 1
        flop = self.core.vow.contract.encode_abi("flop", [])
        if not all(self._send_block([(self.deployer, self.core.vow.address, flop)] * n)):
            raise RuntimeError("vow.flop() failed")
        return list(range(first, self.core.flopper.kicks() + 1))

    def auctions(self, ids: Iterable[int]) -> dict[int, AuctionView]:
        """Every auction's ``bids(id)``, in one batched round trip."""
        ids = list(ids)
        if not ids:
            return {}
        calls = [self.core.flopper.call_bids(i) for i in ids]
        answers = batch_call(self.w3, [c.as_tuple() for c in calls])
        out = {}
        for i, call, raw in zip(ids, calls, answers, strict=True):
            if isinstance(raw, Exception):
                raise raw
            b = call.decode(raw)
            guy = self.names.get(to_checksum_address(b.guy), b.guy)
            out[i] = AuctionView(i, b.bid.raw, b.lot.raw, guy, b.tic, b.end)
        return out

    def dent(self, name: str, auction_id: int, lot: int) -> bool:
        """The bidder bids ``lot`` MKR for the fixed bid (queued until ``flush``)."""
        data = self.core.flopper.contract.encode_abi("dent",
                                                     [auction_id, lot, self.s.params.sump])
        self._queue.append((("dent", name, auction_id),
                            (self.addresses[name], self.core.flopper.address, data)))
        return True

    def deal(self, name: str, auction_id: int) -> bool:
        """The winner settles its auction (queued until ``flush``)."""
        data = self.core.flopper.contract.encode_abi("deal", [auction_id])
        self._queue.append((("deal", name, auction_id),
                            (self.addresses.get(name, self.deployer), self.core.flopper.address,
                             data)))
        return True

    def flush(self) -> list[tuple[str, str, int]]:
        """Send the queued bids or deals, in order, in one block (bidders racing in the same
        block); the ones that reverted."""
        queue, self._queue = self._queue, []
        ok = self._send_block([tx for _, tx in queue])
        return [what for (what, _), good in zip(queue, ok, strict=True) if not good]

    def keeper_step(self) -> list[int]:
        """One pass of the project's keeper over the newest block; the auctions it acted on."""
        result = self.keeper.step()
        if result.error:
            raise RuntimeError(f"the keeper failed: {result.error}")
        return [d.auction_id for d in result.decisions]

    def _balances(self, calls: list[Any]) -> list[int]:
        answers = batch_call(self.w3, [c.as_tuple() for c in calls])
        return [int(c.decode(a)) for c, a in zip(calls, answers, strict=True)]  # type: ignore

    def defect_everyone(self) -> list[tuple[int, int]]:
        """Once every auction is settled, every member (the late ones too, if they joined)
        takes everything: the frontier is moved over every settled position, each member
        checkpoints (shares of an ended era become redeem requests), claims its deposit
        requests, then its redeem requests, then defects all its shares. Returns the (DAI,
        MKR) each received, in wad, from the balances before and after."""
        members = [*self.members, *(self.late if self.late_enlisted else [])]
        dai, mkr, pool = self.core.dai, self.core.mkr, self.pool
        tokens = [c for m in members for c in (dai.call_balance_of(m), mkr.call_balance_of(m))]
        before = self._balances(tokens)
        self._send_block([(self.deployer, pool.address,
                           pool.encode_abi("advanceFrontier", [1_000]))])
        handle = self.pool_handle
        deposit_ids = {m: set() for m in members}
        for log in handle.events("DepositRequest", 0):
            who = to_checksum_address(log["args"]["controller"])
            if who in deposit_ids:
                deposit_ids[who].add(int(log["args"]["requestId"]))
        self._all_ok([(m, pool.address, pool.encode_abi("claimDeposit", [rid, m]))
                      for m in members for rid in sorted(deposit_ids[m])])
        self._all_ok([(m, pool.address, pool.encode_abi("claim", [])) for m in members])
        redeem_ids = {m: set() for m in members}
        for log in handle.events("RedeemRequest", 0):
            who = to_checksum_address(log["args"]["controller"])
            if who in redeem_ids:
                redeem_ids[who].add(int(log["args"]["requestId"]))
        self._all_ok([(m, pool.address, pool.encode_abi("claimRedeem", [rid, m]))
                      for m in members for rid in sorted(redeem_ids[m])])
        shares = self._balances([handle.call_shares_of(m) for m in members])
        self._all_ok([(m, pool.address, pool.encode_abi("defect", [sh]))
                      for m, sh in zip(members, shares, strict=True) if sh])
        after = self._balances(tokens)
        return [(after[2 * i] - before[2 * i], after[2 * i + 1] - before[2 * i + 1])
                for i in range(len(members))]

    def _all_ok(self, txs: list[tuple[str, str, str]]) -> None:
        if txs and not all(self._send_block(txs)):
            raise RuntimeError("a member could not settle with the pool")
