// The dashboard: polls the local server's JSON API, renders pools, auctions, the chart and a
// member's position, and runs enlist / defect through the browser wallet.

import { encodeCall, splitSignature } from "./abi.js";
import { drawChart } from "./chart.js";
import { AmountError, duration, formatDecimal, parseAmount, shortAddress, toDecimal } from "./units.js";
import * as wallet from "./wallet.js";

const POLL_MS = 3000;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const $ = (id) => document.getElementById(id);

const app = { config: null, state: null, account: null, positionAddress: null, position: null,
  busy: false, lastBlock: -1 };

// ---------------------------------------------------------------- server API
async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const resp = await fetch(path, opts);
  let out;
  try { out = await resp.json(); } catch { out = { error: `server answered ${resp.status}` }; }
  if (!resp.ok) throw new Error(out.error || `server answered ${resp.status}`);
  return out;
}

function setStatus(text, bad = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("bad", bad);
}

// ---------------------------------------------------------------- rendering helpers
function cell(label, content, cls) {
  const td = document.createElement("td");
  td.dataset.label = label;
  if (cls) td.className = cls;
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  return td;
}

function tag(text, cls) {
  const s = document.createElement("span");
  s.className = `tag ${cls || ""}`;
  s.textContent = text;
  return s;
}

function fillBody(table, rows, emptyText, columns) {
  const tbody = table.querySelector("tbody");
  tbody.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell("", emptyText, "muted");
    td.colSpan = columns;
    tr.appendChild(td);
    tbody.appendChild(tr);
    return;
  }
  rows.forEach((r) => tbody.appendChild(r));
}

function poolLabel(pool) {
  return `${formatDecimal(pool.price, 2)} DAI/MKR`;
}

const STATUS_CLASS = { accepting: "ok", activated: "live", deactivated: "bad" };

function renderPools(state) {
  const rows = state.pools.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pool = p.address;
    tr.append(
      cell("Price (DAI/MKR)", formatDecimal(p.price, 2)),
      cell("Status", tag(p.status_text, STATUS_CLASS[p.status])),
      cell("Members", String(p.members)),
      cell("Value (DAI)", formatDecimal(p.value_dai, 2)),
      cell("DAI free", formatDecimal(p.dai_free, 2)),
      cell("DAI locked in bids", formatDecimal(p.dai_locked, 2)),
      cell("MKR held", formatDecimal(p.mkr, 4)),
      cell("Pool", shortAddress(p.address), "addr"),
    );
    tr.lastChild.title = p.address;
    return tr;
  });
  fillBody($("pools"), rows, "No pools yet: deploy one with `backstop deploy`.", 8);
}

function renderAuctions(state) {
  const pools = new Map(state.pools.map((p) => [p.address.toLowerCase(), p]));
  const rows = state.auctions.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.auction = String(a.id);
    const ours = a.guy && pools.get(a.guy.toLowerCase());
    const bidder = document.createElement("span");
    if (ours) {
      bidder.appendChild(tag(`pool ${formatDecimal(ours.price, 0)}`, "ours"));
      bidder.title = a.guy;
    } else if (a.no_bid) {
      bidder.textContent = "no bid yet";
    } else {
      bidder.textContent = shortAddress(a.guy);
      bidder.title = a.guy || "";
    }
    tr.append(
      cell("Id", String(a.id)),
      cell("Lot (MKR)", a.dealt ? "–" : formatDecimal(a.lot, 4)),
      cell("Bid (DAI)", a.dealt ? "–" : formatDecimal(a.bid, 2)),
      cell("Price (DAI/MKR)", a.price ? formatDecimal(a.price, 2) : "–"),
      cell("High bidder", bidder, "text"),
      cell("Time left", a.time_left === null ? "–" : duration(a.time_left)),
      cell("State", tag(a.state_text, a.state === "bidding" ? "live" : (a.state === "dealt" ? "" : "ok"))),
    );
    return tr;
  });
  fillBody($("auctions"), rows, "No debt auctions yet.", 7);
  const poolLines = state.pools.map((p) => ({ price: p.price, label: `pool ${formatDecimal(p.price, 0)}` }));
  drawChart($("chart"), state.history, poolLines, state.block.timestamp);
  app.chartArgs = [state.history, poolLines, state.block.timestamp];
}

