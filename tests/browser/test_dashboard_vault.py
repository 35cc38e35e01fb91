"""Issue 13 in a real headless Chromium: nothing sent before every check, words for a node that
is down, copyable addresses, finished auctions' history, and what users of vault apps expect
(Max and balances, value per share, own activity, transaction notices, network switch, how it
works, countdowns on locked funds, updates pushed on each block)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from test_dashboard import POLL_TIMEOUT, TX_TIMEOUT, cells, dai_of, fail_step, wait_for_step

from backstop.units import Wad, price_of

Devnet = Any
PUSH_TIMEOUT = 5_000  # ms: the server looks at the head every 0.5 s in tests and pushes


def test_below_the_minimum_nothing_is_signed_or_sent(page: Any, chain: Devnet) -> None:
    """Item 3: with the approval option the approval used to be mined first; with the permit
    option the wallet was asked to sign first. Now the pool's every check comes first."""
    page.click("#connect")
    dai_before = dai_of(chain, chain.depositor)
    for method in ("approve", "permit"):
        page.fill("#enlist-amount", "0.5")
        page.check(f"input[name=method][value={method}]")
        page.click("#enlist-form button[type=submit]")
        message = fail_step(page)
        assert message == (
            "Enlist 0.5 DAI: the pool takes at least 1 DAI per enlist, not 0.5. "
            "Nothing was signed or sent."
        ), message
        page.wait_for_function("!document.querySelector('#enlist-form button').disabled")
    log = page.evaluate("window.__walletLog")
    assert "eth_sendTransaction" not in log and "eth_signTypedData_v4" not in log, log
    assert dai_of(chain, chain.depositor) == dai_before


def test_a_node_outage_is_said_in_words_and_the_figures_grey(
    browser: Any, chain: Devnet, shoot: Any, page_opener: Any
) -> None:
    """Item 6: no Python exception on the page; stale figures are greyed until fresh ones."""
    from backstop.chain import connect
    from backstop.chain.dev import mine
    from backstop.testing.rpc_proxy import RpcProxy
    from backstop.web.dashboard import Dashboard
    from backstop.web.server import serve_in_thread
    open_page = page_opener

    with RpcProxy(chain.url) as proxy:
        srv, thread = serve_in_thread(Dashboard(connect(proxy.url), factory=chain.factory.address))
        try:
            page = open_page(browser, srv.url, chain.url, chain.depositor)
            block = chain.w3.eth.block_number
            page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('Up to date')"
            )
            proxy.refuse()
            mine(chain.w3)
            page.wait_for_function(
                "document.body.classList.contains('stale')", timeout=PUSH_TIMEOUT
            )
            status = page.inner_text("#status")
            assert status == (
                "Cannot read the chain: the Ethereum node does not answer (is it running, and is "
                "the --rpc-url right?); the dashboard retries on its own. The figures below are "
                f"from block {block} (seen " + status.split("(seen ")[1]
            ), status
            assert "HTTPConnectionPool" not in status and "Errno" not in status
            opacity = page.evaluate("getComputedStyle(document.querySelector('#pools')).opacity")
            assert float(opacity) < 1
            shoot(page, "node-down-desktop")
            proxy.accept()
            page.wait_for_function(
                "!document.body.classList.contains('stale')", timeout=PUSH_TIMEOUT
            )
            assert page.inner_text("#status").startswith(
                f"Up to date at block {chain.w3.eth.block_number}"
            )
            assert page.js_errors == []
            page.context.close()
        finally:
            srv.shutdown()
            srv.server_close()
            thread.join(timeout=5)


def test_addresses_have_copy_buttons(page: Any, chain: Devnet) -> None:
    """Item 7: a cut address can be copied whole."""
    row = page.locator(f'#pools tr[data-pool="{chain.pool.address}"]')
    assert (
        row.locator("td.addr code").inner_text()
        == f"{chain.pool.address[:6]}…{chain.pool.address[-4:]}"
    )
    row.locator("button.copy").click()
    row.locator("button.copy", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == chain.pool.address
    assert row.locator("button.copy").get_attribute("aria-label") == f"Copy {chain.pool.address}"


def test_a_dealt_auction_shows_its_winner_price_and_time(
    page: Any, chain: Devnet, shoot: Any
) -> None:
    """Item 9: lot 0.00 and price "-" before; now the winner, the lot, the price and when."""
    from test_dashboard_api import dealt_outside

    won, deal_block = dealt_outside(chain)
    row = page.locator(f'#auctions tr[data-auction="{chain.auction}"]')
    row.locator("td", has_text="finished: dealt").wait_for(timeout=PUSH_TIMEOUT)
    c = cells(row)
    ended = deal_block["timestamp"]
    when = datetime.fromtimestamp(ended, UTC).strftime("%Y-%m-%d %H:%M")
    assert c[1:4] == [won.lot.format(4), won.bid.format(2), price_of(won.bid, won.lot).format(2)]
    assert c[4].startswith(f"{chain.bidder[:6]}…{chain.bidder[-4:]}")
    assert c[5] == f"ended {when} UTC" and c[6] == "finished: dealt"
    assert row.locator('td[data-label="Winner"]').count() == 1
    shoot(page, "dealt-desktop")


def test_small_things(page: Any, chain: Devnet) -> None:
    """Item 12: one "Address:", no old table under an error, labels apart, forms cleared."""
    page.fill("#position-address", chain.member)
    page.press("#position-address", "Enter")
    page.locator(f'#position tr[data-pool="{chain.pool.address}"]').wait_for()
    bad = chain.member[:2] + chain.member[2:].swapcase()  # mixed case, wrong checksum
    page.fill("#position-address", bad)
    page.press("#position-address", "Enter")
    err = page.locator("#position-error")
    err.wait_for()
    assert err.inner_text() == (
        f"Address: {bad} has a wrong checksum; check it or paste it in lowercase"
    )
    assert page.locator("#position").is_hidden() and page.locator("#activity").is_hidden()

    # a third pool at almost the second's price: its label would sit on the other one
    chain.factory.create_pool(chain.deployer, Wad.from_number(102))
    page.locator("#pools tbody tr[data-pool]").nth(2).wait_for(timeout=PUSH_TIMEOUT)
    boxes = page.evaluate("""() => [...document.querySelectorAll('#chart text')]
        .filter((t) => t.closest('.pool-line, .auction-line'))
        .map((t) => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; })""")
    assert len(boxes) == 4  # three pools and auction #1
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a[0] + a[2] <= b[0]
                or b[0] + b[2] <= a[0]
                or a[1] + a[3] <= b[1]
                or b[1] + b[3] <= a[1]
            )
            assert apart, (a, b)

    page.click("#connect")
    page.fill("#enlist-amount", "3")
    page.click("#enlist-form button[type=submit]")
    wait_for_step(page, r"^Enlist: confirmed")
    page.wait_for_function("document.querySelector('#enlist-amount').value === ''")


def test_max_balance_activity_notice_and_value_per_share(
    page: Any, chain: Devnet, shoot: Any
) -> None:
    page.click("#connect")
    held = Wad(dai_of(chain, chain.depositor))
    page.locator("#enlist-balance", has_text=f"Wallet: {held.format(4)} DAI").wait_for()
    page.click("#enlist-max")
    assert page.input_value("#enlist-amount") == str(held)  # exact, every wei
    page.fill("#enlist-amount", "25")
    page.click("#enlist-form button[type=submit]")
    wait_for_step(page, r"^Enlist: confirmed")
    notice = page.locator("#notices .notice.ok").first
    notice.wait_for(timeout=TX_TIMEOUT)
    tx = notice.get_attribute("data-tx")
    receipt = chain.w3.eth.get_transaction_receipt(tx)
    assert (
        notice.locator("p").first.inner_text()
        == f"Enlist: confirmed in block {receipt['blockNumber']}."
    )
    assert notice.locator("a.explorer").count() == 0  # a devnet has no explorer
    notice.locator("button.copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == tx
    # the member's own activity: the deposit with its DAI, shares and transaction
    arow = page.locator(f'#activity tr[data-tx="{tx}"]')
    arow.wait_for(timeout=POLL_TIMEOUT)
    c = cells(arow)
    shares = chain.pool.shares_of(chain.depositor)
    assert c[:5] == ["Deposit", "100.00 DAI/MKR", "25.0000", "0.0000", shares.format(4)]
    # Max for shares: every share of the chosen pool
    page.locator("#defect-balance", has_text=f"Your shares: {shares.format(4)}").wait_for()
    page.click("#defect-max")
    assert page.input_value("#defect-amount") == str(shares)
    # value per share: the pool's value over its shares, and a line on its chart
    row = page.locator(f'#pools tr[data-pool="{chain.pool.address}"]')
    assert row.locator('td[data-label="Liquid DAI per share"]').inner_text() == "1.0000"
    assert page.locator("#share-chart .share-line").count() == 2
    # how it works and the risks, one click away
    page.click("#how summary")
    assert "The risks." in page.inner_text("#how")
    shoot(page, "vault-desktop")


def test_locked_funds_count_down(make_page: Any, chain: Devnet, shoot: Any) -> None:
    chain.pool.enter_auction(chain.keeper, chain.auction)
    bids = chain.core.flopper.bids(chain.auction)
    page = make_page(chain.member)
    page.click("#connect")
    locked = page.locator(
        f'#position tr[data-pool="{chain.pool.address}"] td[data-label="Locked in bids"]'
    )
    locked.locator(".countdown").wait_for()
    first = locked.inner_text()
    now = chain.w3.eth.get_block("latest")["timestamp"]
    left = min(bids.tic, bids.end) - now
    hours, minutes = left // 3600, left % 3600 // 60
    assert re.match(
        rf"[\d,.]+ DAI, settles in ({hours} h ({minutes}|{minutes - 1}) min)$", first
    ), (first, left)
    shoot(page, "locked-countdown-desktop")


def test_the_page_is_pushed_each_block_and_offers_to_switch_network(
    make_page: Any, chain: Devnet, shoot: Any
) -> None:
    from backstop.chain.dev import mine

    page = make_page(chain.depositor, wallet_chain="0x1")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    mine(chain.w3)
    number = chain.w3.eth.block_number
    page.locator("#chain-info", has_text=f"block {number}").wait_for(timeout=PUSH_TIMEOUT)
    assert not [u for u in requests if u.endswith("/api/state")]  # pushed, not polled
    page.click("#connect")
    banner = page.locator("#network")
    banner.wait_for()
    assert page.inner_text("#network-text") == (
        f"Your wallet is on chain 1; this dashboard reads chain {chain.w3.eth.chain_id}."
    )
    shoot(page, "switch-network-desktop")
    page.click("#network-switch")
    banner.wait_for(state="hidden")
    assert "wallet_switchEthereumChain" in page.evaluate("window.__walletLog")


def test_phone_layout(phone_page: Any, chain: Devnet, shoot: Any) -> None:
    phone_page.click("#connect")
    phone_page.locator(f'#position tr[data-pool="{chain.pool.address}"]').wait_for()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    shoot(phone_page, "vault-phone")
