"""The replay chart: each auction's clearing price against the date it settled, both scenarios on
the same price scale, the waves shaded, the pool's price line.

Auctions of one wave settle together at the same price, so points that fall on the same date and
price are drawn once with their count ("x33"): nothing hides behind another point, and the
pool's purchases stand out as red diamonds with their number.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from backstop.replay.model import POOL, Outcome
from backstop.replay.report import HISTORY_AUCTIONS
from backstop.units import WAD

WAVE_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b")
POOL_COLOUR = "#d62728"


def _when(timestamp: int) -> datetime:
    """A chain timestamp as a UTC date for the x axis (naive: matplotlib's dates)."""
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


def _groups(points: list[tuple[int, int]]) -> list[tuple[datetime, float, int]]:
    """(date, price, count) for each distinct (settled at, price)."""
    counts = Counter(points)
    return [(_when(t), p / WAD, n) for (t, p), n in sorted(counts.items())]


def _scatter(
    ax, points: list[tuple[int, int]], *, colour: str, marker: str, label: str, big: bool = False
) -> None:
    groups = _groups(points)
    if not groups:
        return
    sizes = [(60 if big else 22) + 10 * min(n, 20) for _, _, n in groups]
    ax.scatter(
        [g[0] for g in groups],
        [g[1] for g in groups],
        s=sizes,
        marker=marker,
        color=colour,
        edgecolors="black" if big else "none",
        linewidths=0.6,
        label=label,
        zorder=4 if big else 3,
        alpha=0.9,
    )
    for k, (when, price, n) in enumerate(groups):
        if big:
            ax.annotate(
                f"{n} lot{'s' if n > 1 else ''}",  # the legend says who bought
                (when, price),
                textcoords="offset points",
                # groups close in time stack their labels instead of overlapping
                xytext=(-12, 14 + 14 * k),
                fontsize=8,
                color=POOL_COLOUR,
                fontweight="bold",
            )
    if not big:  # one block of counts per wave, beside its points: nearby prices never overprint
        by_price = Counter(p for _, p in points)
        top = sorted(by_price.items(), key=lambda g: -g[1])[:4]
        lines = [f"{n} at {price / WAD:,.2f}" for price, n in sorted(top, key=lambda g: -g[0])]
        more = len(points) - sum(n for _, n in top)
        if more:
            lines.append(f"{more} more")
        anchor = max(groups, key=lambda g: (g[0], g[1]))
        ax.annotate(
            "\n".join(lines),
            (anchor[0], max(g[1] for g in groups)),
            textcoords="offset points",
            xytext=(12, -10),
            fontsize=7,
            color=colour,
            va="top",
        )


def _panel(ax, outcome: Outcome, title: str, legend: str) -> None:
    """One scenario: a point per (settlement date, clearing price), waves shaded."""
    for i, (wave, results) in enumerate(outcome.by_wave().items()):
        first = min(r.kicked_at for r in results)
        colour = WAVE_COLOURS[i % len(WAVE_COLOURS)]
        ax.axvline(_when(first), color=colour, linewidth=0.8, linestyle=":", zorder=1)
        ax.text(
            _when(first),
            0.02 + 0.06 * i,
            f" {wave} kicked {_when(first):%d %b}",
            fontsize=7,
            va="bottom",
            ha="left",
            transform=ax.get_xaxis_transform(),
            color=colour,
        )
        outside = [(r.dealt_at, r.price) for r in results if r.lot and r.winner != POOL]
        pool = [(r.dealt_at, r.price) for r in results if r.lot and r.winner == POOL]
        _scatter(ax, outside, colour=colour, marker="o", label=f"{wave}: outside bidders won")
        _scatter(
            ax, pool, colour=POOL_COLOUR, marker="D", label=f"{wave}: the pool bought", big=True
        )
    ax.axhline(
        outcome.pool_price / WAD,
        color=POOL_COLOUR,
        linestyle="--",
        linewidth=1.2,
        label=f"the pool's price, {outcome.pool_price // WAD} DAI/MKR",
        zorder=2,
    )
    start = min(r.kicked_at for r in outcome.auctions.values())
    end = max(r.dealt_at or r.kicked_at for r in outcome.auctions.values())
    pad = (end - start) // 6 + 1
    ax.set_xlim(_when(start - pad // 2), _when(end + pad))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("date the auction settled (2020, UTC); dotted: the day each wave was kicked")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc=legend, framealpha=0.9)


def _top(*outcomes: Outcome | None) -> float:
    """The shared y limit: above the highest price of every panel."""
    prices = [r.price for o in outcomes if o is not None for r in o.auctions.values() if r.lot]
    prices += [o.pool_price for o in outcomes if o is not None]
    return max(prices) / WAD * 1.18


def draw(history: Outcome, counterfactual: Outcome | None, path: Path) -> Path:
    """Write the PNG chart (one panel per scenario, the same price scale) and return its path."""
    fig = build(history, counterfactual)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def build(history: Outcome, counterfactual: Outcome | None) -> Any:
    """The chart's matplotlib figure (the caller saves and closes it)."""
    panels = 2 if counterfactual is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(7 * panels, 4.8), squeeze=False, sharey=True)
    _panel(
        axes[0][0],
        history,
        f"March 2020 as it happened: {HISTORY_AUCTIONS} debt auctions after Black Thursday"
        if len(history.auctions) == HISTORY_AUCTIONS
        else "March 2020 as it happened (shortened)",
        "center right",
    )
    axes[0][0].set_ylabel("clearing price (DAI per MKR)")
    if counterfactual is not None:
        _panel(
            axes[0][1],
            counterfactual,
            "What if (made up): every outside bidder valued MKR below 100 DAI",
            "upper right",
        )
    axes[0][0].set_ylim(0, _top(history, counterfactual))
    fig.suptitle(
        "Maker's debt auctions: MKR minted and sold for DAI to cover bad debt; the "
        "syndicate's pool buys at 100 DAI/MKR as buyer of last resort",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