function renderPoolSelects(state) {
  for (const id of ["enlist-pool", "defect-pool"]) {
    const sel = $(id);
    const current = sel.value;
    const options = state.pools.map((p) => {
      const o = document.createElement("option");
      o.value = p.address;
      o.textContent = `${poolLabel(p)} (${p.status_text})`;
      return o;
    });
    const same = sel.options.length === options.length
      && options.every((o, i) => sel.options[i].value === o.value && sel.options[i].textContent === o.textContent);
    if (!same) {
      sel.replaceChildren(...options);
      if (current) sel.value = current;
    }
  }
}

function renderState(state) {
  app.state = state;
  $("chain-info").textContent = `Chain ${state.chain_id} · block ${state.block.number} · ` +
    new Date(state.block.timestamp * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  renderPools(state);
  renderAuctions(state);
  renderPoolSelects(state);
}

function renderPosition(pos) {
  app.position = pos;
  const table = $("position");
  table.hidden = false;
  const rows = pos.pools.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pool = p.pool;
    tr.append(
      cell("Pool", `${formatDecimal(p.price, 2)} DAI/MKR`),
      cell("Shares", formatDecimal(p.shares, 4)),
      cell("DAI now", formatDecimal(p.dai, 4)),
      cell("MKR now", formatDecimal(p.mkr, 4)),
      cell("Withdrawable now", p.shares === "0" ? "–" : (p.redeemable ? "yes" : `not yet: ${p.reason}`)),
    );
    return tr;
  });
  fillBody(table, rows, "No pools.", 5);
  $("position-wallet").textContent =
    `${shortAddress(pos.address)} holds ${formatDecimal(pos.dai_balance, 4)} DAI in its wallet.`;
}

// ---------------------------------------------------------------- polling
async function refresh() {
  try {
    const state = await api("/api/state");
    if (state.block.number !== app.lastBlock || !app.state) {
      app.lastBlock = state.block.number;
      renderState(state);
      if (app.positionAddress) await loadPosition(app.positionAddress, false);
    }
    setStatus(`Up to date at block ${state.block.number} (${new Date().toLocaleTimeString()}).`);
  } catch (err) {
    setStatus(`Cannot read the chain right now (${err.message}); retrying every ${POLL_MS / 1000} s.`, true);
  }
}

async function loadPosition(address, announce = true) {
  const pos = await api(`/api/position?address=${encodeURIComponent(address)}`);
  renderPosition(pos);
  if (announce) setStatus(`Showing the position of ${pos.address}.`);
}

// ---------------------------------------------------------------- forms
function fieldError(input, errorEl, message) {
  errorEl.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  if (message) input.focus();
}

async function onPositionSubmit(ev) {
  ev.preventDefault();
  const input = $("position-address");
  const err = $("position-error");
  const value = input.value.trim();
  if (!ADDRESS.test(value)) {
    fieldError(input, err, value === ""
      ? "Address: paste a member's address (0x followed by 40 hex digits) or connect a wallet"
      : `Address: "${value}" is not an address; it must be 0x followed by 40 hex digits`);
    return;
  }
  fieldError(input, err, "");
  try {
    await loadPosition(value);
    app.positionAddress = value;
  } catch (e) {
    fieldError(input, err, `Address: ${e.message}`);
  }
}

async function onConnect() {
  try {
    app.account = await wallet.connect();
    $("account").textContent = `Wallet: ${app.account}`;
    $("connect").textContent = "Wallet connected";
    $("position-address").value = app.account;
    app.positionAddress = app.account;
    await loadPosition(app.account);
  } catch (e) {
    setStatus(e.message, true);
  }
}

// ---- progress steps
function step(text, cls = "wait") {
  const li = document.createElement("li");
  li.className = cls;
  li.textContent = text;
  $("steps").appendChild(li);
  return {
    update(t, c) { li.textContent = t; li.className = c; },
  };
}

