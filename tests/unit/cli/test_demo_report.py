"""The demo tells the history (issue 13): dates, why the debt auctions happened, the record
compared only for the history, tables that fit the terminal, a chart on dates with one price
scale and the pool's purchases visible."""

from __future__ import annotations

import pytest
from rich.console import Console

from backstop.replay import chart, model, report, scenario


@pytest.fixture(scope="module")
def outcomes():
    return (
        model.simulate(scenario.history(quick=True)),
        model.simulate(scenario.counterfactual_closed(quick=True)),
    )


def test_the_background_says_why_the_auctions_happened():
    text = report.BACKGROUND
    for words in (
        "Black Thursday",
        "12-13 March 2020",
        "bids of zero DAI",
        "bad debt",
        "from 19 March",
        "100 DAI per MKR",
    ):
        assert words in text


def test_waves_and_auctions_carry_dates(outcomes):
    history, crash = outcomes
    h = report.figures(history)
    assert h["waves"]["wave 1"]["first_kick"] == "2020-03-19"
    assert h["waves"]["wave 3"]["first_kick"] == "2020-03-26"
    assert h["total"]["first_kick"] == "2020-03-19"
    first = h["auctions"][0]
    assert first["kicked_at"].startswith("2020-03-19T") and first["settled_at"].endswith("Z")
    c = report.figures(crash)
    assert c["total"]["last_settled"] > h["total"]["last_settled"]  # restarts take weeks


def test_the_record_is_compared_only_for_the_history(outcomes):
    history, crash = outcomes
    assert report.figures(history)["vs_history_mkr_percent"] is not None
    assert report.figures(crash)["vs_history_mkr_percent"] is None


@pytest.mark.parametrize("width", [80, 100, 132])
def test_tables_fit_the_terminal_and_keep_every_figure_whole(outcomes, width):
    _, crash = outcomes
    console = Console(record=True, width=width)
    report.render(report.figures(crash), console, "crash")
    text = console.export_text()
    assert "…" not in text  # nothing cut
    table = [line for line in text.splitlines() if line[:1] in "┏┃┡│├└"]
    assert table and all(len(line) <= width for line in table)
    assert "19 Mar" in text and "wave 1" in text


def test_the_chart_shares_one_price_scale_and_uses_dates(outcomes):
    import matplotlib.pyplot as plt

    history, crash = outcomes
    fig = chart.build(history, crash)
    try:
        left, right = fig.axes[:2]
        assert left.get_ylim() == right.get_ylim()
        assert "date" in left.get_xlabel() and "date" in right.get_xlabel()
        labels = [t.get_text() for t in left.texts]
        assert any("wave 1 kicked 19 Mar" in t for t in labels)  # wave boundaries
        bought = [
            int(t.get_text().split()[0])
            for t in right.texts
            if t.get_text().split()[-1] in ("lot", "lots")
        ]
        # every purchase is counted in a label, none hidden behind another point
        assert sum(bought) == report.figures(crash)["total"]["pool_purchases"]["auctions"] == 8
    finally:
        plt.close(fig)
