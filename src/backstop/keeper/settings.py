"""The keeper's settings: a frozen dataclass built from command-line arguments and environment
variables (prefix ``BACKSTOP_KEEPER_``; arguments win), validated with one-line messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from backstop.chain.tx import DEFAULT_BUMP_EVERY_BLOCKS, DEFAULT_BUMP_PERCENT, parse_gwei

ENV_PREFIX = "BACKSTOP_KEEPER_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_SECONDS = re.compile(r"^\d+(\.\d+)?$")


class ConfigError(ValueError):
    """A setting is wrong: the message says which and what to write instead."""


@dataclass(frozen=True)
class KeeperSettings:
    """Everything the keeper can be told. Durations are seconds; fees are gwei as decimal text."""

    rpc_url: str = "http://127.0.0.1:8545"
    pools: tuple[str, ...] = ()
    factory: str | None = None
    tick: bool = False
    from_block: int = 0
    log_chunk_blocks: int = 5_000
    max_fee_gwei: str | None = None
    priority_fee_gwei: str = "1"
    fee_budget_bps: int = 10  # gas may cost at most this share (1/10,000) of the DAI at stake
    eth_price_dai: int = 3_000  # to compare gas (ETH) with the DAI at stake
    fee_floor_gwei: str = "5"  # the default cap never goes below this
    bump_percent: int = DEFAULT_BUMP_PERCENT
    bump_every_blocks: int = DEFAULT_BUMP_EVERY_BLOCKS
    dry_run: bool = False
    metrics_port: int | None = None
    journal: str | None = None
    poll_interval: float = 1.0
    max_backoff: float = 12.0  # about one mainnet block (never below poll_interval)
    refresh_every_blocks: int = 32
    log_format: str = "json"
    keeper_index: int = 0  # this keeper's share of the auctions: id % keepers == keeper_index
    keepers: int = 1
    takeover_blocks: int = 3  # act on another keeper's share after this many quiet blocks
    batch_limit: int = 1_000  # JSON-RPC calls per HTTP request at most

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def from_sources(cls, args: Mapping[str, Any] | None = None,
                     env: Mapping[str, str] | None = None) -> KeeperSettings:
        """Defaults, then ``BACKSTOP_KEEPER_*`` from ``env``, then ``args`` (None means unset)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = (env or {}).get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _from_text(f.name, raw)
        for name, value in (args or {}).items():
            if value is not None and name in {f.name for f in fields(cls)}:
                values[name] = _from_text(name, value) if isinstance(value, str) else value
        if isinstance(values.get("pools"), list):
            values["pools"] = tuple(values["pools"])
        return cls(**values)

    def with_(self, **changes: Any) -> KeeperSettings:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)


_KINDS = {f.name: str(f.type) for f in fields(KeeperSettings)}


def _from_text(name: str, raw: str) -> Any:
    """Parse one setting given as text (environment or command line)."""
    text = raw.strip()
    if name == "pools":
        return tuple(p.strip() for p in text.split(",") if p.strip())
    kind = _KINDS[name]  # the field's type, as written: "bool", "int", "int | None", ...
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ConfigError(f"{name.replace('_', '-')}: {raw!r} is not true or false")
    if kind.startswith("int"):
        if not text.isdigit():
            raise ConfigError(f"{name.replace('_', '-')}: {raw!r} is not a whole number")
        return int(text)
    if kind == "float":
        if not _SECONDS.match(text):
            raise ConfigError(f"{name.replace('_', '-')}: {raw!r} is not a number of seconds")
        return float(text)
    if name in ("factory", "journal") and not text:
        return None
    return text


def _validate(s: KeeperSettings) -> None:
    if not s.pools and not s.factory:
        raise ConfigError("no pools to keep: give --pools ADDR[,ADDR...] or --factory ADDR")
    if s.pools and s.factory:
        raise ConfigError("give either --pools or --factory, not both")
    for address in (*s.pools, *([s.factory] if s.factory else [])):
        if not is_address(address):
            raise ConfigError(f"{address!r} is not an address: write it as 0x and 40 hex digits")
    object.__setattr__(s, "pools", tuple(to_checksum_address(p) for p in s.pools))
    if s.factory:
        object.__setattr__(s, "factory", to_checksum_address(s.factory))
    for name in ("max_fee_gwei", "priority_fee_gwei", "fee_floor_gwei"):
        value = getattr(s, name)
        try:
            parse_gwei(value)
        except ValueError as exc:
            raise ConfigError(f"{name.replace('_', '-')}: {exc}") from None
    if s.from_block < 0:
        raise ConfigError("from-block cannot be negative")
    if s.log_chunk_blocks < 1:
        raise ConfigError("log-chunk-blocks must be at least 1")
    if s.bump_percent < 10:
        raise ConfigError("bump-percent must be at least 10 (nodes refuse smaller replacements)")
    if s.bump_every_blocks < 1:
        raise ConfigError("bump-every-blocks must be at least 1")
    if s.metrics_port is not None and not 0 <= s.metrics_port <= 65_535:
        raise ConfigError(f"metrics-port {s.metrics_port} is not a TCP port (0 to 65535)")
    if s.poll_interval <= 0:
        raise ConfigError("poll-interval must be a positive number of seconds")
    if s.max_backoff <= 0:
        raise ConfigError("max-backoff must be a positive number of seconds")
    if s.keepers < 1 or not 0 <= s.keeper_index < s.keepers:
        raise ConfigError(f"keeper-index {s.keeper_index} of {s.keepers} keepers: give an "
                          "index from 0 to keepers - 1")
    if s.takeover_blocks < 1:
        raise ConfigError("takeover-blocks must be at least 1")
    if s.batch_limit < 1:
        raise ConfigError("batch-limit must be at least 1 call per request")
    if s.eth_price_dai < 1:
        raise ConfigError("eth-price-dai must be at least 1 (DAI per ETH)")
    if s.fee_budget_bps < 1:
        raise ConfigError("fee-budget-bps must be at least 1 (0.01% of the DAI at stake)")
    if s.refresh_every_blocks < 1:
        raise ConfigError("refresh-every-blocks must be at least 1")
    if s.log_format not in ("json", "logfmt"):
        raise ConfigError(f"log-format {s.log_format!r}: use json or logfmt")
    if s.journal is not None:
        folder = Path(s.journal).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"journal: the folder {folder} does not exist; create it or give "
                              "another --journal FILE")