async function requireWallet() {
  if (!app.account) {
    if (!wallet.hasWallet()) {
      throw new wallet.WalletError("No browser wallet found: install one to enlist or defect");
    }
    await onConnect();
    if (!app.account) throw new wallet.WalletError("Connect a wallet first (button at the top)");
  }
  const cid = await wallet.chainId();
  if (cid !== app.config.chain_id) {
    throw new wallet.WalletError(`Your wallet is on chain ${cid}; this dashboard reads chain ${app.config.chain_id}: switch networks`);
  }
  return app.account;
}

async function simulate(label, body) {
  const s = step(`${label}: simulating…`);
  const res = await api("/api/simulate", body);
  if (!res.ok) {
    s.update(`${label}: the simulation says it would fail: ${res.message}. Nothing was sent.`, "bad");
    return false;
  }
  s.update(`${label}: simulation ok: ${res.message}`, "ok");
  return true;
}

async function send(label, tx) {
  const s = step(`${label}: confirm the transaction in your wallet…`);
  let hash;
  try {
    hash = await wallet.sendTransaction(tx);
  } catch (e) {
    s.update(`${label}: not sent: ${e.message}`, "bad");
    return null;
  }
  s.update(`${label}: sent ${hash}, waiting to be mined…`, "wait");
  const receipt = await wallet.waitForReceipt(hash);
  const block = Number(BigInt(receipt.blockNumber));
  if (BigInt(receipt.status) === 1n) {
    s.update(`${label}: confirmed in block ${block} (${hash}).`, "ok");
    return receipt;
  }
  s.update(`${label}: reverted in block ${block} (${hash}).`, "bad");
  return null;
}

function positionFor(pool) {
  return app.position && app.position.address.toLowerCase() === app.account.toLowerCase()
    ? app.position.pools.find((p) => p.pool.toLowerCase() === pool.toLowerCase()) : null;
}

async function permitArgs(from, pool, amount) {
  const s = step("Permit: sign DAI's permit in your wallet (lets the pool move your DAI; no gas)…");
  const p = await api(`/api/permit?holder=${from}&pool=${pool}`);
  let sig;
  try {
    sig = await wallet.signTypedData(from, p.typed_data);
  } catch (e) {
    s.update(`Permit: not signed: ${e.message}. If your wallet cannot sign permits, choose "an approval transaction" and try again.`, "bad");
    return null;
  }
  const { v, r, s: ss } = splitSignature(sig);
  s.update(`Permit: signed (DAI nonce ${p.nonce}, valid until ${new Date(p.expiry * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC); it lets the pool take your DAI for this and later deposits.`, "ok");
  return { amount, nonce: p.nonce, expiry: p.expiry, v, r, s: ss, allowed: true, holder: from };
}

/** Compare the amount with the chain before asking the wallet for anything. */
async function precheck(action, from, pool, amount) {
  const res = await api("/api/simulate", { action, pool, from, amount: toDecimal(amount), check_only: true });
  const what = action === "enlist" ? `Enlist ${toDecimal(amount)} DAI` : `Defect ${toDecimal(amount)} shares`;
  if (!res.ok) step(`${what}: ${res.message}. Nothing was signed or sent.`, "bad");
  return res.ok;
}

