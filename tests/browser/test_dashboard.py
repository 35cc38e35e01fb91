"""The dashboard in a real headless Chromium against an anvil devnet.

Each test compares what the page shows with what the chain holds, read here directly with
web3 (not through the dashboard's code), and drives the page as a person would: clicks, typing,
the Enter key, an injected wallet that forwards to anvil.
"""

from __future__ import annotations

import re
from typing import Any

from web3 import Web3

from backstop.artifacts import get_artifact
from backstop.units import Rad, Wad, price_of
from backstop.web.pool_io import STATUS_WORDS

Devnet = Any  # the `chain` fixture's Devnet (tests/browser/conftest.py)
PHONE_WIDTH = 390

TX_TIMEOUT = 30_000  # ms: a confirmed transaction shows within this on anvil's automine
POLL_TIMEOUT = 15_000  # ms: the page polls the server every 3 s


def contract(chain: Devnet, name: str, address: str) -> Any:
    """A plain web3 contract over the project's compiled ABI."""
    return chain.w3.eth.contract(address=Web3.to_checksum_address(address),
                                 abi=get_artifact(name).abi)


def pool_reads(chain: Devnet) -> dict[str, int]:
    """The pool's numbers straight from the chain."""
    p = contract(chain, "pool/pool", chain.pool.address).functions
    return {
        "price": p.price().call(), "status": p.getStatus().call(),
        "total": p.getDaiBalance().call(), "locked": p.getDaiBalanceForAuctions().call(),
        "free": p.getAvailableDaiBalance().call(), "mkr": p.getMKRBalance().call(),
        "supply": p.totalSupply().call(),
    }


def shares_of(chain: Devnet, who: str) -> int:
    return contract(chain, "pool/pool", chain.pool.address).functions.balanceOf(who).call()


def dai_of(chain: Devnet, who: str) -> int:
    return contract(chain, "maker/dai", chain.core.dai.address).functions.balanceOf(who).call()


def cells(row: Any) -> list[str]:
    """The visible text of a table row's cells."""
    return [t.strip() for t in row.locator("td").all_inner_texts()]


def wait_for_step(page: Any, pattern: str, timeout: int = TX_TIMEOUT) -> str:
    """Wait until a progress step matches ``pattern``; return its text."""
    loc = page.locator("#steps li", has_text=re.compile(pattern))
    loc.first.wait_for(timeout=timeout)
    return loc.first.inner_text()


def fail_step(page: Any) -> str:
    loc = page.locator("#steps li.bad")
    loc.first.wait_for(timeout=TX_TIMEOUT)
    return loc.first.inner_text()


