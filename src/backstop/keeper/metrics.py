"""Prometheus metrics of one keeper, in its own registry (several keepers per process are fine)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

PREFIX = "backstop_keeper_"


class KeeperMetrics:
    """The counters and gauges ``--metrics-port`` serves (names prefixed ``backstop_keeper_``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._samples: dict[str, str] = {}  # attribute -> sample name in the registry
        self.auctions_seen = self._counter("auctions_seen", "auctions_seen",
                                           "Debt auctions discovered")
        self.auctions_followed = self._gauge("auctions_followed", "auctions_followed",
                                             "Debt auctions followed now")
        self.entered = self._counter("entered", "auctions_entered",
                                     "enterAuction transactions mined")
        self.finalized = self._counter("finalized", "auctions_finalized",
                                       "finalizeAuction transactions mined")
        self.ticks = self._counter("ticks", "ticks", "tick transactions mined")
        self.txs_sent = self._counter("txs_sent", "txs_sent", "Transactions sent")
        self.txs_replaced = self._counter("txs_replaced", "txs_replaced",
                                          "Same-nonce replacements with higher fees")
        self.txs_failed = self._counter("txs_failed", "txs_failed",
                                        "Transactions mined with status 0 or lost")
        self.txs_dropped = self._counter("txs_dropped", "txs_skipped",
                                         "Actions not sent because the simulation reverted")
        self.rpc_errors = self._counter("rpc_errors", "rpc_errors", "RPC faults met")
        self.last_block = self._gauge("last_block", "last_block", "Last block processed")
        self.in_flight = self._gauge("in_flight", "txs_in_flight", "Transactions in flight")

    def _counter(self, attr: str, name: str, help_text: str) -> Counter:
        self._samples[attr] = PREFIX + name + "_total"
        return Counter(PREFIX + name, help_text, registry=self.registry)

    def _gauge(self, attr: str, name: str, help_text: str) -> Gauge:
        self._samples[attr] = PREFIX + name
        return Gauge(PREFIX + name, help_text, registry=self.registry)

    def value(self, attr: str) -> float:
        """The current value of one metric by its attribute name (``value("entered")``), read
        from the registry: what ``/metrics`` shows."""
        got = self.registry.get_sample_value(self._samples[attr])
        return 0.0 if got is None else got

    def serve(self, port: int, addr: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` over HTTP on ``addr:port`` (a daemon thread)."""
        start_http_server(port, addr=addr, registry=self.registry)