async function enlist(from, pool, amount, method) {
  const fns = app.config.functions;
  if (!await precheck("enlist", from, pool, amount)) return;
  await loadPosition(from, false);
  const pos = positionFor(pool);
  const allowance = pos ? BigInt(pos.allowance_raw) : 0n;
  let data;
  if (allowance >= amount) {
    const how = allowance >= 2n ** 255n ? "any amount of" : `${formatDecimal(toDecimal(allowance), 2)}`;
    step(`Allowance: the pool may already move ${how} DAI of yours; no ${method} needed.`, "ok");
    data = encodeCall(fns.enlist, { amount });
  } else if (method === "permit") {
    const args = await permitArgs(from, pool, amount);
    if (!args) return;
    data = encodeCall(fns.enlistWithPermit, args);
  } else {
    const approveData = encodeCall(fns.approve, { spender: pool, amount });
    const approveTx = { from, to: app.config.dai, data: approveData };
    if (!await simulate(`Approval of ${toDecimal(amount)} DAI`, { action: "approve", pool, from, amount: toDecimal(amount), ...approveTx })) return;
    if (!await send("Approval", approveTx)) return;
    data = encodeCall(fns.enlist, { amount });
  }
  const tx = { from, to: pool, data };
  if (!await simulate(`Enlist ${toDecimal(amount)} DAI`, { action: "enlist", pool, from, amount: toDecimal(amount), ...tx })) return;
  await send("Enlist", tx);
}

async function defect(from, pool, shares) {
  if (!await precheck("defect", from, pool, shares)) return;
  const data = encodeCall(app.config.functions.defect, { shares });
  const tx = { from, to: pool, data };
  if (!await simulate(`Defect ${toDecimal(shares)} shares`, { action: "defect", pool, from, amount: toDecimal(shares), ...tx })) return;
  await send("Defect", tx);
}

async function withBusy(form, fn) {
  if (app.busy) return;
  app.busy = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  $("steps").replaceChildren();
  try {
    await fn();
  } catch (e) {
    step(e.message, "bad");
  } finally {
    button.disabled = false;
    app.busy = false;
    await refresh();
    if (app.account) await loadPosition(app.account, false).catch(() => {});
  }
}

function onEnlistSubmit(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const input = $("enlist-amount");
  const err = $("enlist-error");
  let amount;
  try {
    amount = parseAmount(input.value, 18, "Amount");
  } catch (e) {
    if (!(e instanceof AmountError)) throw e;
    fieldError(input, err, e.message);
    return;
  }
  const pool = $("enlist-pool").value;
  if (!pool) { fieldError(input, err, "Pool: there is no pool to enlist in yet"); return; }
  fieldError(input, err, "");
  const method = form.querySelector("input[name=method]:checked").value;
  withBusy(form, async () => enlist(await requireWallet(), pool, amount, method));
}

function onDefectSubmit(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const input = $("defect-amount");
  const err = $("defect-error");
  const pool = $("defect-pool").value;
  if (!pool) { fieldError(input, err, "Pool: there is no pool yet"); return; }
  const text = input.value.trim().toLowerCase();
  let shares = null;
  if (text !== "all") {
    try {
      shares = parseAmount(text, 18, "Shares");
    } catch (e) {
      if (!(e instanceof AmountError)) throw e;
      fieldError(input, err, `${e.message} (or write "all")`);
      return;
    }
  }
  fieldError(input, err, "");
  withBusy(form, async () => {
    const from = await requireWallet();
    if (shares === null) {
      await loadPosition(from, false);
      const pos = positionFor(pool);
      shares = pos ? BigInt(pos.shares_raw) : 0n;
      if (shares === 0n) {
        fieldError(input, err, "Shares: you hold no shares of this pool, so there is nothing to withdraw");
        return;
      }
    }
    await defect(from, pool, shares);
  });
}

// ---------------------------------------------------------------- start
async function main() {
  $("position-form").addEventListener("submit", onPositionSubmit);
  $("enlist-form").addEventListener("submit", onEnlistSubmit);
  $("defect-form").addEventListener("submit", onDefectSubmit);
  $("connect").addEventListener("click", onConnect);
  window.addEventListener("resize", () => { if (app.chartArgs) drawChart($("chart"), ...app.chartArgs); });
  if (!wallet.hasWallet()) $("account").textContent = "No browser wallet: you can still look up any address.";
  wallet.onAccountsChanged((a) => { if (a) { app.account = a; $("account").textContent = `Wallet: ${a}`; } });
  try {
    app.config = await api("/api/config");
  } catch (e) {
    setStatus(`Cannot reach the backstop server: ${e.message}`, true);
  }
  await refresh();
  setInterval(refresh, POLL_MS);
}

main();
