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

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from backstop.chain import BoaProvider, Revert, batch_call, dev, send_batch
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


class Calls:
    """Calldata and answers of one contract's functions, with the ABI looked up once per
    function (web3's ``encode_abi`` looks it up on every call: a tenth of the replay's time)."""

    def __init__(self, contract: Any) -> None:
        self.address = to_checksum_address(contract.address)
        self._abi = {e["name"]: e for e in contract.abi if e.get("type") == "function"}
        self._fns: dict[str, tuple[bytes, list[str], list[str]]] = {}

    def _fn(self, name: str) -> tuple[bytes, list[str], list[str]]:
        found = self._fns.get(name)
        if found is None:
            entry = self._abi[name]
            ins = [_abi_type(i) for i in entry.get("inputs", [])]
            outs = [_abi_type(o) for o in entry.get("outputs", [])]
            found = self._fns[name] = (keccak(text=f"{name}({','.join(ins)})")[:4], ins, outs)
        return found

    def data(self, name: str, *args: Any) -> str:
        """0x-hex calldata of ``name(*args)``."""
        selector, ins, _ = self._fn(name)
        return "0x" + (selector + abi_encode(ins, list(args))).hex()

    def read(self, w3: Web3, name: str, args: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """``name`` called once per argument list, in one batch; the decoded outputs."""
        _, _, outs = self._fn(name)
        answers = batch_call(w3, [(self.address, self.data(name, *a)) for a in args])
        out = []
        for raw in answers:
            if isinstance(raw, Revert):
                raise raw
            out.append(tuple(abi_decode(outs, raw)))
        return out


def _abi_type(entry: dict[str, Any]) -> str:
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")" + kind[5:]
    return kind


@functools.cache
def replay_account(role: str, index: int) -> Any:
    """A deterministic account for a replay role ("member", "bidder"), never a real key (made
    once per process: deriving the address is most of the cost)."""
    return Account.from_key(keccak(f"backstop-replay-{role}-{index}".encode()))


class ChainEngine:
    """The driver's ``Engine`` on a web3 chain (by default a fresh in-process one).

    ``record=True`` makes the in-process chain note every block and state edit from genesis
    on (``BoaProvider.recording``), for ``backstop bench demo``'s floor.
    """

    def __init__(self, scenario: Scenario, w3: Web3 | None = None, *,
                 record: bool = False) -> None:
        self.s = scenario
        if w3 is None:
            provider = BoaProvider(genesis_timestamp=scenario.start, history=False)
            if record:
                provider.record()
            w3 = Web3(provider)
        self.w3 = w3
        self.provider = self.w3.provider
        self.deployer = to_checksum_address(self.w3.eth.accounts[0])
        self.keeper_account = to_checksum_address(self.w3.eth.accounts[1])
        self.core: MakerCore = deploy_core(self.w3, self.deployer, self._params())
        self.pool = self._deploy_pool()
        self.vat, self.vow = Calls(self.core.vat.contract), Calls(self.core.vow.contract)
        self.flopper, self.dai = Calls(self.core.flopper.contract), Calls(self.core.dai.contract)
        self.pool_calls = Calls(self.pool)
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
        hope = self.vat.data("hope", self.core.flopper.address)
        self._send_block([(a, self.core.vat.address, hope) for a in self.addresses.values()])

    # ---- transactions ----
    def _rpc(self, method: str, params: list[Any]) -> Any:
        out = self.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in out:
            raise RuntimeError(f"{method}: {out['error']}")
        return out["result"]

    def _send_block(self, txs: list[tuple[str, str, str]]) -> list[bool]:
        """Independent transactions mined together in one block; whether each succeeded."""
        return [r is not None and int(r["status"], 16) == 1 for r in self._mine_together(txs)]

    def _mine_together(self, txs: list[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
        """Independent transactions mined together in one block; their receipts (None for one
        the node refused)."""
        if not txs:
            return []
        self._rpc("evm_setAutomine", [False])
        try:
            hashes = send_batch(self.w3, [
                ("eth_sendTransaction", [{"from": f, "to": t, "data": d, "gas": hex(GAS)}])
                for f, t, d in txs])
            self._rpc("evm_mine", [])
        finally:
            self._rpc("evm_setAutomine", [True])
        sent = [h["result"] for h in hashes if "result" in h]
        answers = iter(send_batch(self.w3, [("eth_getTransactionReceipt", [h]) for h in sent]))
        return [next(answers).get("result") if "result" in h else None for h in hashes]

    # ---- Engine ----
    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self._rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def advance(self, seconds: int) -> None:
        """Move chain time forward (one empty block)."""
        self._rpc("evm_increaseTime", [max(seconds, 1)])
        self._rpc("evm_mine", [])

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
        self._enlist(self.late, self.late_keys, amounts)
        self.late_enlisted = True

    def _enlist(self, members: list[str], keys: list[Any], amounts: Any) -> None:
        dai = self.core.dai
        self._send_block([(self.deployer, dai.address, self.dai.data("transfer", m, amount))
                          for m, amount in zip(members, amounts, strict=True)])
        txs = []
        for i, amount in enumerate(amounts):
            sig = dai.sign_permit(keys[i], self.pool.address, nonce=0)
            txs.append((members[i], self.pool.address, self.pool_calls.data(
                "enlistWithPermit", amount, sig.nonce, sig.expiry, sig.v, sig.r, sig.s)))
        if not all(self._send_block(txs)):
            raise RuntimeError("a member could not enlist")

    def fund_bidder(self, name: str, rad: int) -> None:
        """Give the bidder ``rad`` more Vat DAI (sent with the next kick, in one block)."""
        self._funding[name] = self._funding.get(name, 0) + rad

    def _fund_bidders(self) -> None:
        """New Vat DAI for the wave's bidders (against the deployer's sin), one block."""
        vat = self.core.vat.address
        self._send_block([(self.deployer, vat, self.vat.data(
            "suck", self.deployer, self.addresses[name], rad))
            for name, rad in self._funding.items()])
        self._funding.clear()

    def kick(self, n: int) -> list[int]:
        """Fund the wave's bidders, book enough bad debt and kick ``n`` debt auctions
        (``vow.flop``, all in one block)."""
        self._fund_bidders()
        vow = self.core.vow.address
        # maker.scenario.free_debt (sin - Sin - Ash) and kicks(), in one round trip
        sin, queued, on_auction, kicks = (int.from_bytes(raw, "big") for raw in batch_call(
            self.w3, [(self.vat.address, self.vat.data("sin", vow)),
                      (vow, self.vow.data("Sin")), (vow, self.vow.data("Ash")),
                      (self.flopper.address, self.flopper.data("kicks"))]))
        need = Rad(self.s.params.sump * n) - Rad(sin - queued - on_auction)
        if need.raw > 0:
            maker_scenario.create_bad_debt(self.core, need, queue=False)
        flop = self.vow.data("flop")
        if not all(self._send_block([(self.deployer, vow, flop)] * n)):
            raise RuntimeError("vow.flop() failed")
        return list(range(kicks + 1, kicks + n + 1))

    def auctions(self, ids: Iterable[int]) -> dict[int, AuctionView]:
        """Every auction's ``bids(id)``, in one batched round trip."""
        ids = list(ids)
        if not ids:
            return {}
        out = {}
        for i, (bid, lot, guy, tic, end) in zip(
                ids, self.flopper.read(self.w3, "bids", [(i,) for i in ids]), strict=True):
            guy = to_checksum_address(guy)
            out[i] = AuctionView(i, bid, lot, self.names.get(guy, guy), tic, end)
        return out

    def dent(self, name: str, auction_id: int, lot: int) -> bool:
        """The bidder bids ``lot`` MKR for the fixed bid (queued until ``flush``)."""
        data = self.flopper.data("dent", auction_id, lot, self.s.params.sump)
        self._queue.append((("dent", name, auction_id),
                            (self.addresses[name], self.core.flopper.address, data)))
        return True

    def deal(self, name: str, auction_id: int) -> bool:
        """The winner settles its auction (queued until ``flush``)."""
        data = self.flopper.data("deal", auction_id)
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

    def defect_everyone(self) -> list[tuple[int, int]]:
        """Once every auction is settled, every member (the late ones too, if they joined)
        takes everything: the frontier is moved over every settled position, each member
        checkpoints (shares of an ended era become redeem requests), claims its deposit
        requests, then its redeem requests, then defects all its shares. Returns the (DAI,
        MKR) each received, in wad: the DAI and MKR ``Transfer`` logs to it in the receipts of
        these transactions (nothing else moves its tokens meanwhile)."""
        members = [*self.members, *(self.late if self.late_enlisted else [])]
        pool, calls = self.pool.address, self.pool_calls
        receipts = self._all_ok([(self.deployer, pool, calls.data("advanceFrontier", 1_000))])
        handle = self.pool_handle
        deposits = handle.request_ids("deposit")
        receipts += self._all_ok([(m, pool, calls.data("claimDeposit", rid, m))
                                  for m in members for rid in sorted(deposits.get(m, ()))])
        receipts += self._all_ok([(m, pool, calls.data("claim")) for m in members])
        redeems = handle.request_ids("redeem")  # the checkpoints above opened some
        receipts += self._all_ok([(m, pool, calls.data("claimRedeem", rid, m))
                                  for m in members for rid in sorted(redeems.get(m, ()))])
        shares = [int(sh) for sh, in calls.read(self.w3, "balanceOf", [(m,) for m in members])]
        receipts += self._all_ok([(m, pool, calls.data("defect", sh))
                                  for m, sh in zip(members, shares, strict=True) if sh])
        got = _received(receipts, {self.core.dai.address: 0, self.core.mkr.address: 1})
        return [(got.get((m.lower(), 0), 0), got.get((m.lower(), 1), 0)) for m in members]

    def _all_ok(self, txs: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
        """The transactions in one block, every one succeeding; their receipts."""
        receipts = self._mine_together(txs)
        if not all(r is not None and int(r["status"], 16) == 1 for r in receipts):
            raise RuntimeError("a member could not settle with the pool")
        return receipts  # type: ignore[return-value]


TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def _received(receipts: Iterable[dict[str, Any]],
              tokens: dict[str, int]) -> dict[tuple[str, int], int]:
    """Amounts each address received in ``Transfer`` logs of ``tokens`` (address -> a key),
    summed per (lowercase address, key)."""
    keys = {a.lower(): k for a, k in tokens.items()}
    out: dict[tuple[str, int], int] = {}
    for receipt in receipts:
        for log in receipt["logs"]:
            key = keys.get(log["address"].lower())
            if key is None or len(log["topics"]) != 3 or log["topics"][0] != TRANSFER:
                continue
            dst = "0x" + log["topics"][2][-40:]
            out[dst.lower(), key] = out.get((dst.lower(), key), 0) + int(log["data"], 16)
    return out