def test_page_shows_the_numbers_the_chain_holds(page: Any, phone_page: Any, chain: Devnet,
                                                shoot: Any) -> None:
    r = pool_reads(chain)
    holders = sum(1 for who in (chain.deployer, chain.depositor, chain.member, chain.keeper,
                                chain.bidder) if shares_of(chain, who) > 0)
    row = page.locator(f'#pools tr[data-pool="{chain.pool.address}"]')
    value = Wad(r["total"] + r["mkr"] * r["price"] // 10**18)
    assert cells(row)[:8] == [
        Wad(r["price"]).format(2), STATUS_WORDS["accepting"], str(holders), value.format(2),
        Wad(r["free"] * 10**18 // r["supply"]).format(4),  # the liquid DAI per share
        Wad(r["free"]).format(2), Wad(r["locked"]).format(2), Wad(r["mkr"]).format(4),
    ]
    bid, lot, _guy, _tic, _end = contract(chain, "maker/flopper", chain.core.flopper.address) \
        .functions.bids(chain.auction).call()
    arow = page.locator(f'#auctions tr[data-auction="{chain.auction}"]')
    c = cells(arow)
    assert c[:5] == [str(chain.auction), Wad(lot).format(4), Rad(bid).format(2),
                     price_of(Rad(bid), Wad(lot)).format(2), "no bid yet"]
    assert c[6] == "open, no bid yet" and re.match(r"\d+ d \d+ h$", c[5]), c
    # every pool of the factory, the empty second one too, each with its price line
    assert page.locator("#pools tbody tr").count() == 2
    second = cells(page.locator(f'#pools tr[data-pool="{chain.second.address}"]'))
    assert second[:4] == ["250.00", STATUS_WORDS["accepting"], "0", "0.00"]
    assert page.locator("#chart .pool-line text").all_text_contents() == ["pool 100", "pool 250"]
    assert page.locator("#chart .auction-line").count() == 1
    # every form control has a label a screen reader announces
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, button')]
        .filter((e) => !(e.labels && e.labels.length) && !e.textContent.trim()
                 && !e.getAttribute('aria-label')).map((e) => e.id || e.name)""")
    assert unlabelled == []
    assert page.get_attribute("#status", "aria-live") == "polite"
    shoot(page, "overview-desktop")
    phone = phone_page
    assert cells(phone.locator(f'#pools tr[data-pool="{chain.pool.address}"]'))[0] == \
        Wad(r["price"]).format(2)
    # on a phone the table is one card per row: nothing wider than the screen
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"page is {width}px wide on a {PHONE_WIDTH}px phone"
    shoot(phone, "overview-phone")


def test_an_auction_entered_by_the_keeper_appears_without_reload(page: Any, chain: Devnet,
                                                                  shoot: Any) -> None:
    row = page.locator(f'#auctions tr[data-auction="{chain.auction}"]')
    assert cells(row)[6] == "open, no bid yet"
    enter_auction(chain)
    row.locator("td", has_text="running, high bid placed").wait_for(timeout=POLL_TIMEOUT)
    r = pool_reads(chain)
    bid, lot, guy, _tic, _end = contract(chain, "maker/flopper", chain.core.flopper.address) \
        .functions.bids(chain.auction).call()
    assert guy == chain.pool.address
    c = cells(row)
    assert c[1] == Wad(lot).format(4) and c[3] == price_of(Rad(bid), Wad(lot)).format(2)
    assert c[4] == "pool 100"
    pool_row = page.locator(f'#pools tr[data-pool="{chain.pool.address}"]')
    pc = cells(pool_row)
    assert pc[1] == "bidding in 1 auction; open for deposits (they bid at once)"
    assert pc[5] == Wad(r["free"]).format(2)
    assert pc[6] == Wad(r["locked"]).format(2) and r["locked"] > 0
    # the chart now shows the auction's price moving to the pool's price (two steps)
    points = page.locator("#chart .auction-line polyline").get_attribute("points").split()
    assert len(points) >= 4
    shoot(page, "auction-entered-desktop")


def enter_auction(chain: Devnet) -> None:
    """The keeper enters the auction (one keeper step)."""
    from backstop.keeper import Keeper, KeeperSettings

    settings = KeeperSettings(pools=(chain.pool.address,), log_format="logfmt")
    Keeper(chain.w3, chain.keeper, [chain.pool], settings).step()


def test_enlist_with_permit_then_defect_all_through_the_page(page: Any, chain: Devnet,
                                                             shoot: Any) -> None:
    dai_before, shares_before = dai_of(chain, chain.depositor), shares_of(chain, chain.depositor)
    r = pool_reads(chain)
    amount = Wad.parse("1234.5")
    page.click("#connect")
    page.locator(f'#account button.copy[data-copy="{chain.depositor}"]').wait_for()
    page.fill("#enlist-amount", "1234.5")
    page.click("#enlist-form button[type=submit]")
    assert "Permit: signed" in wait_for_step(page, r"^Permit: signed")
    assert "you would put in 1,234.5 DAI" in wait_for_step(page, r"simulation ok")
    wait_for_step(page, r"^Enlist: confirmed")
    expected_shares = amount.raw * r["supply"] // r["total"]
    assert dai_of(chain, chain.depositor) == dai_before - amount.raw
    assert shares_of(chain, chain.depositor) - shares_before == expected_shares
    prow = page.locator(f'#position tr[data-pool="{chain.pool.address}"]')
    prow.locator('td[data-label="Shares"]',
                 has_text=Wad(shares_before + expected_shares).format(4)).wait_for()
    shoot(page, "enlisted-desktop")

    shares = shares_of(chain, chain.depositor)
    dai_out, _mkr_out, ok = contract(chain, "pool/pool", chain.pool.address) \
        .functions.getDefectAmount(shares).call()
    assert ok
    page.fill("#defect-amount", "all")
    page.press("#defect-amount", "Enter")  # the keyboard submits the form
    assert f"receive {Wad(dai_out).format(2).split('.')[0]}" in wait_for_step(page, "simulation ok")
    wait_for_step(page, r"^Defect: confirmed")
    assert shares_of(chain, chain.depositor) == 0
    assert dai_of(chain, chain.depositor) == dai_before - amount.raw + dai_out
    prow.locator('td[data-label="Withdrawable now"]', has_text="–").wait_for()
    prow.locator('td[data-label="Shares"]', has_text="0.0000").wait_for()


def test_enlist_with_an_approval_transaction(page: Any, chain: Devnet) -> None:
    dai_before, shares_before = dai_of(chain, chain.depositor), shares_of(chain, chain.depositor)
    page.click("#connect")
    page.fill("#enlist-amount", "10")
    page.check("input[name=method][value=approve]")
    page.click("#enlist-form button[type=submit]")
    wait_for_step(page, r"^Approval: confirmed")
    wait_for_step(page, r"^Enlist: confirmed")
    assert dai_of(chain, chain.depositor) == dai_before - Wad.from_number(10).raw
    assert shares_of(chain, chain.depositor) > shares_before
    methods = page.evaluate("window.__walletLog")
    assert methods.count("eth_sendTransaction") == 2 and "eth_signTypedData_v4" not in methods


def test_bad_input_gets_a_clear_message_and_sends_nothing(page: Any, phone_page: Any,
                                                          chain: Devnet, shoot: Any) -> None:
    err = page.locator("#enlist-error")
    for text, message in (
        ("", "enter a number"),
        ("abc", '"abc" is not a number'),
        ("-5", "must be positive"),
        ("1.0000000000000000001", "19 decimals given, at most 18"),
        ("0", "must be more than zero"),
    ):
        page.fill("#enlist-amount", text)
        page.click("#enlist-form button[type=submit]")
        assert message in err.inner_text(), (text, err.inner_text())
        assert page.get_attribute("#enlist-amount", "aria-invalid") == "true"
    page.fill("#defect-amount", "lots")
    page.click("#defect-form button[type=submit]")
    assert 'or write "all"' in page.locator("#defect-error").inner_text()
    page.fill("#position-address", "0x1234")
    page.click("#position-form button[type=submit]")
    assert "is not an address" in page.locator("#position-error").inner_text()

    # well-formed but impossible: the simulation says why in words, and nothing is sent
    held = Wad(dai_of(chain, chain.depositor))
    page.fill("#enlist-amount", "999999")
    page.click("#enlist-form button[type=submit]")
    assert f"you hold {held.format(0)} DAI, this needs 999,999" in fail_step(page)
    page.fill("#defect-amount", "10")
    page.click("#defect-form button[type=submit]")
    assert "you hold 0 shares, this needs 10" in fail_step(page)
    assert "eth_sendTransaction" not in page.evaluate("window.__walletLog")
    assert dai_of(chain, chain.depositor) == held.raw
    shoot(page, "bad-input-desktop")
    phone = phone_page
    phone.fill("#enlist-amount", "12.3.4")
    phone.click("#enlist-form button[type=submit]")
    assert "is not a number" in phone.locator("#enlist-error").inner_text()
    shoot(phone, "bad-input-phone")


def test_position_of_a_pasted_address(page: Any, chain: Devnet, shoot: Any) -> None:
    shares = shares_of(chain, chain.member)
    dai_out, mkr_out, ok = contract(chain, "pool/pool", chain.pool.address) \
        .functions.getDefectAmount(shares).call()
    page.fill("#position-address", chain.member.lower())
    page.press("#position-address", "Enter")
    row = page.locator(f'#position tr[data-pool="{chain.pool.address}"]')
    row.wait_for()
    assert cells(row) == ["100.00 DAI/MKR", Wad(shares).format(4), Wad(dai_out).format(4),
                          Wad(mkr_out).format(4), "–", "yes"]
    assert ok
    wallet_line = page.locator("#position-wallet").inner_text()
    assert Wad(dai_of(chain, chain.member)).format(4) in wallet_line
    shoot(page, "position-desktop")


def test_a_member_defects_while_a_bid_is_open_and_keeps_its_part(make_page: Any, chain: Devnet,
                                                                  shoot: Any) -> None:
    chain.pool.enter_auction(chain.keeper, chain.auction)
    r = pool_reads(chain)
    shares = shares_of(chain, chain.member)
    dai_out, _mkr, ok = contract(chain, "pool/pool", chain.pool.address) \
        .functions.getDefectAmount(shares).call()
    assert ok and 0 < dai_out <= r["free"]  # the liquid part only: the bid's part comes later
    page = make_page(chain.member)
    page.click("#connect")
    cell = page.locator(f'#position tr[data-pool="{chain.pool.address}"] '
                        'td[data-label="Withdrawable now"]')
    cell.wait_for()
    assert cell.inner_text().startswith("yes; your part of the open bids is paid when they")
    page.fill("#defect-amount", "all")
    page.click("#defect-form button[type=submit]")
    wait_for_step(page, r"^Defect: confirmed")
    assert shares_of(chain, chain.member) == 0
    # the part of the open bid is a redeem request, paid once the auction is settled
    req = contract(chain, "pool/pool", chain.pool.address).functions.pendingRedeemRequest(
        contract(chain, "pool/pool", chain.pool.address).functions.frontier().call()[1] + 1,
        chain.member).call()
    assert req == shares
    shoot(page, "defect-open-bid-desktop")


def test_the_chart_follows_bids_and_restarts_over_time(page: Any, chain: Devnet,
                                                       shoot: Any) -> None:
    """An outside bid, the pool's bid an hour later, a second auction restarted after it expired
    unbid: each price the chain held shows on the chart as a step of its auction's line."""
    from backstop.chain.dev import time_travel
    from backstop.maker.scenario import fund_vat_dai, kick_auctions

    flop = chain.core.flopper
    row = page.locator(f'#auctions tr[data-auction="{chain.auction}"]')

    def shows(r: Any, price_text: str) -> None:
        r.locator('td[data-label="Price (DAI/MKR)"]', has_text=price_text).wait_for(
            timeout=POLL_TIMEOUT)

    start = flop.bids(chain.auction)
    fund_vat_dai(chain.core, chain.bidder, start.bid)
    chain.core.vat.hope(chain.bidder, flop.address)
    time_travel(chain.w3, 3_600)
    flop.dent(chain.bidder, chain.auction, Wad.parse("10.5"), start.bid)
    outside = price_of(start.bid, Wad.parse("10.5"))
    shows(row, outside.format(2))
    time_travel(chain.w3, 3_600)
    enter_auction(chain)
    shows(row, "100.00")
    (second,) = kick_auctions(chain.core, 1)
    row2 = page.locator(f'#auctions tr[data-auction="{second}"]')
    row2.wait_for(timeout=POLL_TIMEOUT)
    time_travel(chain.w3, flop.tau() + 60)
    flop.tick(chain.keeper, second)
    restarted = flop.bids(second)
    shows(row2, price_of(restarted.bid, restarted.lot).format(2))
    assert cells(row)[6] == "ended: high bidder can claim (deal)"
    # the chart: auction 1 steps through 3 prices (kick, outside bid, pool), auction 2 through 2
    lines = page.locator("#chart .auction-line polyline")
    assert lines.count() == 2
    assert len(lines.nth(0).get_attribute("points").split()) == 2 * 3
    assert len(lines.nth(1).get_attribute("points").split()) == 2 * 2
    labels = page.locator("#chart .auction-label").all_text_contents()
    assert labels == [f"#{chain.auction}", f"#{second}"]
    shoot(page, "history-desktop")


def test_without_a_wallet_or_on_another_network_nothing_is_sent(make_page: Any,
                                                                chain: Devnet) -> None:
    look = make_page(None)
    assert "No browser wallet" in look.locator("#account").inner_text()
    look.fill("#enlist-amount", "5")
    look.click("#enlist-form button[type=submit]")
    assert "No browser wallet found: install one to enlist or defect" in fail_step(look)
    # looking needs no wallet: any address's position
    look.fill("#position-address", chain.member)
    look.press("#position-address", "Enter")
    look.locator(f'#position tr[data-pool="{chain.pool.address}"]').wait_for()

    elsewhere = make_page(chain.depositor, wallet_chain="0x1")
    dai_before = dai_of(chain, chain.depositor)
    elsewhere.fill("#enlist-amount", "5")
    elsewhere.click("#enlist-form button[type=submit]")
    assert (f"Your wallet is on chain 1; this dashboard reads chain {chain.w3.eth.chain_id}: "
            "switch networks") in fail_step(elsewhere)
    assert "eth_sendTransaction" not in elsewhere.evaluate("window.__walletLog")
    assert dai_of(chain, chain.depositor) == dai_before


def test_a_member_claims_the_mkr_won_and_keeps_its_shares(make_page: Any, chain: Devnet,
                                                          shoot: Any) -> None:
    from backstop.chain.dev import time_travel

    chain.pool.enter_auction(chain.keeper, chain.auction)
    time_travel(chain.w3, chain.core.flopper.ttl() + 1)
    chain.pool.finalize_auction(chain.keeper, chain.auction)
    shares = shares_of(chain, chain.member)
    _dai_owed, mkr_owed = chain.pool.preview_claim(chain.member)
    assert mkr_owed.raw > 0 and shares > 0  # the test's premise: a win owed to the member
    mkr = contract(chain, "maker/mkr", chain.core.mkr.address).functions
    before = mkr.balanceOf(chain.member).call()
    page = make_page(chain.member)
    page.click("#connect")
    page.locator(f'#position tr[data-pool="{chain.pool.address}"]').wait_for()
    page.select_option("#claim-pool", chain.pool.address)
    page.click("#claim-form button[type=submit]")
    assert "keep your shares" in wait_for_step(page, "simulation ok")
    wait_for_step(page, r"^Claim: confirmed")
    assert mkr.balanceOf(chain.member).call() - before == mkr_owed.raw
    assert shares_of(chain, chain.member) == shares  # MKR without leaving
    # a second claim is refused before the wallet is asked: nothing is owed now
    page.click("#claim-form button[type=submit]")
    assert "owes you nothing now" in fail_step(page)
    shoot(page, "claim-desktop")
