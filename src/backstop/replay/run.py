"""Run the whole replay on one in-process chain: history, the counterfactual (deposits open
through the crisis) and its comparison with deposits closed once the pool bids; figures, chart,
files.

The chain is set up once (Maker core, a 100 DAI/MKR pool, every member enlisted with DAI's
permit, bidders ready), snapshotted, played as history, reverted to the snapshot and played as
the counterfactual. The closed-deposits run is the counterfactual without its late members, the
same run until they join: it goes on from a snapshot taken there (``Driver.branch``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backstop.replay import chart, report
from backstop.replay import scenario as scenarios
from backstop.replay.model import Driver, Outcome

CHART_FILE = "march-2020.png"
JSON_FILE = "march-2020.json"

Progress = Callable[[str, int, int], None]  # (scenario, auctions dealt, auctions in all)


@dataclass
class DemoResult:
    """History and counterfactual (the closed-deposits comparison is in their figures), where
    the files went and how long it took."""

    history: Outcome
    counterfactual: Outcome
    figures: dict[str, Any]
    seconds: float
    transactions: int
    files: dict[str, str] = field(default_factory=dict)
    provider: Any = None  # the in-process chain it ran on (its recording, with record=True)
    cpu_seconds: float = 0.0  # CPU time of this process over the same span as ``seconds``

    @property
    def tx_per_second(self) -> float:
        """EVM transactions per second of wall time (display only)."""
        return self.transactions / self.seconds if self.seconds else 0.0


def _notes(s: scenarios.Scenario) -> dict[str, str]:
    return {w.name: w.note for w in s.waves}


def run_demo(quick: bool = False, out: Path | None = None,
             progress: Progress | None = None, *, record: bool = False) -> DemoResult:
    """Play every run on a fresh in-process chain; write the chart and JSON into ``out``.

    ``record=True``: the chain notes every block and state edit (``result.provider.recording``,
    for ``backstop bench demo``'s floor)."""
    from backstop.chain import dev
    from backstop.replay.chain import ChainEngine

    started, cpu_started = time.monotonic(), time.process_time()
    tell = progress or (lambda name, done, total: None)
    history = scenarios.history(quick)
    crash = scenarios.counterfactual(quick)
    engine = ChainEngine(history, record=record)
    engine.enlist_all(history.members)
    w3 = engine.w3
    snap = dev.snapshot(w3)
    base = w3.eth.block_number
    setup = count_transactions(w3, 0, base)

    h = Driver(history, engine, lambda d, t: tell(history.name, d, t)).run()
    h.transactions = count_transactions(w3, base + 1, w3.eth.block_number)
    dev.revert(w3, snap)
    engine.use(crash, w3.eth.accounts[2])
    branched: dict[str, Any] = {}

    def fork(driver: Driver) -> None:  # where the late members are about to join
        branched.update(snap=dev.snapshot(w3), block=w3.eth.block_number,
                        driver=driver.branch())

    crash_driver = Driver(crash, engine, lambda d, t: tell(crash.name, d, t))
    crash_driver.fork = fork
    c = crash_driver.run()
    c.transactions = count_transactions(w3, base + 1, w3.eth.block_number)
    # the same crash with deposits closed once the pool bids (as in 2020), the comparison: the
    # two are the same run until the late members join, so it goes on from there
    closed, closed_new = c, 0  # nobody joined late (the pool never won): the same run
    if branched:
        closed_scenario = scenarios.counterfactual_closed(quick)
        dev.revert(w3, branched["snap"])
        engine.use(closed_scenario, w3.eth.accounts[3])
        closed = branched["driver"].resume(
            closed_scenario, lambda d, t: tell(closed_scenario.name, d, t))
        closed_new = count_transactions(w3, branched["block"] + 1, w3.eth.block_number)
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started

    figs = {
        "history": report.figures(h, _notes(history)),
        "counterfactual": report.figures(c, _notes(crash)),
        "open_deposits": report.open_deposits(c, closed),
        "quick": quick,
        "setup_transactions": setup,
        "wall_seconds": round(seconds, 2),
    }
    result = DemoResult(h, c, figs, seconds, setup + h.transactions + c.transactions + closed_new,
                        provider=engine.provider, cpu_seconds=cpu_seconds)
    figs["transactions"] = result.transactions
    figs["tx_per_second"] = round(result.tx_per_second, 1)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result.files["chart"] = str(chart.draw(h, c, out / CHART_FILE))
        result.files["json"] = str(out / JSON_FILE)
        figs["files"] = dict(result.files)
        (out / JSON_FILE).write_text(json.dumps(figs, indent=2) + "\n")
    return result


def count_transactions(w3: Any, first: int, last: int) -> int:
    """Transactions mined in blocks ``first..last`` (one JSON-RPC batch)."""
    from backstop.chain import send_batch

    answers = send_batch(
        w3, [("eth_getBlockTransactionCountByNumber", [hex(n)]) for n in range(first, last + 1)])
    return sum(int(a["result"], 16) for a in answers)
