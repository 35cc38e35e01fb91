"""The replay chart: each auction's clearing price and the pool's price line, both scenarios."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from backstop.replay.model import POOL, Outcome
from backstop.units import WAD

WAVE_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b")
POOL_COLOUR = "#d62728"


def _panel(ax, outcome: Outcome, title: str) -> None:
    """One scenario: a dot per auction (x = auction id, y = clearing price)."""
    for i, (wave, results) in enumerate(outcome.by_wave().items()):
        outside = [r for r in results if r.lot and r.winner != POOL]
        pool = [r for r in results if r.lot and r.winner == POOL]
        colour = WAVE_COLOURS[i % len(WAVE_COLOURS)]
        ax.scatter([r.id for r in outside], [r.price / WAD for r in outside], s=14,
                   color=colour, label=f"{wave} (outside bidders)")
        if pool:
            ax.scatter([r.id for r in pool], [r.price / WAD for r in pool], s=40, marker="D",
                       color=POOL_COLOUR, label=f"{wave} (bought by the pool)", zorder=3)
    ax.axhline(outcome.pool_price / WAD, color=POOL_COLOUR, linestyle="--", linewidth=1.2,
               label=f"pool price {outcome.pool_price // WAD} DAI/MKR")
    ax.set_title(title)
    ax.set_xlabel("auction id")
    ax.set_ylabel("clearing price (DAI per MKR)")
    top = max([r.price for r in outcome.auctions.values() if r.lot] + [outcome.pool_price])
    ax.set_ylim(0, top / WAD * 1.12)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")


def draw(history: Outcome, counterfactual: Outcome | None, path: Path) -> Path:
    """Write the PNG chart (one panel per scenario) and return its path."""
    panels = 2 if counterfactual is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.5), squeeze=False)
    _panel(axes[0][0], history, "March 2020 as it happened")
    if counterfactual is not None:
        _panel(axes[0][1], counterfactual, "A deeper crash: outside bidders below 100 DAI/MKR")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
