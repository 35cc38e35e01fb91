"""The replay's figures and chart, from the pure-Python outcome of the quick scenarios."""

import pytest

from backstop.replay import chart, model, report, scenario
from backstop.units import Wad


@pytest.fixture(scope="module")
def crash():
    return model.simulate(scenario.counterfactual_closed(quick=True))


def test_waves_add_up_to_the_total(crash):
    figs = report.figures(crash)
    waves = figs["waves"].values()
    total = figs["total"]
    assert sum(w["auctions"] for w in waves) == total["auctions"] == 14
    for key in ("dai_raised", "mkr_minted"):
        assert sum((Wad.parse(w[key]) for w in waves), Wad(0)) == Wad.parse(total[key])
    assert sum(w["pool_purchases"]["auctions"] for w in waves) == 8
    assert total["pool_purchases"] == {"auctions": 8, "mkr": "4000", "dai": "400000"}
    assert Wad.parse(total["price_min"]) <= Wad.parse(total["price_avg"]) <= \
        Wad.parse(total["price_max"]) == Wad.parse("100")


def test_followed_members_and_percent(crash):
    figs = report.figures(crash)
    one = figs["members"]["followed"]["1 DAI member"]
    assert one["deposit"] == "1" and one["mkr_back"] == str(Wad(crash.members[0].mkr_back))
    assert report._percent(0, 20_980) == "+0.00"
    assert report._percent(59, 20_980) == "+0.28"
    assert report._percent(-1, 3) == "-33.33"


def test_render_and_chart(crash, tmp_path):
    from rich.console import Console

    history = model.simulate(scenario.history(quick=True))
    console = Console(record=True, width=132)
    report.render(report.figures(crash), console, "crash")
    text = console.export_text()
    assert "8 (4,000 MKR)" in text and "a 1 DAI member got back" in text
    png = chart.draw(history, crash, tmp_path / "c.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
