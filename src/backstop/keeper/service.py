"""The keeper service: follows every debt auction block by block and drives the pools.

``Keeper.step()`` handles the newest block once: one ``eth_blockNumber``, one batch that reads
the header, the Flopper, every pool and the auctions worth reading, then the decisions of
:mod:`backstop.keeper.decide`, simulated and sent through :class:`~backstop.chain.tx.TxSender`.
``Keeper.run()`` calls ``step()`` until stopped (SIGINT/SIGTERM), backing off on RPC faults.

It keeps no state that matters: everything is read again from the chain on start (Kick logs from
``from_block``, ``kicks()``, the pools' active auctions), and transactions of a previous run
still in the node's pool are waited for before anything new is sent.

Which auctions are read each block (the read set does not grow with auctions nobody can act on):
every auction a pool holds a position in, every open auction whose lot suits some pool's price,
every auction that expired with no bid, new ids since the last ``kicks()`` and auctions whose
deadline passed since the last block. Nothing else can turn into something to do: a lot only
grows by ``tick``, which needs an expired unbid auction (read every block); others' bids only
shrink it; a deal or yank only removes it. ``beg`` and the pools' status and free DAI are read
when a decision needs them and every ``refresh_every_blocks`` blocks; everything after a reorg.

At crisis scale: every batch is cut into chunks the node accepts (``backstop.chain.batch``),
the auctions are read through Multicall3 where the chain has it, and sends beyond a block's gas
wait for the next block. Several keepers may keep the same pools: with ``keepers=N`` this one
takes the auctions whose id % N is its ``keeper_index`` and another's only once the same action
has been wanted for ``takeover_blocks`` blocks (that keeper is quiet); every send is simulated
on the pending block, so a bid already sent by anyone makes ours revert before it is sent.
Fees: without ``--max-fee-gwei`` a transaction's fee cap is ``fee_budget_bps`` of the DAI at
stake (at ``eth_price_dai``), never below ``fee_floor_gwei``; the tip doubles (up to 8x) while
others win auctions we bid on, and comes down after ``CALM_BLOCKS`` quiet blocks.
"""

from __future__ import annotations

import heapq
import signal
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

from backstop.chain.errors import Revert, RpcError
from backstop.chain.tx import Deferred, FeeTooLow, PendingTx, TxSender, parse_gwei
from backstop.keeper.decide import (
    Action,
    AuctionView,
    ChainView,
    Decision,
    PoolView,
    min_price,
    plan,
)
from backstop.keeper.journal import Journal, JournalEntry, JournalError
from backstop.keeper.logs import EventLog
from backstop.keeper.metrics import KeeperMetrics
from backstop.keeper.reader import (
    ENTER,
    FINALIZE,
    TICK,
    ChainReader,
    Reading,
    calldata,
    factory_pools,
    hex_int,
    pool_flopper,
    rpc_batch,
)
from backstop.keeper.settings import ConfigError, KeeperSettings
from backstop.units import RAY, Wad

_SELECTORS = {Action.ENTER: ENTER, Action.FINALIZE: FINALIZE, Action.TICK: TICK}
_ACTION_OF_SELECTOR = {sel: action for action, sel in _SELECTORS.items()}
INHERITED_WAIT_BLOCKS = 3  # blocks to wait for transactions of a previous run before going on
# (then every send is simulated on the pending block, where those transactions count)
REGULAR_BLOCKS = 4  # this many equal block intervals in a row: the chain has a block time
CALM_BLOCKS = 10  # blocks without a lost bid before the tip comes down a step
HEAD_CHECK_BLOCKS = 16  # with several endpoints, compare their heads every this many blocks
ACTION_GAS = {Action.ENTER: 200_000, Action.FINALIZE: 150_000, Action.TICK: 60_000}
"""About the gas of each action (for the default fee cap: stake per gas)."""
START_PAGES = 100  # pages of 1,000 positions read past a step's own, at most (100,000 positions)


@dataclass
class StepResult:
    """What one ``step()`` did."""

    block: int = 0
    new_block: bool = False
    auctions_read: int = 0
    decisions: list[Decision] = field(default_factory=list)
    sent: int = 0
    error: str | None = None


