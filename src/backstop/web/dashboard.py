"""What the dashboard shows, read live from the chain: pools, auctions, history, positions.

``Dashboard(w3, factory=..., pools=...)`` answers the JSON API (see ``server.py``). Every view
is computed from the newest block with batched reads (``backstop.chain.batch_call``: one JSON-RPC
round trip however many calls) and cached per block, so many browsers cost the node the same as
one. Per new block the node sees: ``eth_getBlockByNumber``, two batches of ``eth_call`` (the pool
list, auction count and the Flopper's ttl/tau, then every pool's and auction's state) and one
``eth_getLogs`` over the new blocks only, plus, only when there are logs, one batch of
``eth_getBlockByNumber`` for their times and one batch of ``eth_call`` at the blocks of the
pools' logs (their value per share then).

Every pool call and pool event lives in ``pool_io`` (the pool's ABI will change; adapt there).

Members are counted from the pools' share ``Transfer`` events. Each auction's history (kick,
bids, winner, dealt or yanked, when) is ``backstop.maker.history.AuctionBook``, fed with the
Flopper's, the pools' and MKR's logs and with the Flopper's state at each block (which shows
bids our local Flopper logs nowhere); the chart's price steps come from it. A finished auction
(deleted by the Flopper) is shown from its history: winner, lot, price, time.

Auctions: the newest ``max_auctions`` (default 200) of ``Flopper.kicks()``, finished ones
included. Amounts leave as exact decimal strings (``str(Wad)``); nothing here uses floats.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from web3 import Web3

from backstop.chain import batch_call, send_batch
from backstop.chain.errors import Revert
from backstop.maker.history import AuctionBook, AuctionHistory, fetch_times, resolve
from backstop.maker.permit import dai_permit_typed_data
from backstop.maker.rules import deal_ready, dent_open
from backstop.pool.reasons import tokens
from backstop.units import Rad, Wad, price_of
from backstop.web import pool_io
from backstop.web.abi import Contract, Fn

ZERO = "0x" + "00" * 20
PERMIT_LIFETIME = 3600  # seconds a permit signed through the page stays valid
LOG_CHUNK = 10_000  # blocks per eth_getLogs request
EXPLORERS = {1: "https://etherscan.io"}  # chain id -> block explorer (none for devnets)
SHARE_VALUE_POINTS = 500  # per pool, the newest kept
ACTIVITY_MEMBERS = 100  # members whose activity logs are kept


log = logging.getLogger("backstop.web")


class InputError(ValueError):
    """Bad input from the page or a URL: one line saying what is wrong and what to do."""


def checked_address(text: Any, what: str = "address") -> str:
    """The checksummed address, or ``InputError`` naming the field and the problem."""
    t = text.strip() if isinstance(text, str) else ""
    if not is_hex_address(t):
        raise InputError(f"{what}: {text!r} is not an address (0x followed by 40 hex digits)")
    if t[2:] != t[2:].lower() and t[2:] != t[2:].upper() and not is_checksum_address(t):
        raise InputError(f"{what}: {t} has a wrong checksum; check it or paste it in lowercase")
    return to_checksum_address(t)


def checked_amount(text: Any, what: str = "amount") -> Wad:
    """A positive wad amount from a decimal string, or ``InputError``."""
    if not isinstance(text, str):
        raise InputError(f"{what}: send it as a decimal string like \"1.5\"")
    try:
        amount = Wad.parse(text)
    except ValueError as exc:
        raise InputError(f"{what}: {exc}") from exc
    if amount.raw <= 0:
        raise InputError(f"{what}: must be more than zero, not {text}")
    return amount


fmt = tokens  # an amount for a sentence: exact, with thousands separators


@dataclass
class _Holders:
    """Share balances rebuilt from Transfer events, per pool."""

    pools: set[str] = field(default_factory=set)
    balances: dict[str, dict[str, int]] = field(default_factory=dict)
    scanned_to: int = -1

    def count(self, pool: str) -> int:
        return sum(1 for v in self.balances.get(pool, {}).values() if v > 0)


class Dashboard:
    """Live reads for the dashboard over a web3 connection (see module docs)."""

    def __init__(self, w3: Web3, *, factory: str | None = None, pools: Sequence[str] = (),
                 from_block: int = 0, max_auctions: int = 200) -> None:
        if not factory and not pools:
            raise InputError("give a factory address or at least one pool address")
        self.w3 = w3
        self.factory = checked_address(factory, "factory") if factory else None
        self.fixed_pools = [checked_address(p, "pool") for p in pools]
        self.from_block = from_block
        self.max_auctions = max_auctions
        self.pool = pool_io.POOL
        self.factory_abi = Contract.named("pool/factory") if self.factory else None
        self.flopper = Contract.named("maker/flopper")
        self.dai = Contract.named("maker/dai")
        self._lock = threading.RLock()
        self._cache: tuple[int, dict[str, Any]] | None = None
        self._holders = _Holders()
        self._block_times: dict[int, int] = {}
        self._share_values: dict[str, list[tuple[int, str]]] = {}
        self._changed: dict[str, set[int]] = {}
        self._activity: dict[tuple[str, tuple[str, ...]], tuple[int, list[Any]]] = {}
        self._activity_times: dict[int, int] = {}  # block -> its timestamp (activity entries)
        self.chain_id = int(w3.eth.chain_id)
        self.addresses = self._core_addresses()
        self._book = AuctionBook(self.addresses["flopper"], (), self.addresses["mkr"])

    # ------------------------------------------------------------------ core addresses
    def _factory_pools_fn(self) -> Fn:
        assert self.factory_abi is not None
        return self.factory_abi.fn("get_pools")

    def _factory_pools_call(self) -> bytes:
        """The factory's first page of pools (``get_pools(0, 1000)``, its largest: the
        dashboard shows the first 1,000 pools)."""
        return self._factory_pools_fn().encode(0, 1_000)

    def _core_addresses(self) -> dict[str, str]:
        """DAI, MKR, Flopper... read from the factory (or the first pool)."""
        source, abi = (self.factory, self.factory_abi) if self.factory_abi else (
            self.fixed_pools[0], self.pool)
        names = {"dai": "dai", "mkr": "mkr", "flopper": "flopper", "vat": "vat",
                 "dai_join": "daiJoin"}  # the same getters on the factory and on a pool
        fns = {k: abi.fn(v) for k, v in names.items()}
        outs = self._calls([(source, f.encode()) for f in fns.values()])
        return {k: to_checksum_address(f.decode(o)[0])
                for (k, f), o in zip(fns.items(), outs, strict=True)}

    # ------------------------------------------------------------------ batched reads
    def _calls(self, calls: Sequence[tuple[str, bytes]],
               block: int | str = "latest") -> list[bytes]:
        """One batch; a revert here is a broken deployment, so it is raised."""
        out = batch_call(self.w3, calls, block=block)
        for r in out:
            if isinstance(r, Revert):
                raise r
        return out  # type: ignore[return-value]

    def config(self) -> dict[str, Any]:
        """What the page needs to build transactions: chain, tokens, call descriptions."""
        return {
            "chain_id": self.chain_id,
            "explorer": EXPLORERS.get(self.chain_id),
            "factory": self.factory,
            **self.addresses,
            "functions": pool_io.page_functions(),
        }

    # ------------------------------------------------------------------ state
    def state(self) -> dict[str, Any]:
        """Pools, auctions and price history at the newest block (cached per block)."""
        with self._lock:
            head = self.w3.eth.get_block("latest")
            number, now = int(head["number"]), int(head["timestamp"])
            if self._cache and self._cache[0] == number:
                return self._cache[1]
            # block times serve one log scan: the scan only reaches new blocks, so older
            # entries would never be read again (kept, they grow by one per block forever)
            self._block_times = {number: now}
            state = self._read_state(number, now)
            self._cache = (number, state)
            return state

    def _read_state(self, number: int, now: int) -> dict[str, Any]:
        flop = self.addresses["flopper"]
        kicks_fn, ttl_fn, tau_fn = (self.flopper.fn(n) for n in ("kicks", "ttl", "tau"))
        first = [(flop, kicks_fn.encode()), (flop, ttl_fn.encode()), (flop, tau_fn.encode())]
        if self.factory:
            first.append((self.factory, self._factory_pools_call()))
        outs = self._calls(first, number)
        kicks = kicks_fn.decode(outs[0])[0]
        ttl, tau = ttl_fn.decode(outs[1])[0], tau_fn.decode(outs[2])[0]
        pools = list(self.fixed_pools)
        if self.factory:
            listed = [to_checksum_address(a) for a in self._factory_pools_fn().decode(outs[3])[0]]
            pools = listed + [p for p in pools if p not in listed]
        ids = list(range(kicks, max(0, kicks - self.max_auctions), -1))
        pool_fns = pool_io.state_fns()
        calls = [(p, f.encode()) for p in pools for f in pool_fns.values()]
        bids_fn = self.flopper.fn("bids")
        calls += [(flop, bids_fn.encode(i)) for i in ids]
        outs = self._calls(calls, number)
        per = len(pool_fns)
        self._scan_logs(pools, number)
        pool_rows = [
            pool_io.pool_row(p, {k: f.decode(o) for (k, f), o in
                                 zip(pool_fns.items(), outs[i * per:(i + 1) * per],
                                     strict=True)}, self._holders.count(p))
            for i, p in enumerate(pools)
        ]
        for row in pool_rows:
            self._note_share_value(row, now)
        auctions = []
        for i, out in zip(ids, outs[len(pools) * per:], strict=True):
            bid, lot, guy, tic, end = bids_fn.decode(out)
            self._book.observe(i, bid=bid, lot=lot, guy=guy, tic=tic, end=end, ttl=ttl, tau=tau,
                               now=now)
            auctions.append(_auction_row(i, bid, lot, guy, tic, end, now, pools,
                                         self._book.get(i)))
        return {
            "chain_id": self.chain_id,
            "block": {"number": number, "timestamp": now},
            "pools": pool_rows,
            "auctions": auctions,
            "history": self._history_rows(ids, auctions, now),
        }

    def _note_share_value(self, row: dict[str, Any], now: int) -> None:
        """Keep the pool's value per share each time it changes (for its history)."""
        series = self._share_values.setdefault(row["address"], [])
        if not series or series[-1][1] != row["share_value"]:
            series.append((now, row["share_value"]))
            del series[:-SHARE_VALUE_POINTS]
        row["share_value_history"] = [{"t": t, "value": v} for t, v in series]

    # ------------------------------------------------------------------ logs
    def _scan_logs(self, pools: list[str], head: int) -> None:
        """Share Transfers (member counts) and the auctions' logs (history) in new blocks."""
        if set(pools) != self._holders.pools:  # a new pool: read everything from the start
            self._holders = _Holders(pools=set(pools))
            self._book = AuctionBook(self.addresses["flopper"], pools, self.addresses["mkr"])
        start = self._holders.scanned_to + 1 if self._holders.scanned_to >= 0 else self.from_block
        if start > head:
            return
        transfer = pool_io.TRANSFER
        for lo in range(start, head + 1, LOG_CHUNK):
            hi = min(head, lo + LOG_CHUNK - 1)
            logs = self.w3.eth.get_logs({
                "fromBlock": lo, "toBlock": hi,
                "address": sorted({*pools, *self._book.addresses()}),
                "topics": [[transfer, *self._book.topics()]],
            })
            holders = [log for log in logs if to_checksum_address(log["address"]) in pools
                       and "0x" + bytes(log["topics"][0]).hex() == transfer]
            for log in logs:  # a pool's log: its value per share may have changed there
                address = to_checksum_address(log["address"])
                if address in pools and int(log["blockNumber"]) < head:
                    self._changed.setdefault(address, set()).add(int(log["blockNumber"]))
            others = [log for log in logs if log not in holders]
            fetch_times(self.w3, (int(log["blockNumber"]) for log in others), self._block_times)
            for log in holders:
                self._apply_transfer(log)
            self._book.apply(others, self._block_times)
        resolve(self.w3, self._book)
        self._holders.scanned_to = head
        self._past_share_values()

    def _past_share_values(self) -> None:
        """The value per share at the blocks where a pool's logs say it may have changed (the
        newest ``SHARE_VALUE_POINTS``), in one batch; a node that keeps no old state (not an
        archive node) answers errors, and the history then starts when the server did."""
        changed, self._changed = self._changed, {}
        wanted = [(p, b) for p, blocks in changed.items()
                  for b in sorted(blocks)[-SHARE_VALUE_POINTS:]]
        if not wanted:
            return
        fns = pool_io.share_value_fns()
        requests = [("eth_call", [{"to": p, "data": "0x" + f.encode().hex()}, hex(b)])
                    for p, b in wanted for f in fns]
        try:
            answers = send_batch(self.w3, requests)
            fetch_times(self.w3, (b for _p, b in wanted), self._block_times)
        except Exception as exc:  # history is a nicety: never fail the state for it
            log.info("no past values per share: %s", exc)
            return
        per = len(fns)
        for i, (pool, block) in enumerate(wanted):
            results = [a.get("result") for a in answers[i * per:(i + 1) * per]]
            if any(not r or r == "0x" for r in results) or block not in self._block_times:
                continue
            liquid, supply = (int(r, 16) for r in results)
            series = self._share_values.setdefault(pool, [])
            series.append((self._block_times[block], pool_io.share_value(liquid, supply)))
        for series in self._share_values.values():
            series.sort(key=lambda p: p[0])
            # keep only changes
            kept = [p for i, p in enumerate(series) if i == 0 or series[i - 1][1] != p[1]]
            series[:] = kept[-SHARE_VALUE_POINTS:]

    def _apply_transfer(self, log: Any) -> None:
        """One share Transfer: the holders' balances."""
        address = to_checksum_address(log["address"])
        src = to_checksum_address(bytes(log["topics"][1])[-20:])
        dst = to_checksum_address(bytes(log["topics"][2])[-20:])
        (value,) = abi_decode(["uint256"], bytes(log["data"]))
        bal = self._holders.balances.setdefault(address, {})
        if src != ZERO:
            bal[src] = bal.get(src, 0) - value
        if dst != ZERO:
            bal[dst] = bal.get(dst, 0) + value

    def _history_rows(self, ids: list[int], auctions: list[dict[str, Any]],
                      now: int) -> list[dict[str, Any]]:
        by_id = {a["id"]: a for a in auctions}
        rows = []
        for i in sorted(ids):
            pts = self._book.get(i).points()
            a = by_id[i]
            rows.append({
                "id": i,
                "open": a["state"] in ("open", "bidding"),
                "until": _until(a, now, self._book.get(i)),
                "points": [{"t": t, "price": str(price_of(bid, lot))} for t, lot, bid in pts],
            })
        return rows

    def auction_history(self, auction: str) -> dict[str, Any]:
        """One auction's history (kick, bids, end) as the logs and observations tell it."""
        try:
            i = int(auction)
        except ValueError:
            raise InputError(f"id: {auction!r} is not an auction id (a whole number)") from None
        self.state()
        if i not in self._book.auctions:
            raise InputError(f"id: no auction {i} is known here")
        return self._book.get(i).as_json()

    # ------------------------------------------------------------------ a member's activity
    def activity(self, address: str) -> dict[str, Any]:
        """``address``'s deposits and withdrawals in every pool, newest first, with times.
        Each member's logs are kept and only new blocks are asked for (the page asks on every
        block); the newest ``ACTIVITY_MEMBERS`` members are kept."""
        member = checked_address(address, "address")
        state = self.state()
        head = state["block"]["number"]
        pools = [p["address"] for p in state["pools"]]
        with self._lock:
            key = (member, tuple(pools))
            scanned, logs = self._activity.pop(key, (self.from_block - 1, []))
            if pools and scanned < head:
                for f in pool_io.activity_filters(member, pools, self.addresses["dai"]):
                    for lo in range(scanned + 1, head + 1, LOG_CHUNK):
                        logs += self.w3.eth.get_logs({**f, "fromBlock": lo,
                                                      "toBlock": min(head, lo + LOG_CHUNK - 1)})
            self._activity[key] = (head, logs)
            while len(self._activity) > ACTIVITY_MEMBERS:
                del self._activity[next(iter(self._activity))]
            entries = pool_io.activity_entries(logs, self.addresses["dai"])
            times = fetch_times(self.w3, (e["block"] for e in entries), self._activity_times)
        for e in entries:
            e["time"] = times.get(e["block"])
        return {"address": member, "block": head, "entries": entries}

    # ------------------------------------------------------------------ positions
    def position(self, address: str) -> dict[str, Any]:
        """A member's shares in every pool and what defecting all of them would pay now."""
        member = checked_address(address, "address")
        state = self.state()
        number = state["block"]["number"]
        pools = [p["address"] for p in state["pools"]]
        bal = pool_io.shares_fn()
        dai_bal, allowance, nonces = (self.dai.fn(n) for n in ("balanceOf", "allowance", "nonces"))
        dai = self.addresses["dai"]
        calls = [(dai, dai_bal.encode(member)), (dai, nonces.encode(member))]
        calls += [c for p in pools for c in ((p, bal.encode(member)),
                                             (dai, allowance.encode(member, p)))]
        owed_fn = pool_io.owed_fn()
        calls += [(p, owed_fn.encode(member)) for p in pools]  # not on the shares: same batch
        outs = self._calls(calls, number)
        shares = [bal.decode(outs[2 + 2 * i])[0] for i in range(len(pools))]
        owed = outs[2 + 2 * len(pools):]
        amount_fn = pool_io.defect_amount_fn()
        amounts = self._calls([(p, amount_fn.encode(s)) for p, s in zip(pools, shares,
                                                                        strict=True)], number)
        rows = []
        auctions = {a["id"]: a for a in state["auctions"]}
        for i, p in enumerate(state["pools"]):
            dai_now, _, ok = amount_fn.decode(amounts[i])
            owed_dai, mkr_now = owed_fn.decode(owed[i])
            allowed = allowance.decode(outs[3 + 2 * i])[0]
            supply = p["raw"]["supply"]
            locked = Wad(Wad.parse(p["dai_locked"]).raw * shares[i] // supply) if supply \
                else Wad(0)
            # the member's DAI in bids comes back (or turns into MKR) once each auction the
            # pool is in can be settled: the latest of those times
            ends = [min(t for t in (a["tic"], a["end"]) if t) for n in p["active_auctions"]
                    if (a := auctions.get(n)) and a["end"]]
            rows.append({
                "locked_dai": str(locked),
                "unlocks_at": max(ends) if ends and locked.raw else None,
                "pool": p["address"], "price": p["price"],
                "shares": str(Wad(shares[i])), "shares_raw": str(shares[i]),
                "dai": str(Wad(dai_now + owed_dai)), "mkr": str(Wad(mkr_now)),
                "redeemable": bool(ok),
                "owed_dai": str(Wad(owed_dai)), "owed_mkr": str(Wad(mkr_now)),
                "reason": "" if not locked.raw else
                "your part of the open bids is paid when they settle (a redeem request if you "
                "defect now)",
                "allowance": str(Wad(allowed)), "allowance_raw": str(allowed),
            })
        return {
            "address": member,
            "block": number,
            "dai_balance": str(Wad(dai_bal.decode(outs[0])[0])),
            "dai_balance_raw": str(dai_bal.decode(outs[0])[0]),
            "dai_nonce": nonces.decode(outs[1])[0],
            "pools": rows,
        }

    # ------------------------------------------------------------------ permit
    def permit(self, holder: str, pool: str) -> dict[str, Any]:
        """EIP-712 typed data of DAI's permit letting ``pool`` move ``holder``'s DAI."""
        owner = checked_address(holder, "holder")
        state = self.state()
        spender = self._known_pool(pool, state)
        nonces = self.dai.fn("nonces")
        (out,) = self._calls([(self.addresses["dai"], nonces.encode(owner))],
                             state["block"]["number"])
        nonce = nonces.decode(out)[0]
        expiry = state["block"]["timestamp"] + PERMIT_LIFETIME
        return {
            "nonce": nonce,
            "expiry": expiry,
            "typed_data": dai_permit_typed_data(self.chain_id, self.addresses["dai"], owner,
                                                spender, nonce, expiry),
        }

    def _known_pool(self, pool: str, state: dict[str, Any]) -> str:
        """``pool`` checksummed, if it is one of the pools in ``state`` (from ``state()``)."""
        address = checked_address(pool, "pool")
        if address not in [p["address"] for p in state["pools"]]:
            raise InputError(f"pool: {address} is not one of the pools this dashboard shows")
        return address

    # ------------------------------------------------------------------ simulation
    def simulate(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check and simulate a call the page is about to send; the outcome in words."""
        from backstop.web.simulate import simulate_action

        return simulate_action(self, body)


def _until(a: dict[str, Any], now: int, hist: AuctionHistory) -> int:
    """Until when an auction's last price held: now while it runs, else when it ended."""
    if a["state"] in ("open", "bidding"):
        return now
    if a["state"] == "expired":
        return a["end"]
    if a["state"] == "ended":
        return min(a["tic"], a["end"]) if a["tic"] else a["end"]
    pts = hist.points()
    return hist.ended_time or (pts[-1][0] if pts else now)


FINISHED_WORDS = {"dealt": "finished: dealt", "yanked": "finished: yanked (bid refunded)",
                  "closed": "finished (the logs do not say how)"}


def _auction_row(i: int, bid: int, lot: int, guy: str, tic: int, end: int, now: int,
                 pools: list[str], hist: AuctionHistory) -> dict[str, Any]:
    """One auction for the table: amounts, implied price, bidder, state and time left; a
    finished one (deleted by the Flopper) from its history: winner, lot, price, when."""
    guy = to_checksum_address(guy)
    ended_time = None
    if guy == ZERO and lot == 0:
        how = hist.ended or "closed"
        state, text, left = how, FINISHED_WORDS[how], None
        last = hist.last_bid
        # dealt: the winner and its lot; yanked: the high bid that was refunded
        lot = hist.won_lot.raw if hist.won_lot else (last.lot.raw if last else 0)
        bid = hist.bid.raw if hist.bid else 0
        guy = hist.winner or (last.bidder if last and how == "yanked" else ZERO)
        ended_time = hist.ended_time
    elif tic == 0 and dent_open(tic, end, now):
        state, text, left = "open", "open, no bid yet", end - now
    elif tic == 0:
        state, text, left = "expired", "expired unbid: needs a restart (tick)", 0
    elif deal_ready(tic, end, now):
        state, text, left = "ended", "ended: high bidder can claim (deal)", 0
    else:
        state, text, left = "bidding", "running, high bid placed", min(tic, end) - now
    return {
        "id": i,
        "lot": str(Wad(lot)),
        "bid": str(Rad(bid)),
        "price": str(price_of(Rad(bid), Wad(lot))) if lot and bid else None,
        "guy": None if guy == ZERO else guy,
        "no_bid": tic == 0 and guy != ZERO and state in ("open", "expired"),
        "guy_pool": guy if guy in pools else None,
        "tic": tic,
        "end": end,
        "ended_time": ended_time,
        "bids": len(hist.bids),
        "time_left": left,
        "state": state,
        "state_text": text,
    }
