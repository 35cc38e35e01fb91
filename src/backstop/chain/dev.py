"""Dev-chain helpers over anvil's JSON-RPC dev methods: the same calls drive a real anvil and the
in-process chain (``BoaProvider``). Not for mainnet: these methods do not exist there.

    mine(w3, blocks=1)                  mine blocks (pending transactions go in)
    time_travel(w3, seconds)            move time forward and mine one block
    set_next_timestamp(w3, ts)          the next block gets exactly this timestamp
    snapshot(w3) -> id; revert(w3, id)  save and restore the whole chain
    set_balance(w3, address, wei)       set an account's ETH balance
    impersonate(w3, address)            send from any address with eth_sendTransaction
    stop_impersonating(w3, address)
    set_automine(w3, enabled)           off: transactions wait in the pool until ``mine``
    set_next_base_fee(w3, wei)          base fee of the next block
    install_multicall3(w3)              Multicall3 (aggregate3) at its canonical address
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3

from backstop.chain.errors import RpcError, unavailable_from


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    """One raw request through the provider (no web3 formatters), errors as ``RpcError``."""
    try:
        response = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    except Exception as exc:
        unavailable = unavailable_from(exc, f"the node ({method})")
        if unavailable is not None:
            raise unavailable from exc
        raise
    if "error" in response:
        error = response["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise RpcError(f"{method}: {message}", error.get("code") if isinstance(error, dict)
                       else None)
    return response.get("result")


def mine(w3: Web3, blocks: int = 1) -> None:
    """Mine ``blocks`` blocks."""
    if blocks < 1:
        raise ValueError("mine: blocks must be at least 1")
    if blocks == 1:
        _rpc(w3, "evm_mine", [])
    else:
        _rpc(w3, "anvil_mine", [hex(blocks)])


def time_travel(w3: Web3, seconds: int) -> int:
    """Move the chain's time forward by ``seconds`` and mine one block; its timestamp."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(f"time_travel: seconds must be a non-negative int, not {seconds!r}")
    _rpc(w3, "evm_increaseTime", [seconds])
    _rpc(w3, "evm_mine", [])
    return int(w3.eth.get_block("latest")["timestamp"])


def set_next_timestamp(w3: Web3, timestamp: int) -> None:
    """The next block gets exactly ``timestamp``."""
    _rpc(w3, "evm_setNextBlockTimestamp", [int(timestamp)])


def snapshot(w3: Web3) -> str:
    """Save the whole chain; the id to give ``revert``."""
    return str(_rpc(w3, "evm_snapshot", []))


def revert(w3: Web3, snapshot_id: str) -> None:
    """Restore the chain saved by ``snapshot`` (that snapshot and later ones are used up)."""
    if not _rpc(w3, "evm_revert", [snapshot_id]):
        raise RpcError(f"evm_revert: no snapshot {snapshot_id} (each one can be reverted once)")


@contextmanager
def snapshotted(w3: Web3) -> Iterator[str]:
    """``with snapshotted(w3): ...`` undoes everything the block did to the chain."""
    snap = snapshot(w3)
    try:
        yield snap
    finally:
        revert(w3, snap)


def set_balance(w3: Web3, address: str, wei: int) -> None:
    """Set ``address``'s ETH balance to ``wei``."""
    _rpc(w3, "anvil_setBalance", [to_checksum_address(address), hex(wei)])


def impersonate(w3: Web3, address: str) -> None:
    """Let ``eth_sendTransaction`` send from ``address`` without its key."""
    _rpc(w3, "anvil_impersonateAccount", [to_checksum_address(address)])


def stop_impersonating(w3: Web3, address: str) -> None:
    """Undo ``impersonate``."""
    _rpc(w3, "anvil_stopImpersonatingAccount", [to_checksum_address(address)])


def set_automine(w3: Web3, enabled: bool) -> None:
    """Automine on (every transaction its own block) or off (transactions wait for ``mine``)."""
    _rpc(w3, "evm_setAutomine", [bool(enabled)])


def set_next_base_fee(w3: Web3, wei: int) -> None:
    """Base fee per gas of the next block (in-process: of every later block until set again)."""
    _rpc(w3, "anvil_setNextBlockBaseFeePerGas", [hex(wei)])


MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
"""Where Multicall3 lives on most public chains (and where ``install_multicall3`` puts it)."""


def install_multicall3(w3: Web3) -> str:
    """Put backstop's Multicall3 (``contracts/chain/multicall3.vy``: ``aggregate3``) at the
    canonical address with ``anvil_setCode``, unless code is there already; its address."""
    from backstop.artifacts import get_artifact

    if _rpc(w3, "eth_getCode", [MULTICALL3, "latest"]) in (None, "0x", "0x0"):
        runtime = get_artifact("chain/multicall3").runtime
        _rpc(w3, "anvil_setCode", [MULTICALL3, "0x" + runtime.hex()])
    return MULTICALL3