def is_rpc_fault(exc: BaseException) -> bool:
    """An error of the node or of the way to it (retry later), not of the keeper: every
    transport failure (``RpcUnavailable``, requests' errors) is an ``OSError``."""
    return isinstance(exc, RpcError | Web3Exception | OSError)


class Keeper:
    """Drives the pools: enter, finalize and (with ``tick``) restart debt auctions."""

    def __init__(self, w3: Web3, account: LocalAccount | str | None,
                 pools: Iterable[Any] | None = None, settings: KeeperSettings | None = None, *,
                 log: EventLog | None = None, metrics: KeeperMetrics | None = None) -> None:
        addresses = tuple(to_checksum_address(getattr(p, "address", p)) for p in pools or ())
        if settings is None:
            settings = KeeperSettings(pools=addresses)
        elif addresses:
            settings = settings.with_(pools=addresses, factory=None)
        if account is None and not settings.dry_run:
            raise ConfigError("no account to send from: give a key, or use --dry-run")
        self.w3 = w3
        self.settings = settings
        self.account = account
        self.log = log or EventLog(fmt=settings.log_format)
        self.metrics = metrics or KeeperMetrics()
        self.sender: TxSender | None = None
        if account is not None:
            self.sender = TxSender(
                w3, account, max_fee_gwei=settings.max_fee_gwei,
                priority_fee_gwei=settings.priority_fee_gwei,
                bump_percent=settings.bump_percent,
                bump_every_blocks=settings.bump_every_blocks, listener=self._on_tx,
                simulate_block="pending")  # TxSender's default, and the keeper's point
        self.journal: Journal | None = None
        if self.sender is not None and settings.journal:
            self.journal = Journal(settings.journal, self.sender.address)
        self.pools: list[str] = list(settings.pools)
        self.prices: dict[str, int] = {}
        self.reader: ChainReader | None = None
        self.followed: dict[int, AuctionView] = {}
        self.in_flight: dict[tuple[str, str, int], PendingTx] = {}
        self.started = False
        self.known_kicks = 0
        self.last_block = -1
        self.last_hash: str | None = None
        self.last_now = 0
        self.hold_until: int | None = None
        self._dry_logged: set[tuple[str, str, int]] = set()
        self._labels: dict[str, Decision] = {}
        self._stale: set[int] = set()
        self._active: dict[str, frozenset[int]] = {}
        self._ceased: dict[str, bool] = {}
        self._available: dict[str, int] = {}
        self._beg = 0
        self._full_refresh = True
        self._skipped: set[str] = set()
        self._intervals: deque[int] = deque(maxlen=REGULAR_BLOCKS)
        self._stop = threading.Event()
        self._wanted: dict[tuple[str, str, int], int] = {}  # decision -> first block wanted
        self._peer_logged: set[tuple[str, str, int]] = set()
        self._competition = 0  # our bids lost to others lately (raises the tip)
        self._calm_blocks = 0
        self._pages: dict[str, tuple[int, ...]] = {}  # where each page of its listing starts
        self._awake: set[int] = set()  # followed auctions looked at every block
        self._asleep: dict[int, int] = {}  # idle auctions and the time they wake up
        self._sleep_heap: list[tuple[int, int]] = []

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Rebuild everything from the chain: pools, their Flopper, the auctions to follow."""
        s = self.settings
        if s.factory:
            if not self.w3.eth.get_code(s.factory):
                raise ConfigError(f"no contract at {s.factory}: is it the pool factory on this "
                                  "chain?")
            flopper = pool_flopper(self.w3, s.factory)  # the factory names it like a pool
            listed = list(factory_pools(self.w3, s.factory))
            self.pools = []
            if not listed:
                self.log("no_pools_yet", level="warning", factory=s.factory)
        else:
            listed = list(s.pools)  # the settings', so a start retried after a fault is the same
            flopper = self._common_flopper(listed)
            if flopper is None:
                raise ConfigError("no pools to keep: give --pools ADDR[,ADDR...] or --factory")
            self.pools = []
        self.reader = ChainReader(self.w3, flopper, s.factory)
        self.reader.detect_multicall()
        self._add_pools(listed)
        head = self.reader.block_number()
        ids = self.reader.kick_ids(s.from_block, head, s.log_chunk_blocks)
        # kicks and positions only (every page of each pool's listing, so a restart sees
        # every position at once): the first step reads everything else
        reading = self._every_page(head, self.reader.read(
            head, self.pools, (), beg=False, ceased=(), available=()))
        self._pages = {pr.address: pr.pages for pr in reading.pools}
        self.known_kicks = reading.kicks
        for pr in reading.pools:
            ids += list(pr.active)
        self._check_inherited(head)
        self.followed = {}
        self._stale = set(ids)  # read in the first step
        self.metrics.auctions_seen.inc(len(self._stale))
        self.started = True
        self.log("started", block=head, pools=self.pools, flopper=flopper,
                 auctions=len(self._stale), kicks=reading.kicks, from_block=s.from_block,
                 dry_run=s.dry_run or None, tick=s.tick or None,
                 account=self.sender.address if self.sender else None)

    def stop(self) -> None:
        """Ask ``run()`` to return after the current step."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once ``stop()`` was called."""
        return self._stop.is_set()

    def run(self) -> int:
        """Step every ``poll_interval`` seconds until stopped; back off on RPC faults.

        Returns 0 when stopped. Raises ``ConfigError`` for a configuration that cannot work.
        """
        restore = self._install_signals()
        try:
            if self.settings.metrics_port is not None:
                self.metrics.serve(self.settings.metrics_port)
                self.log("metrics", port=self.settings.metrics_port)
            backoff = self.settings.poll_interval
            while not self._stop.is_set():
                try:
                    result = self.step()
                except ConfigError:
                    raise
                except Exception as exc:  # a bug or a surprise: say so, keep the service up
                    self.log("error", level="error", error=f"{type(exc).__name__}: {exc}")
                    result = StepResult(error=str(exc))
                if result.error:
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, max(self.settings.max_backoff,
                                                   self.settings.poll_interval))
                    continue
                backoff = self.settings.poll_interval
                self._stop.wait(self.next_wait() if result.new_block
                                else self.settings.poll_interval)
            self.log("stopped", block=self.last_block, in_flight=len(self.in_flight))
            return 0
        finally:
            restore()

    def next_wait(self) -> float:
        """Seconds to wait after handling a new block before looking for the next one.

        On a chain with a steady block time T (the last few blocks ``T`` seconds apart, as on
        mainnet), sleep until shortly before the next block is due, then poll every
        ``poll_interval``: about three requests per idle block instead of one per poll.
        Otherwise (dev chains mining on demand, time jumps) just ``poll_interval``.
        """
        poll = self.settings.poll_interval
        gaps = set(self._intervals)
        if len(self._intervals) < REGULAR_BLOCKS or len(gaps) != 1:
            return poll
        (block_time,) = gaps
        if block_time <= 0:
            return poll
        return max(poll, block_time - min(1.0, block_time / 4))

    # ---- one block ------------------------------------------------------------------------------

    def step(self) -> StepResult:
        """Handle the newest block once (nothing if it was handled already).

        RPC faults are logged, counted and returned in ``StepResult.error``; configuration
        errors raise ``ConfigError``.
        """
        try:
            if not self.started:
                self.start()
            return self._step()
        except ConfigError:
            raise
        except Exception as exc:
            if not is_rpc_fault(exc):
                raise
            self.metrics.rpc_errors.inc()
            self.log("rpc_error", level="warning", error=f"{type(exc).__name__}: {exc}",
                     block=self.last_block)
            return StepResult(block=self.last_block, error=str(exc))

    def _every_page(self, number: int, reading: Reading) -> Reading:
        """``reading`` with every pool's whole listing: the pages past the ones it read (a
        listing that grew beyond them: many positions taken in one block, or a restart), read
        at the same block one page per pool and batch, at most ``START_PAGES`` in all."""
        pools = {pr.address: pr for pr in reading.pools}
        for _ in range(START_PAGES):
            full = {a: pr for a, pr in pools.items() if pr.listing_full}
            if not full:
                break
            assert self.reader is not None
            more = self.reader.read_pages(number, {a: pr.pages[-1] for a, pr in full.items()})
            for a, (ids, after) in more.items():
                pr = full[a]
                pools[a] = replace(pr, active=tuple(sorted({*pr.active, *ids})),
                                   listing_full=after != 0,
                                   pages=pr.pages + ((after,) if after else ()))
        return replace(reading, pools=tuple(pools[pr.address] for pr in reading.pools))

    def _step(self) -> StepResult:
        assert self.reader is not None
        number = self.reader.block_number()
        if number == self.last_block:
            return StepResult(block=number)
        ids, candidates = self._read_set()
        full = self._full_refresh or number % self.settings.refresh_every_blocks == 0
        wanted = set(self.pools) if full else candidates
        reading = self._every_page(number, self.reader.read(
            number, self.pools, ids, beg=full or self._beg == 0, ceased=wanted,
            available=wanted, pages=self._pages))
        reorg = self._reorged(reading, number)
        self._follow_up(reading, reorg, wanted)
        self._update(reading)
        self._full_refresh = reorg
        if self.sender is not None and self.sender.in_flight:
            self.sender.poll()
            self.in_flight = {k: p for k, p in self.in_flight.items() if not p.done}
        view = self._view(reading)
        decided = plan(view, self.in_flight.keys(), tick=self.settings.tick)
        holding = self._holding(number)
        mine = self._my_share(decided.decisions, number)
        sent = self._execute(mine, number, holding, view)
        self._check_heads(number)
        if number == self.last_block + 1 and self.last_now:
            self._intervals.append(reading.header.timestamp - self.last_now)
        self.last_block, self.last_hash = number, reading.header.hash
        self.last_now = reading.header.timestamp
        self.metrics.last_block.set(number)
        self.metrics.in_flight.set(len(self.in_flight))
        if reading.factory_pools is not None:
            self._add_pools([p for p in reading.factory_pools if p not in self.pools])
        return StepResult(number, True, len(reading.auctions), decided.decisions, sent)

    def _read_set(self) -> tuple[set[int], set[str]]:
        """The auctions worth reading in this block (see the module docstring), and the pools
        that may enter one of them (their free DAI and status are needed): every pool while
        some auction was never read, as anything is possible then.

        An idle auction (open, its lot suits no pool, not held) sleeps until its deadline:
        nothing else can make it something to do, so it costs nothing per block."""
        if self._full_refresh:
            self._wake_all()
            return set(self._stale) | set(self.followed), set(self.pools)
        held = set().union(*self._active.values()) if self._active else set()
        ids = set(self._stale) | (held & self.followed.keys())
        pools = set(self.pools) if self._stale else set()
        views = sorted((self._pool_view(p) for p in self.pools if not self._ceased.get(p)),
                       key=lambda v: -v.price)
        now = self.last_now
        self._wake_until(now)
        for i in list(self._awake):
            a = self.followed.get(i)
            if a is None:
                self._awake.discard(i)
                continue
            candidates = self._candidate_pools(a, views)
            if i in ids or candidates or a.tickable_at(now):
                ids.add(i)
                pools.update(candidates)
            elif a.end > now:  # idle until it expires (a bid by others only shrinks the lot)
                self._awake.discard(i)
                self._asleep[i] = a.end
                heapq.heappush(self._sleep_heap, (a.end, i))
        return ids, pools

    def _wake_until(self, now: int) -> list[int]:
        """Wake the auctions whose deadline is ``now`` or earlier; their ids."""
        woken = []
        heap = self._sleep_heap
        while heap and heap[0][0] <= now:
            t, i = heapq.heappop(heap)
            if self._asleep.get(i) == t:
                del self._asleep[i]
                self._awake.add(i)
                woken.append(i)
        return woken

    def _wake_all(self) -> None:
        """Every followed auction is looked at again (a reorg, new pools, a new beg)."""
        self._awake = set(self.followed)
        self._asleep.clear()
        self._sleep_heap.clear()

    def _candidate_pools(self, a: AuctionView, views: Sequence[PoolView]) -> tuple[str, ...]:
        """Open pools (``views``, highest price first) whose price the auction's lot suits
        (last known state). The ask falls as the price rises, so the first pool whose price
        the lot does not suit ends the list: a held auction costs one lookup."""
        if not a.open_at(self.last_now):
            return ()
        least = min_price(a.bid, a.lot, self._beg)
        if least is None:
            return ()
        out = []
        for v in views:
            if v.price < least:
                break
            out.append(v.address)
        return tuple(out)

    def _reorged(self, reading: Reading, number: int) -> bool:
        """The chain is not the one seen last block (a reorg, or a node that lost blocks)."""
        parent = reading.header.parent_hash
        reorg = (self.last_block >= 0 and (number <= self.last_block or (
            number == self.last_block + 1 and self.last_hash is not None
            and parent != self.last_hash)))
        if reorg:
            self.log("reorg", level="warning", block=number, last_block=self.last_block,
                     parent=parent, last_hash=self.last_hash)
        return reorg

    def _follow_up(self, reading: Reading, reorg: bool, wanted: set[str]) -> None:
        """Read, in one more batch, what the main batch could not know it needed: new kicks,
        positions taken by others, auctions that just expired unbid (and then the free DAI
        and status of the pools they may suit)."""
        assert self.reader is not None
        now = reading.header.timestamp
        need = set(range(self.known_kicks + 1, reading.kicks + 1))
        for pr in reading.pools:
            need |= set(pr.active)
        if reorg:
            need |= set(self.followed)
        self._wake_until(now - 1)  # the woken join _awake
        for i in self._awake:
            a = self.followed.get(i)
            if a is not None and a.tic == 0 and self.last_now <= a.end < now:
                need.add(i)  # just expired with no bid
        need -= reading.auctions.keys()
        if not need:
            return
        pools = set(self.pools) - wanted
        auctions, state = self.reader.read_more(reading.header.number, need, pools)
        reading.auctions.update(auctions)
        for pool, (ceased, free) in state.items():
            self._ceased[pool], self._available[pool] = ceased, free

    def _update(self, reading: Reading) -> None:
        """Remember what was read; forget auctions that are gone and no pool holds."""
        new = reading.kicks - self.known_kicks
        if new > 0:
            self.metrics.auctions_seen.inc(new)
            self.log("kicks", block=reading.header.number, ids=list(
                range(self.known_kicks + 1, reading.kicks + 1)))
        self.known_kicks = max(self.known_kicks, reading.kicks)
        if reading.beg is not None:
            if reading.beg != self._beg:
                self._wake_all()
            self._beg = reading.beg
        self._active = {pr.address: frozenset(pr.active) for pr in reading.pools}
        self._pages = {pr.address: pr.pages for pr in reading.pools}
        for pr in reading.pools:
            if pr.ceased is not None:
                self._ceased[pr.address] = pr.ceased
            if pr.available_dai is not None:
                self._available[pr.address] = pr.available_dai
        held = set().union(*self._active.values()) if self._active else set()
        for i, a in reading.auctions.items():
            self._stale.discard(i)
            if a.exists or i in held:
                self.followed[i] = a
                self._awake.add(i)
                self._asleep.pop(i, None)
            else:
                self.followed.pop(i, None)
        self.metrics.auctions_followed.set(len(self.followed))

    def _view(self, reading: Reading) -> ChainView:
        pools = tuple(self._pool_view(p) for p in self.pools if p in self._active)
        followed = self.followed
        auctions = {i: followed[i] for i in reading.auctions if i in followed}
        return ChainView(reading.header.number, reading.header.timestamp, reading.live,
                         self._beg, auctions, pools)

    def _pool_view(self, pool: str) -> PoolView:
        return PoolView(pool, self.prices[pool], self._ceased.get(pool, False),
                        self._available.get(pool, 0), self._active.get(pool, frozenset()))

    # ---- acting ---------------------------------------------------------------------------------

    def _my_share(self, decisions: Sequence[Decision], number: int) -> list[Decision]:
        """The decisions this keeper takes when several keep the same pools: auction ``id``
        belongs to keeper ``id % keepers``; another keeper's auction is taken over once the
        same decision has been wanted for ``takeover_blocks`` blocks (its keeper is quiet)."""
        s = self.settings
        wanted = {}
        for d in decisions:
            wanted[d.key] = self._wanted.get(d.key, number)
        self._wanted = wanted
        if s.keepers == 1:
            return list(decisions)
        out = []
        for d in decisions:
            if d.auction_id % s.keepers == s.keeper_index:
                out.append(d)
            elif number - wanted[d.key] >= s.takeover_blocks:
                if d.key not in self._peer_logged:
                    self._log_decision("take_over", d, number, level="warning",
                                       owner=d.auction_id % s.keepers,
                                       quiet_blocks=number - wanted[d.key])
                    self._peer_logged.add(d.key)
                out.append(d)
        self._peer_logged &= wanted.keys()
        return out

    def _fees(self, decisions: Sequence[Decision], view: ChainView | None
              ) -> tuple[list[int | None], int | None]:
        """Per decision the fee cap (wei per gas) and the tip for this block.

        The rule, unless ``--max-fee-gwei`` is given: gas may cost at most ``fee_budget_bps``
        / 10,000 of the DAI at stake (the bid for an enter, the auction's bid for a finalize),
        at ``eth_price_dai`` DAI per ETH, for the gas such a transaction takes, and never less
        than ``fee_floor_gwei``. The tip doubles for each of our bids lost to others lately
        (up to 8x; back down after quiet blocks)."""
        s = self.settings
        floor = parse_gwei(s.fee_floor_gwei) or 0
        caps: list[int | None] = []
        for d in decisions:
            if s.max_fee_gwei is not None:
                caps.append(None)  # the sender's own cap
                continue
            stake = d.bid
            if d.action is Action.FINALIZE and view is not None:
                a = view.auctions.get(d.auction_id)
                stake = a.bid // RAY if a is not None else 0
            budget_wei = stake * s.fee_budget_bps // 10_000 // s.eth_price_dai
            caps.append(max(floor, budget_wei // ACTION_GAS[d.action]))
        tip = None
        if self._competition and self.sender is not None:
            tip = self.sender.priority_fee * 2 ** min(self._competition, 3)
        return caps, tip

    def _execute(self, decisions: Sequence[Decision], number: int, holding: bool,
                 view: ChainView | None = None) -> int:
        """Simulate and send the decisions (or log them in dry-run); the number sent."""
        if self.settings.dry_run:
            current = {d.key for d in decisions}
            for d in decisions:
                if d.key not in self._dry_logged:
                    self._log_decision("would_" + d.action.value, d, number)
            self._dry_logged = current
            return 0
        if not decisions or self.sender is None:
            self._calm()
            return 0
        if holding:
            for d in decisions:
                self._log_decision("held", d, number, why="transactions of a previous run "
                                   "are still pending")
            return 0
        txs = [({"to": d.pool or self.reader.flopper, "data":  # type: ignore[union-attr]
                 calldata(_SELECTORS[d.action], d.auction_id)}, self._label(d))
               for d in decisions]
        caps, tip = self._fees(decisions, view)
        results = self.sender.submit_many(txs, max_fees=caps, priority_fee=tip)
        sent = deferred = 0
        lost = False
        for d, res in zip(decisions, results, strict=True):
            if isinstance(res, PendingTx):
                self.in_flight[d.key] = res
                sent += 1
                self._log_decision(d.action.value, d, number, tx=res.hash, nonce=res.nonce)
            elif isinstance(res, Deferred):
                deferred += 1
            elif isinstance(res, Revert):
                self.metrics.txs_dropped.inc()
                lost = lost or d.action is Action.ENTER
                self._log_decision("dropped", d, number, level="warning",
                                   reason=f"simulation reverted: {res.reason}")
            elif isinstance(res, FeeTooLow):
                self._log_decision("fee_above_cap", d, number, level="warning", reason=str(res))
            else:
                self._log_decision("send_failed", d, number, level="warning", reason=str(res))
        if deferred:
            self.log("deferred", block=number, count=deferred,
                     why="the block is full with the transactions sent before")
        if lost:
            self._competition += 1
            self._calm_blocks = 0
        else:
            self._calm()
        return sent

    def _calm(self) -> None:
        """A block without a lost bid: the tip comes down after a few."""
        if self._competition:
            self._calm_blocks += 1
            if self._calm_blocks >= CALM_BLOCKS:
                self._competition -= 1
                self._calm_blocks = 0

    def _check_heads(self, number: int) -> None:
        """With several endpoints, compare their heads now and then (a stale node is left)."""
        provider = self.w3.provider
        compare = getattr(provider, "compare_heads", None)
        if compare is None or len(getattr(provider, "urls", ())) < 2:
            return
        if number % HEAD_CHECK_BLOCKS:
            return
        before = provider.active_url  # type: ignore[attr-defined]
        heads = compare()
        after = provider.active_url  # type: ignore[attr-defined]
        if after != before:
            self.log("stale_node", level="warning", left=before, now=after, heads=heads)

    def _log_decision(self, event: str, d: Decision, number: int, level: str = "info",
                      **extra: Any) -> None:
        fields: dict[str, Any] = {"block": number, "action": d.action.value,
                                  "auction": d.auction_id, "pool": d.pool, "why": d.why}
        if d.action is Action.ENTER:
            fields.update(ask_mkr=str(Wad(d.ask)), bid_dai=str(Wad(d.bid)))
        fields.update(extra)
        self.log(event, level=level, **fields)

    def _label(self, d: Decision) -> str:
        label = f"{d.action.value}:{d.auction_id}:{d.pool or 'flopper'}"
        self._labels[label] = d
        return label

    def _on_tx(self, event: str, ptx: PendingTx, info: dict[str, Any]) -> None:
        """TxSender's events: the journal, metrics and one log line each."""
        self._record()
        d = self._labels.get(ptx.label)
        m = self.metrics
        if event == "sent":
            m.txs_sent.inc()
            return  # logged by _execute with the decision
        if event == "replaced":
            m.txs_replaced.inc()
        elif event in ("failed", "replaced_by_other"):
            m.txs_failed.inc()
            if d is not None and d.action is Action.ENTER:
                self._competition += 1  # outbid on chain: raise the tip
                self._calm_blocks = 0
        elif event == "mined" and d is not None:
            {Action.ENTER: m.entered, Action.FINALIZE: m.finalized,
             Action.TICK: m.ticks}[d.action].inc()
        level = "warning" if event not in ("mined", "replaced", "resent", "adopted") else "info"
        fields = {k: v for k, v in info.items() if v is not None}
        tx_hash = fields.pop("tx_hash", None) or ptx.hash or None
        self.log("tx_" + event, level=level, label=ptx.label, nonce=ptx.nonce, tx=tx_hash,
                 **fields)

    # ---- helpers --------------------------------------------------------------------------------

    def _common_flopper(self, pools: Sequence[str]) -> str | None:
        """The one Flopper every pool bids in (a ConfigError if none or several)."""
        floppers = set()
        for pool in pools:
            if not self.w3.eth.get_code(pool):
                raise ConfigError(f"no contract at {pool}: is it a backstop pool on this chain?")
            floppers.add(pool_flopper(self.w3, pool))
        if len(floppers) > 1:
            raise ConfigError(f"the pools bid in different Floppers ({', '.join(floppers)}): "
                              "run one keeper per Flopper")
        return floppers.pop() if floppers else None

    def _add_pools(self, pools: Sequence[str]) -> None:
        """Start keeping more pools (read their constant price)."""
        pools = [p for p in pools if p not in self._skipped]
        if not pools:
            return
        assert self.reader is not None
        for pool, (price, flopper) in self.reader.pool_constants(list(pools)).items():
            if price == 0:
                raise ConfigError(f"{pool} has no price(): is it a backstop pool?")
            if flopper != self.reader.flopper:
                self._skipped.add(pool)
                self.log("pool_skipped", level="warning", pool=pool,
                         reason=f"bids in another Flopper ({flopper})")
                continue
            self.prices[pool] = price
            self._wake_all()
            if pool not in self.pools:
                self.pools.append(pool)
                self.log("pool_added", pool=pool, price=str(Wad(price)))

    def _check_inherited(self, head: int) -> None:
        """Transactions of a previous run still pending: take them over if the node shows its
        pool (``txpool_content``) or the journal names them (``eth_getTransactionByHash``):
        they are then followed, replaced or resent like our own. Otherwise wait for them (up
        to ``INHERITED_WAIT_BLOCKS`` blocks) before sending."""
        if self.sender is None:
            return
        waiting = self._waiting_txs()
        if waiting <= 0:
            return
        entries = self._read_journal()  # before any adoption rewrites it
        adopted = self._adopt_from_pool()
        journaled = self._adopt_from_journal(entries) if adopted < waiting else 0
        self.log("inherited_txs", level="warning", count=waiting, adopted=adopted + journaled,
                 from_journal=journaled if self.journal else None)
        if adopted + journaled < waiting:
            self.hold_until = head + INHERITED_WAIT_BLOCKS
            self.log("inherited_txs_wait", level="warning", until_block=self.hold_until)

    def _adopt_from_pool(self) -> int:
        """Adopt our transactions in the node's pool; how many (0 if it does not show it)."""
        assert self.sender is not None
        try:
            (content,) = rpc_batch(self.w3, [("txpool_content", [])])
        except RpcError:
            return 0  # not every node shows its pool
        mine: list[dict[str, Any]] = []
        for part in ("pending", "queued"):
            by_sender = (content or {}).get(part) or {}
            for sender, txs in by_sender.items():
                if sender.lower() == self.sender.address.lower():
                    mine += list(txs.values())
        for tx in sorted(mine, key=lambda t: int(t["nonce"], 16)):
            self._take_over(tx)
        return len(mine)

    def _read_journal(self) -> list[JournalEntry]:
        """The journal's transactions (none without a journal; an unusable one is logged)."""
        if self.journal is None:
            return []
        try:
            return self.journal.read()
        except JournalError as exc:
            self.log("journal_unusable", level="warning", error=str(exc))
            return []

    def _adopt_from_journal(self, entries: Sequence[JournalEntry]) -> int:
        """Adopt the journal's transactions the node still holds unmined; how many."""
        assert self.sender is not None
        taken = {p.nonce for p in self.sender.in_flight}
        entries = [e for e in entries if e.nonce not in taken and e.hashes]
        hashes = [h for e in entries for h in e.hashes]
        if not hashes:
            return 0
        found = rpc_batch(self.w3, [("eth_getTransactionByHash", [h]) for h in hashes])
        by_hash = dict(zip(hashes, found, strict=True))
        adopted = 0
        for entry in entries:
            # the newest version the node still holds unmined (older ones were replaced)
            live = [by_hash[h] for h in entry.hashes
                    if isinstance(by_hash[h], dict) and by_hash[h].get("blockNumber") is None]
            if live:
                self._take_over(live[-1])
                adopted += 1
        return adopted

    def _take_over(self, tx: dict[str, Any]) -> PendingTx:
        """Adopt one transaction of a previous run; a keeper action's is in flight again."""
        assert self.sender is not None
        data = bytes.fromhex(str(tx.get("input") or "0x")[2:])
        action = _ACTION_OF_SELECTOR.get(data[:4])
        to = to_checksum_address(tx["to"]) if tx.get("to") else None
        if action is None or to is None or len(data) != 36:
            label = f"inherited:{int(tx['nonce'], 16)}"
        else:
            d = Decision(action, int.from_bytes(data[4:], "big"),
                         None if action is Action.TICK else to, "sent before this start")
            label = self._label(d)
        ptx = self.sender.adopt(tx, label=label)
        if label in self._labels:
            self.in_flight[self._labels[label].key] = ptx
        return ptx

    def _record(self) -> None:
        """Write the transactions in flight to the journal (a failed write is logged)."""
        if self.journal is None or self.sender is None:
            return
        try:
            self.journal.write(self.sender.in_flight)
        except OSError as exc:
            self.log("journal_write_failed", level="warning", error=str(exc))

    def _holding(self, number: int) -> bool:
        """Still waiting for transactions of a previous run (checked once per block)."""
        if self.hold_until is None or self.sender is None:
            return False
        waiting = self._waiting_txs()
        if waiting <= 0 or number >= self.hold_until:
            self.log("inherited_txs_done", block=number, left=waiting)
            self.hold_until = None
            return False
        return True

    def _waiting_txs(self) -> int:
        """Our transactions the node holds unmined: pending nonce less mined nonce (one batch)."""
        assert self.sender is not None
        latest, pending = rpc_batch(self.w3, [
            ("eth_getTransactionCount", [self.sender.address, "latest"]),
            ("eth_getTransactionCount", [self.sender.address, "pending"])])
        return hex_int(pending, "pending nonce") - hex_int(latest, "nonce")

    def _install_signals(self) -> Any:
        """SIGINT/SIGTERM stop the loop cleanly (main thread only); returns the undo."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

        def handler(signum: int, _frame: Any) -> None:
            self.log("signal", signal=signal.Signals(signum).name)
            self.stop()

        for sig in previous:
            signal.signal(sig, handler)

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore
