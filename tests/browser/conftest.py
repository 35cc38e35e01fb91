"""Browser tests: an anvil devnet with Maker core, factory and a 100 DAI/MKR pool, the dashboard
server on a thread, and Debian's headless Chromium driven by Playwright.

The chain is deployed once per module and snapshotted; every test starts from that snapshot
with a fresh dashboard server (its per-block cache must not outlive a revert) and a fresh
browser context with an injected test wallet (``window.ethereum`` forwarding to anvil).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from backstop.testing.anvil import DEV_KEYS, rpc, start_anvil

CHROMIUM = os.environ.get("BACKSTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screens"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
POOL_PRICE = 100
SECOND_POOL_PRICE = 250  # a second, empty pool: the page lists every pool of the factory

# The injected wallet: every request goes to anvil's JSON-RPC; the account is one of anvil's
# unlocked dev accounts, so eth_sendTransaction and eth_signTypedData_v4 are done by anvil.
WALLET_JS = """
(() => {
  const RPC = %(rpc)s, ACCOUNT = %(account)s;
  let CHAIN = %(chain)s;
  let id = 0;
  window.__walletLog = [];
  window.ethereum = {
    isTestWallet: true,
    on() {},
    async request({ method, params }) {
      window.__walletLog.push(method);
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [ACCOUNT];
      if (method === "eth_chainId" && CHAIN) return CHAIN;  // a wallet on another network
      if (method === "wallet_switchEthereumChain") { CHAIN = null; return null; }  // it obeys
      const resp = await fetch(RPC, { method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }) });
      const out = await resp.json();
      if (out.error) { const e = new Error(out.error.message); e.code = out.error.code; throw e; }
      return out.result;
    },
  };
})();
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here needs Chromium and anvil."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.anvil)


@dataclass
class Devnet:
    """The deployed devnet and the role accounts the tests use."""

    url: str
    w3: Any
    core: Any
    factory: Any
    pool: Any
    second: Any
    deployer: str
    depositor: str
    member: str
    keeper: str
    bidder: str
    auction: int
    snapshot: str = ""


def _address(i: int) -> str:
    return Account.from_key(DEV_KEYS[i]).address


@pytest.fixture(scope="module")
def devnet() -> Iterator[Devnet]:
    """anvil + Maker core (small auctions so a 100 DAI/MKR pool can bid at once) + factory +
    pool with one member; one debt auction open. Snapshotted for the tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium)")
    from backstop.chain import connect
    from backstop.maker import MakerParams, deploy_core
    from backstop.maker.scenario import fund_dai, kick_auctions
    from backstop.pool import deploy_factory
    from backstop.units import Rad, Wad

    node = start_anvil()
    try:
        w3 = connect(node.url)
        deployer, depositor, member, keeper, bidder = (_address(i) for i in range(5))
        # dump 11 MKR for 1,000 DAI: opening price ~90.9, so a 100 DAI/MKR pool may bid at once
        params = MakerParams().with_(dump=Wad.from_number(11), sump=Rad.from_number(1_000))
        core = deploy_core(w3, deployer, params)
        factory = deploy_factory(w3, deployer, core)
        pool = factory.create_pool(deployer, Wad.from_number(POOL_PRICE))
        second = factory.create_pool(deployer, Wad.from_number(SECOND_POOL_PRICE))
        for who, amount in ((depositor, 5_000), (member, 3_000), (bidder, 2_000)):
            fund_dai(core, who, Wad.from_number(amount))
        pool.approve_and_enlist(member, Wad.from_number(2_500))
        (auction,) = kick_auctions(core, 1)
        net = Devnet(node.url, w3, core, factory, pool, second, deployer, depositor, member,
                     keeper, bidder, auction)
        net.snapshot = rpc(node.url, "evm_snapshot")
        yield net
    finally:
        node.stop()


@pytest.fixture
def chain(devnet: Devnet) -> Iterator[Devnet]:
    """The devnet as deployed (reverted to the snapshot after each test)."""
    from backstop.chain.tx import nonce_manager

    yield devnet
    rpc(devnet.url, "evm_revert", [devnet.snapshot])
    devnet.snapshot = rpc(devnet.url, "evm_snapshot")
    # the revert took the accounts' nonces back: the senders must follow the node again
    for who in (devnet.deployer, devnet.depositor, devnet.member, devnet.keeper, devnet.bidder):
        nonce_manager(devnet.w3, who).resync()


@pytest.fixture
def server(chain: Devnet) -> Iterator[str]:
    """A fresh dashboard server on a free port; yields its base URL."""
    from backstop.web.dashboard import Dashboard
    from backstop.web.server import serve_in_thread

    srv, thread = serve_in_thread(Dashboard(chain.w3, factory=chain.factory.address))
    yield srv.url
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once per module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Any, url: str, rpc_url: str | None, account: str | None,
              viewport: dict[str, int] = DESKTOP, wallet_chain: str | None = None) -> Any:
    """A new page on the dashboard, with the test wallet for ``account`` when given
    (``wallet_chain``: the chain id the wallet claims, e.g. "0x1"; default the node's)."""
    import json

    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    if account:
        context.add_init_script(WALLET_JS % {"rpc": json.dumps(rpc_url),
                                             "account": json.dumps(account),
                                             "chain": json.dumps(wallet_chain)})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    page.goto(url + "/")
    page.wait_for_selector("#pools tbody tr[data-pool]")
    return page


@pytest.fixture
def page(browser: Any, server: str, chain: Devnet) -> Iterator[Any]:
    """The dashboard in a desktop-sized page whose wallet is the depositor's."""
    pg = open_page(browser, server, chain.url, chain.depositor)
    yield pg
    assert pg.js_errors == [], f"JavaScript errors on the page: {pg.js_errors}"
    pg.context.close()


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot to out/screens/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone_page(browser: Any, server: str, chain: Devnet) -> Iterator[Any]:
    """The dashboard at a phone's width (390 px), wallet = the depositor's."""
    pg = open_page(browser, server, chain.url, chain.depositor, viewport=PHONE)
    yield pg
    assert pg.js_errors == [], f"JavaScript errors on the page: {pg.js_errors}"
    pg.context.close()


@pytest.fixture
def shoot() -> Any:
    """``shoot(page, name)`` saves a screenshot under out/screens/."""
    return screenshot


@pytest.fixture
def make_page(browser: Any, server: str, chain: Devnet) -> Iterator[Any]:
    """``make_page(account, viewport=DESKTOP)``: more pages, each with its own wallet; closed
    (and checked for JavaScript errors) at the end of the test."""
    pages: list[Any] = []

    def make(account: str | None, viewport: dict[str, int] = DESKTOP,
             wallet_chain: str | None = None) -> Any:
        pg = open_page(browser, server, chain.url, account, viewport=viewport,
                       wallet_chain=wallet_chain)
        pages.append(pg)
        return pg

    yield make
    for pg in pages:
        assert pg.js_errors == [], f"JavaScript errors on the page: {pg.js_errors}"
        pg.context.close()


@pytest.fixture
def page_opener() -> Any:
    """``open_page`` itself, for tests that open a page on a server of their own (importing
    it from ``conftest`` would pick another directory's conftest under xdist)."""
    return open_page
