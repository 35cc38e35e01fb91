"""``BoaProvider``: a web3.py provider whose node is an in-process EVM (titanoboa's py-evm).

It answers the JSON-RPC methods web3 uses, shaped like anvil's answers (chain id 31337, automine,
EIP-1559 blocks, reverts as error code 3 ``execution reverted: <reason>`` with the revert bytes,
the ten dev accounts of ``backstop.testing.anvil.DEV_KEYS`` unlocked with 10,000 ETH each) plus
anvil's dev methods (``evm_mine``, ``evm_increaseTime``, ``evm_setNextBlockTimestamp``,
``evm_snapshot``/``evm_revert``, ``anvil_setBalance``, ``anvil_impersonateAccount``,
``evm_setAutomine``, ``anvil_setNextBlockBaseFeePerGas``, ...) and JSON-RPC batches.

Each provider owns its own ``boa.Env`` (``provider.env``), so several chains can live in one
process. ``history=False`` skips persisting the state of every block (about twice as fast; the
replay wants it): the state is kept only for blocks that were snapshotted (a state root) or read
by number or hash while they were the newest (no state root: the live state notes what later
blocks overwrite, and a read there rebuilds that block's state; the last 64 such blocks, until an
``evm_revert``); reads at other past blocks fail with a clear error.

What makes it fast, never changing an answer (see ``backstop.chain._node``):

- a call at the newest block is remembered with every storage slot and account it read; the
  same call later is answered without the EVM while all of them hold the same values (never for
  calls that read the block's values or create contracts);
- ``eth_call`` and the first run of ``eth_estimateGas`` execute the message's frames without the
  transaction around them when nothing in them can depend on it (no GAS, call or creation); an
  estimate of such a call needs no second run (its least limit is known from the first);
- ``record()`` notes every block, edit, snapshot and revert; ``replay_recording`` runs exactly
  those transactions again straight on the EVM (the floor ``backstop bench demo`` compares with).

Differences from anvil worth knowing:

- time is deterministic: each block is 1 s after its parent unless ``evm_increaseTime`` or
  ``evm_setNextBlockTimestamp`` says otherwise (anvil follows the wall clock);
- the base fee stays at 1 gwei (or at the last ``anvil_setNextBlockBaseFeePerGas`` value) instead
  of following EIP-1559's adjustment, and ``evm_revert`` restores it (anvil keeps its fee state);
- ``eth_estimateGas`` returns the least limit with which the call runs exactly as with the cap
  (at least Prague's calldata floor), worked out from one run; where that analysis does not
  apply (GAS read for anything but a call, a creation) one at most ~3% (+2,300) above it. With
  a failure caught inside (``try``), anvil may return a lower limit at which that inner call
  fails;
- a transaction below Prague's calldata gas floor is refused at submission (anvil accepts the
  hash and drops the transaction);
- ``eth_call`` at "pending" reads the latest block; there are no state overrides, no tracing.

The shared behaviour is checked on both chains by ``tests/integration/test_chain_anvil.py``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth.db.account import AccountDB
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from web3._utils.encoding import Web3JsonEncoder
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from backstop.chain._node import (
    CHAIN_ID,
    DEFAULT_BASE_FEE,
    DEFAULT_PRIORITY_FEE,
    DEV_ADDRESSES,
    DEV_BALANCE,
    EMPTY_ROOT,
    EMPTY_UNCLES,
    ZERO_ADDRESS,
    Block,
    Node,
    RpcFailure,
    hb,
    hx,
    make_env,
)
from backstop.testing.anvil import DEV_KEYS

CLIENT_VERSION = "backstop-inprocess/0.1.0 (titanoboa 0.2.8)"
_LATEST_TAGS = ("latest", "pending", "safe", "finalized")
_ZERO32 = "0x" + "00" * 32
_EMPTY_REQUESTS_HASH = "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class _ParamError(RpcFailure):
    def __init__(self, message: str) -> None:
        super().__init__(-32602, message)


# ---- parameter parsing ------------------------------------------------------------------------
def _int(value: Any, what: str = "quantity") -> int:
    if isinstance(value, bool):
        raise _ParamError(f"invalid {what}: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16) if value[:2] in ("0x", "0X") else int(value)
        except ValueError:
            pass
    raise _ParamError(f"invalid {what}: {value!r}")


def _bytes(value: Any, what: str = "data") -> bytes:
    if value is None:
        return b""
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise _ParamError(f"invalid {what}: {value!r}")


def _address(value: Any) -> bytes:
    raw = _bytes(value, "address")
    if len(raw) != 20:
        raise _ParamError(f"invalid address: {value!r}")
    return raw


def _param(params: Sequence[Any], index: int, default: Any = None) -> Any:
    return params[index] if len(params) > index and params[index] is not None else default


class BoaProvider(JSONBaseProvider):
    """A web3 provider backed by an in-process EVM that behaves like anvil."""

    def __init__(self, *, chain_id: int = CHAIN_ID, genesis_timestamp: int | None = None,
                 base_fee: int = DEFAULT_BASE_FEE, history: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node = Node(chain_id=chain_id, genesis_timestamp=genesis_timestamp,
                         base_fee=base_fee, history=history)
        self._lock = threading.RLock()
        self._filters: dict[int, dict[str, Any]] = {}
        self._next_filter = 0
        self._handlers: dict[str, Callable[[list[Any]], Any]] = {
            name[len("rpc_"):]: getattr(self, name) for name in dir(self)
            if name.startswith("rpc_")
        }

    def __repr__(self) -> str:
        return f"<BoaProvider chain {self.node.chain_id} at block {self.node.head.number}>"

    @property
    def env(self) -> Any:
        """The titanoboa ``boa.Env`` of this chain."""
        return self.node.env

    def record(self) -> None:
        """Note, from now on, every block with its transactions, every state edit, snapshot
        and revert (call it on a fresh chain): ``replay_recording(provider.recording)`` runs
        exactly those transactions straight on the EVM, the floor of what this chain costs."""
        with self._lock:
            self.node.record()

    @property
    def recording(self) -> list[tuple[Any, ...]] | None:
        """What ``record()`` noted so far (None when not recording)."""
        return self.node.recording

    def state_root(self) -> bytes:
        """The state root of the newest block (computed if not known yet)."""
        with self._lock:
            return self.node.head_root()

    # ---- the web3 provider API ------------------------------------------------------------------
    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        """Answer one JSON-RPC request."""
        request_id = next(self.request_counter)
        with self._lock:
            return self._answer(str(method), params, request_id)

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse]:
        """Answer a JSON-RPC batch, in order."""
        with self._lock:
            return [self._answer(str(m), p, next(self.request_counter)) for m, p in requests]

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True

    def _answer(self, method: str, params: Any, request_id: int) -> RPCResponse:
        handler = self._handlers.get(method)
        if handler is None:
            error = {"code": -32601, "message": f"Method not found: {method}"}
            return {"jsonrpc": "2.0", "id": request_id, "error": error}  # type: ignore[typeddict-item]
        try:
            plain = list(params or ())
            if not _is_json(plain):  # bytes, HexBytes, AttributeDict, ...: as a node sees them
                plain = json.loads(json.dumps(plain, cls=Web3JsonEncoder))
            result = handler(plain)
        except RpcFailure as failure:
            return {"jsonrpc": "2.0", "id": request_id,  # type: ignore[typeddict-item]
                    "error": failure.to_json()}
        except Exception as exc:  # an answer, never a crash of the caller's process
            return {"jsonrpc": "2.0", "id": request_id,  # type: ignore[typeddict-item]
                    "error": {"code": -32603,
                              "message": f"internal error: {type(exc).__name__}: {exc}"}}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    # ---- helpers --------------------------------------------------------------------------------
    def _block_number(self, tag: Any) -> int:
        node = self.node
        if tag is None or tag in _LATEST_TAGS:
            return node.head.number
        if tag == "earliest":
            return 0
        if isinstance(tag, dict):
            if "blockHash" in tag:
                block = node.block_by_hash(_bytes(tag["blockHash"], "block hash"))
                if block is None:
                    raise RpcFailure(-32001, f"block not found: {tag['blockHash']}")
                return self._pinned(block.number)
            return self._block_number(tag.get("blockNumber"))
        number = _int(tag, "block number")
        if number > node.head.number or number < 0:
            raise RpcFailure(-32602, f"BlockOutOfRangeError: block height is "
                                     f"{node.head.number} but requested was {number}")
        return self._pinned(number)

    def _pinned(self, number: int) -> int:
        """A read pinned to the head by number or hash keeps the head's state readable after
        newer blocks (``Node.pin``): whoever pins a block may read it again, like the keeper's
        batches."""
        self.node.pin(number)
        return number

    def _account_db(self, tag: Any) -> Any:
        return self.node.account_db_at(self._block_number(tag))

    def _call_args(self, tx: dict[str, Any]) -> tuple[bytes, bytes, int, bytes, int | None]:
        if not isinstance(tx, dict):
            raise _ParamError("expected a transaction object")
        sender = _address(tx["from"]) if tx.get("from") else b"\x00" * 20
        to = _address(tx["to"]) if tx.get("to") else b""
        data = _bytes(tx.get("input") or tx.get("data") or "0x")
        value = _int(tx.get("value", 0), "value")
        gas = _int(tx["gas"], "gas") if tx.get("gas") is not None else None
        return sender, to, value, data, gas

    def _block_json(self, block: Block, full: bool) -> dict[str, Any]:
        node = self.node
        txs: list[Any]
        if full:
            txs = [node.txs[h].json for h in block.tx_hashes if h in node.txs]
        else:
            txs = [hb(h) for h in block.tx_hashes]
        return {
            "number": hx(block.number),
            "hash": hb(block.hash),
            "parentHash": hb(block.parent_hash),
            "sha3Uncles": hb(EMPTY_UNCLES),
            "miner": "0x" + "00" * 20,
            "stateRoot": hb(block.state_root or bytes(32)),
            "transactionsRoot": hb(EMPTY_ROOT),
            "receiptsRoot": hb(EMPTY_ROOT),
            "logsBloom": hb(block.bloom.to_bytes(256, "big")),
            "difficulty": "0x0",
            "totalDifficulty": "0x0",
            "gasLimit": hx(node.gas_limit),
            "gasUsed": hx(block.gas_used),
            "timestamp": hx(block.timestamp),
            "extraData": "0x",
            "mixHash": _ZERO32,
            "nonce": "0x0000000000000000",
            "baseFeePerGas": hx(block.base_fee),
            "withdrawalsRoot": hb(EMPTY_ROOT),
            "blobGasUsed": "0x0",
            "excessBlobGas": "0x0",
            "parentBeaconBlockRoot": _ZERO32,
            "requestsHash": _EMPTY_REQUESTS_HASH,
            "size": hx(600 + 120 * len(block.tx_hashes)),
            "uncles": [],
            "transactions": txs,
            "withdrawals": [],
        }

    # ---- eth_ / net_ / web3_ ---------------------------------------------------------------------
    def rpc_web3_clientVersion(self, params: list[Any]) -> str:
        return CLIENT_VERSION

    def rpc_net_version(self, params: list[Any]) -> str:
        return str(self.node.chain_id)

    def rpc_net_listening(self, params: list[Any]) -> bool:
        return True

    def rpc_eth_chainId(self, params: list[Any]) -> str:
        return hx(self.node.chain_id)

    def rpc_eth_syncing(self, params: list[Any]) -> bool:
        return False

    def rpc_eth_blockNumber(self, params: list[Any]) -> str:
        return hx(self.node.head.number)

    def rpc_eth_accounts(self, params: list[Any]) -> list[str]:
        return [hb(a) for a in DEV_ADDRESSES]

    def rpc_eth_gasPrice(self, params: list[Any]) -> str:
        return hx(self.node.base_fee + DEFAULT_PRIORITY_FEE)

    def rpc_eth_maxPriorityFeePerGas(self, params: list[Any]) -> str:
        return hx(DEFAULT_PRIORITY_FEE)

    def rpc_eth_feeHistory(self, params: list[Any]) -> dict[str, Any]:
        count = _int(_param(params, 0, 1), "block count")
        newest = self._block_number(_param(params, 1, "latest"))
        percentiles = _param(params, 2, []) or []
        oldest = max(0, newest - count + 1)
        blocks = self.node.blocks[oldest:newest + 1]
        out: dict[str, Any] = {
            "oldestBlock": hx(oldest),
            "baseFeePerGas": [hx(b.base_fee) for b in blocks] + [hx(self.node.base_fee)],
            "gasUsedRatio": [b.gas_used / self.node.gas_limit for b in blocks],
            "baseFeePerBlobGas": ["0x1"] * (len(blocks) + 1),
            "blobGasUsedRatio": [0.0] * len(blocks),
        }
        if percentiles:
            out["reward"] = [self._rewards(b, percentiles) for b in blocks]
        return out

    def _rewards(self, block: Block, percentiles: list[Any]) -> list[str]:
        tips = sorted(
            min(r.priority_fee, r.max_fee - block.base_fee)
            for h in block.tx_hashes if (r := self.node.txs.get(h)) is not None
        )
        if not tips:
            return ["0x0"] * len(percentiles)
        return [hx(tips[min(len(tips) - 1, int(len(tips) * float(p) / 100))])
                for p in percentiles]

    def rpc_eth_getBalance(self, params: list[Any]) -> str:
        address = _address(_param(params, 0))
        return hx(self._account_db(_param(params, 1)).get_balance(address))

    def rpc_eth_getCode(self, params: list[Any]) -> str:
        address = _address(_param(params, 0))
        return hb(self._account_db(_param(params, 1)).get_code(address))

    def rpc_eth_getStorageAt(self, params: list[Any]) -> str:
        address = _address(_param(params, 0))
        slot = _int(_param(params, 1, 0), "storage slot")
        value = self._account_db(_param(params, 2)).get_storage(address, slot)
        return hb(value.to_bytes(32, "big"))

    def rpc_eth_getTransactionCount(self, params: list[Any]) -> str:
        address = _address(_param(params, 0))
        tag = _param(params, 1)
        if tag == "pending":
            return hx(self.node.pending_nonce(address))
        return hx(self._account_db(tag).get_nonce(address))

    def rpc_eth_getBlockByNumber(self, params: list[Any]) -> dict[str, Any] | None:
        tag = _param(params, 0, "latest")
        if tag not in _LATEST_TAGS and tag != "earliest":
            number = _int(tag, "block number")
            if number > self.node.head.number:
                return None
        block = self.node.blocks[self._block_number(tag)]
        return self._block_json(block, bool(_param(params, 1, False)))

    def rpc_eth_getBlockByHash(self, params: list[Any]) -> dict[str, Any] | None:
        block = self.node.block_by_hash(_bytes(_param(params, 0), "block hash"))
        return None if block is None else self._block_json(block, bool(_param(params, 1, False)))

    def rpc_eth_getBlockTransactionCountByNumber(self, params: list[Any]) -> str:
        block = self.node.blocks[self._block_number(_param(params, 0, "latest"))]
        return hx(len(block.tx_hashes))

    def rpc_eth_getBlockTransactionCountByHash(self, params: list[Any]) -> str | None:
        block = self.node.block_by_hash(_bytes(_param(params, 0), "block hash"))
        return None if block is None else hx(len(block.tx_hashes))

    def _tx_at(self, block: Block | None, index: Any) -> dict[str, Any] | None:
        position = _int(index, "transaction index")
        if block is None or not 0 <= position < len(block.tx_hashes):
            return None
        rec = self.node.txs.get(block.tx_hashes[position])
        return None if rec is None else rec.json

    def rpc_eth_getTransactionByBlockNumberAndIndex(self, params: list[Any]) -> Any:
        number = self._block_number(_param(params, 0, "latest"))
        return self._tx_at(self.node.blocks[number], _param(params, 1, 0))

    def rpc_eth_getTransactionByBlockHashAndIndex(self, params: list[Any]) -> Any:
        block = self.node.block_by_hash(_bytes(_param(params, 0), "block hash"))
        return self._tx_at(block, _param(params, 1, 0))

    def rpc_web3_sha3(self, params: list[Any]) -> str:
        return hb(keccak(_bytes(_param(params, 0, "0x"))))

    def rpc_eth_getTransactionByHash(self, params: list[Any]) -> dict[str, Any] | None:
        rec = self.node.txs.get(_bytes(_param(params, 0), "transaction hash"))
        return None if rec is None else rec.json

    def rpc_eth_getTransactionReceipt(self, params: list[Any]) -> dict[str, Any] | None:
        rec = self.node.txs.get(_bytes(_param(params, 0), "transaction hash"))
        return None if rec is None else rec.receipt

    def rpc_eth_call(self, params: list[Any]) -> str:
        if len(params) > 2 and params[2]:
            raise _ParamError("state overrides are not supported by the in-process chain")
        sender, to, value, data, gas = self._call_args(_param(params, 0))
        number = self._block_number(_param(params, 1))
        return hb(self.node.call(sender, to, value, data, gas, number))

    def rpc_eth_estimateGas(self, params: list[Any]) -> str:
        sender, to, value, data, gas = self._call_args(_param(params, 0))
        number = self._block_number(_param(params, 1))
        return hx(self.node.estimate_gas(sender, to, value, data, gas, number))

    def rpc_eth_sendTransaction(self, params: list[Any]) -> str:
        tx = _param(params, 0)
        if not isinstance(tx, dict) or not tx.get("from"):
            raise _ParamError("eth_sendTransaction needs a transaction object with 'from'")
        fields: dict[str, Any] = {}
        if tx.get("to"):
            fields["to"] = _address(tx["to"])
        data = tx.get("input") or tx.get("data")
        if data:
            fields["data"] = _bytes(data)
        for key in ("value", "nonce", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"):
            if tx.get(key) is not None:
                fields[key] = _int(tx[key], key)
        rec = self.node.make_unlocked(_address(tx["from"]), fields)
        return hb(self.node.submit(rec))

    def rpc_eth_sendRawTransaction(self, params: list[Any]) -> str:
        rec = self.node.make_raw(_bytes(_param(params, 0), "raw transaction"))
        return hb(self.node.submit(rec))

    def rpc_eth_getLogs(self, params: list[Any]) -> list[dict[str, Any]]:
        flt = _param(params, 0, {})
        if not isinstance(flt, dict):
            raise _ParamError("eth_getLogs takes a filter object")
        return self._logs(flt, after=None)

    def _logs(self, flt: dict[str, Any], after: int | None) -> list[dict[str, Any]]:
        """Logs matching ``flt``; only from blocks after ``after`` when given (filters)."""
        node = self.node
        if flt.get("blockHash"):
            block = node.block_by_hash(_bytes(flt["blockHash"], "block hash"))
            if block is None:
                raise RpcFailure(-32001, f"block not found: {flt['blockHash']}")
            blocks = [block]
        else:
            from_tag = flt.get("fromBlock", "latest")
            if after is not None and (from_tag is None or from_tag in _LATEST_TAGS):
                start = after + 1  # a filter from "latest" means: from when it was made
            else:
                start = self._block_number(from_tag)
            end = self._block_number(flt.get("toBlock", "latest"))
            if after is not None:
                start = max(start, after + 1)
            blocks = node.blocks[start:end + 1]
        if after is not None:
            blocks = [b for b in blocks if b.number > after]
        addresses = flt.get("address")
        if isinstance(addresses, str):
            addresses = [addresses]
        wanted = {a.lower() for a in addresses} if addresses else None
        topics = [
            None if t is None else {t.lower()} if isinstance(t, str) else {x.lower() for x in t}
            for t in (flt.get("topics") or [])
        ]
        out = []
        for block in blocks:
            for entry in block.logs:
                if wanted is not None and entry["address"] not in wanted:
                    continue
                if _topics_match(entry["topics"], topics):
                    out.append(entry)
        return out

    def rpc_eth_getBlockReceipts(self, params: list[Any]) -> list[dict[str, Any]] | None:
        block = self.node.blocks[self._block_number(_param(params, 0, "latest"))]
        return [self.node.txs[h].receipt for h in block.tx_hashes if h in self.node.txs]

    # ---- filters (polling) ------------------------------------------------------------------
    def _new_filter(self, kind: str, spec: dict[str, Any]) -> str:
        self._next_filter += 1
        self._filters[self._next_filter] = {"kind": kind, "spec": spec,
                                            "seen": self.node.head.number}
        return hx(self._next_filter)

    def _filter(self, params: list[Any]) -> dict[str, Any]:
        found = self._filters.get(_int(_param(params, 0), "filter id"))
        if found is None:
            raise RpcFailure(-32000, "filter not found")
        return found

    def rpc_eth_newFilter(self, params: list[Any]) -> str:
        spec = _param(params, 0, {})
        if not isinstance(spec, dict):
            raise _ParamError("eth_newFilter takes a filter object")
        self._logs(spec, after=None)  # refuse a bad filter now, not at the first poll
        return self._new_filter("logs", json.loads(json.dumps(spec)))  # the caller's to change

    def rpc_eth_newBlockFilter(self, params: list[Any]) -> str:
        return self._new_filter("blocks", {})

    def rpc_eth_getFilterChanges(self, params: list[Any]) -> list[Any]:
        flt = self._filter(params)
        seen, flt["seen"] = flt["seen"], self.node.head.number
        if flt["kind"] == "blocks":
            return [hb(b.hash) for b in self.node.blocks[seen + 1:]]
        return self._logs(flt["spec"], after=seen)

    def rpc_eth_getFilterLogs(self, params: list[Any]) -> list[Any]:
        flt = self._filter(params)
        if flt["kind"] != "logs":
            raise RpcFailure(-32000, "filter is not a log filter")
        return self._logs(flt["spec"], after=None)

    def rpc_eth_uninstallFilter(self, params: list[Any]) -> bool:
        return self._filters.pop(_int(_param(params, 0), "filter id"), None) is not None

    # ---- signing with the dev accounts' keys --------------------------------------------------
    def _dev_key(self, address: Any) -> str:
        raw = _address(address)
        if raw not in DEV_ADDRESSES:
            raise RpcFailure(-32602, "No Signer available")
        return DEV_KEYS[DEV_ADDRESSES.index(raw)]

    def rpc_eth_sign(self, params: list[Any]) -> str:
        key = self._dev_key(_param(params, 0))
        message = encode_defunct(primitive=_bytes(_param(params, 1), "message"))
        return hb(bytes(Account.sign_message(message, key).signature))

    def rpc_eth_signTypedData_v4(self, params: list[Any]) -> str:
        key = self._dev_key(_param(params, 0))
        data = _param(params, 1)
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise _ParamError("eth_signTypedData_v4 takes the typed data as JSON")
        return hb(bytes(Account.sign_typed_data(key, full_message=data).signature))

    # ---- anvil's dev methods ------------------------------------------------------------------
    def rpc_evm_mine(self, params: list[Any]) -> str:
        arg = _param(params, 0)
        if isinstance(arg, dict):
            blocks = _int(arg.get("blocks", 1), "blocks")
            ts = arg.get("timestamp")
            self.node.mine(blocks, None if ts is None else _int(ts, "timestamp"))
        else:
            self.node.mine(1, None if arg is None else _int(arg, "timestamp"))
        return "0x0"

    def rpc_anvil_mine(self, params: list[Any]) -> None:
        blocks = _int(_param(params, 0, 1), "blocks")
        interval = _param(params, 1)
        for _ in range(blocks):
            if interval is not None:
                self.node.increase_time(_int(interval, "interval"))
            self.node.mine(1)

    def rpc_evm_increaseTime(self, params: list[Any]) -> int:
        return self.node.increase_time(_int(_param(params, 0, 0), "seconds"))

    def rpc_evm_setNextBlockTimestamp(self, params: list[Any]) -> None:
        self.node.set_next_timestamp(_int(_param(params, 0), "timestamp"))

    def rpc_evm_snapshot(self, params: list[Any]) -> str:
        return hx(self.node.snapshot())

    def rpc_evm_revert(self, params: list[Any]) -> bool:
        return self.node.revert(_int(_param(params, 0), "snapshot id"))

    def rpc_evm_setAutomine(self, params: list[Any]) -> None:
        self.node.set_automine(bool(_param(params, 0, True)))

    def rpc_anvil_setAutomine(self, params: list[Any]) -> None:
        self.rpc_evm_setAutomine(params)

    def rpc_anvil_getAutomine(self, params: list[Any]) -> bool:
        return self.node.automine

    def rpc_anvil_setNextBlockBaseFeePerGas(self, params: list[Any]) -> None:
        self.node.base_fee = _int(_param(params, 0), "base fee")

    def rpc_anvil_setBalance(self, params: list[Any]) -> None:
        address = _address(_param(params, 0))
        wei = _int(_param(params, 1), "balance")
        self.node.edit_state(lambda state: state.set_balance(address, wei))

    def rpc_anvil_setCode(self, params: list[Any]) -> None:
        address = _address(_param(params, 0))
        code = _bytes(_param(params, 1), "code")
        self.node.edit_state(lambda state: state.set_code(address, code))

    def rpc_anvil_impersonateAccount(self, params: list[Any]) -> None:
        self.node.impersonated.add(_address(_param(params, 0)))

    def rpc_anvil_stopImpersonatingAccount(self, params: list[Any]) -> None:
        self.node.impersonated.discard(_address(_param(params, 0)))


@dataclass(frozen=True)
class FloorRun:
    """``replay_recording``'s answer: seconds spent (wall and CPU), transactions run, the final
    state root."""

    seconds: float
    cpu_seconds: float
    transactions: int
    state_root: bytes


def replay_recording(recording: Sequence[tuple[Any, ...]], *, chain_id: int = CHAIN_ID,
                     gas_limit: int | None = None) -> FloorRun:
    """Run a chain's ``recording`` again straight on a fresh titanoboa/py-evm EVM: the same
    transactions in the same blocks (number, time, base fee, recent block hashes), the same
    state edits, snapshots and reverts, with no JSON-RPC, no web3, no receipts, no calls.

    The seconds exclude setting up the EVM and the final state root (computed to check that
    the run reached the same state as the chain it was recorded on)."""
    from backstop.chain._node import BLOCK_GAS_LIMIT

    env = make_env()
    evm = env.evm
    evm.patch.chain_id = chain_id
    evm.patch.gas_limit = gas_limit or BLOCK_GAS_LIMIT
    evm.patch.coinbase = ZERO_ADDRESS
    state = evm.vm.state
    db = evm.vm.chaindb.db
    for address in DEV_ADDRESSES:
        state.set_balance(address, DEV_BALANCE)
    state.persist()
    ctx = state.execution_context
    hashes: list[bytes] = []
    snapshots: dict[int, tuple[bytes, int]] = {}
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    for event in recording:
        kind = event[0]
        if kind == "block":
            _, number, timestamp, base_fee, block_hash, txs = event
            evm.patch.block_number = number
            evm.patch.timestamp = timestamp
            ctx._base_fee_per_gas = base_fee
            evm.patch.prev_hashes = list(reversed(hashes[max(0, number - 256):number]))
            for tx in txs:
                state.lock_changes()
                state.apply_transaction(tx)
            state.lock_changes()
            count += len(txs)
            hashes.append(block_hash)
        elif kind == "edit":
            state.lock_changes()
            event[1](state)
            state.lock_changes()
        elif kind == "snapshot":
            state.persist()
            snapshots[event[1]] = (state.state_root, len(hashes))
        elif kind == "revert":
            root, height = snapshots[event[1]]
            for later in [k for k in snapshots if k >= event[1]]:
                del snapshots[later]
            state._account_db = AccountDB(db, root)
            del hashes[height:]
        elif kind == "genesis":
            hashes = [event[1]]
        else:
            raise ValueError(f"unknown event in a recording: {kind!r}")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    state.persist()
    return FloorRun(seconds, cpu, count, state.state_root)


def _is_json(value: Any) -> bool:
    """Whether ``value`` is made of JSON's own types only (plain dicts, lists, strings,
    numbers, booleans, None): then it reaches the handlers as it is, as after a round trip
    through JSON (the usual case: web3 formats requests before the provider sees them)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is list:
        return all(_is_json(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _is_json(v) for k, v in value.items())
    return False


def _topics_match(have: list[str], want: list[set[str] | None]) -> bool:
    if len(want) > len(have):
        return False
    return all(options is None or have[i] in options for i, options in enumerate(want))
