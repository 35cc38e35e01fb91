"""Prometheus metrics of one keeper, in its own registry (several keepers per process are fine)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server


class KeeperMetrics:
    """The counters and gauges ``--metrics-port`` serves."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.auctions_seen = Counter("backstop_keeper_auctions_seen", "Debt auctions discovered",
                                     registry=r)
        self.auctions_followed = Gauge("backstop_keeper_auctions_followed",
                                       "Debt auctions followed now", registry=r)
        self.entered = Counter("backstop_keeper_auctions_entered",
                               "enterAuction transactions mined", registry=r)
        self.finalized = Counter("backstop_keeper_auctions_finalized",
                                 "finalizeAuction transactions mined", registry=r)
        self.ticks = Counter("backstop_keeper_ticks", "tick transactions mined", registry=r)
        self.txs_sent = Counter("backstop_keeper_txs_sent", "Transactions sent", registry=r)
        self.txs_replaced = Counter("backstop_keeper_txs_replaced",
                                    "Same-nonce replacements with higher fees", registry=r)
        self.txs_failed = Counter("backstop_keeper_txs_failed",
                                  "Transactions mined with status 0 or lost", registry=r)
        self.txs_dropped = Counter("backstop_keeper_txs_skipped",
                                   "Actions not sent because the simulation reverted", registry=r)
        self.rpc_errors = Counter("backstop_keeper_rpc_errors", "RPC faults met", registry=r)
        self.last_block = Gauge("backstop_keeper_last_block", "Last block processed", registry=r)
        self.in_flight = Gauge("backstop_keeper_txs_in_flight", "Transactions in flight",
                               registry=r)

    def serve(self, port: int, addr: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` over HTTP on ``addr:port`` (a daemon thread)."""
        start_http_server(port, addr=addr, registry=self.registry)
