// The dashboard: follows the local server's block feed (server-sent events), renders pools,
// auctions, the charts and a member's position and activity, and runs enlist / defect through
// the browser wallet. Every pool call is built in pool.js.

import { splitSignature } from "./abi.js";
import { drawChart, drawShareValues } from "./chart.js";
import { ACTIVITY_WORDS, approveTx, claimTx, defectTx, enlistTx, enlistWithPermitTx, explorerTxUrl } from "./pool.js";
import { AmountError, duration, formatDecimal, parseAmount, shortAddress, toDecimal } from "./units.js";
import * as wallet from "./wallet.js";

const POLL_MS = 3000; // only without EventSource
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const $ = (id) => document.getElementById(id);

const app = { config: null, state: null, account: null, positionAddress: null, position: null,
  busy: false, lastBlock: -1, stateAt: 0, stale: false };

// ---------------------------------------------------------------- server API
async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch {
    throw new Error("the dashboard's server does not answer (is `backstop serve` running?)");
  }
  let out;
  try { out = await resp.json(); } catch { out = { error: `the server answered ${resp.status}` }; }
  if (!resp.ok) throw new Error(out.error || `the server answered ${resp.status}`);
  return out;
}

/** A server message without its leading "field: " (the page names the field itself). */
function bare(message) {
  return String(message).replace(/^(address|holder|pool|amount|from|to|id): /, "");
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

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** A short address (or hash) with its full form in a tooltip and a copy button. */
function addressEl(full, shown) {
  const wrap = document.createElement("span");
  wrap.className = "addr-copy";
  const code = document.createElement("code");
  code.textContent = shown || shortAddress(full);
  code.title = full;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.dataset.copy = full;
  button.setAttribute("aria-label", `Copy ${full}`);
  button.addEventListener("click", async () => {
    const ok = await copyText(full);
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  wrap.append(code, button);
  return wrap;
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

function utc(t) {
  return new Date(t * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** The chain's time now: the newest block's time plus the seconds since it arrived. */
function chainNow() {
  if (!app.state) return Math.floor(Date.now() / 1000);
  return app.state.block.timestamp + Math.floor((Date.now() - app.stateAt) / 1000);
}

/** A countdown element: "2 h 5 min" until chain time `until`, updated every second. */
function countdown(until, done = "now") {
  const s = document.createElement("span");
  s.className = "countdown";
  s.dataset.until = String(until);
  s.dataset.done = done;
  s.textContent = until > chainNow() ? duration(until - chainNow()) : done;
  return s;
}

function tickCountdowns() {
  const now = chainNow();
  document.querySelectorAll(".countdown").forEach((s) => {
    const until = Number(s.dataset.until);
    s.textContent = until > now ? duration(until - now) : s.dataset.done;
  });
}

const STATUS_CLASS = { accepting: "ok", bidding: "live", holding: "live", deactivated: "bad" };

function renderPools(state) {
  const rows = state.pools.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pool = p.address;
    tr.append(
      cell("Price (DAI/MKR)", formatDecimal(p.price, 2)),
      cell("Status", tag(p.status_text, STATUS_CLASS[p.status]), "wrap"),
      cell("Members", String(p.members)),
      cell("Value (DAI)", formatDecimal(p.value_dai, 2)),
      cell("Liquid DAI per share", formatDecimal(p.share_value, 4)),
      cell("DAI free", formatDecimal(p.dai_free, 2)),
      cell("DAI locked in bids", formatDecimal(p.dai_locked, 2)),
      cell("MKR held", formatDecimal(p.mkr, 4)),
      cell("Pool", addressEl(p.address), "addr"),
    );
    return tr;
  });
  fillBody($("pools"), rows, "No pools yet: deploy one with `backstop deploy`.", 9);
  drawShareValues($("share-chart"), state.pools.map((p) => ({
    label: `pool ${formatDecimal(p.price, 0)}`, points: p.share_value_history || [] })),
  state.block.timestamp);
}

const FINISHED = new Set(["dealt", "yanked", "closed"]);

function renderAuctions(state) {
  const pools = new Map(state.pools.map((p) => [p.address.toLowerCase(), p]));
  const rows = state.auctions.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.auction = String(a.id);
    const ours = a.guy && pools.get(a.guy.toLowerCase());
    let bidder;
    if (ours) {
      bidder = document.createElement("span");
      bidder.appendChild(tag(`pool ${formatDecimal(ours.price, 0)}`, "ours"));
      bidder.title = a.guy;
    } else if (a.no_bid) {
      bidder = "no bid yet";
    } else if (a.guy) {
      bidder = addressEl(a.guy);
    } else {
      bidder = "–";
    }
    const finished = FINISHED.has(a.state);
    let left = "–";
    if (finished && a.ended_time) left = `ended ${utc(a.ended_time)}`;
    else if (a.time_left !== null && a.time_left > 0) left = countdown(chainNow() + a.time_left, "ended");
    else if (a.time_left === 0) left = "ended";
    tr.append(
      cell("Id", String(a.id)),
      cell("Lot (MKR)", a.lot !== "0" ? formatDecimal(a.lot, 4) : "–"),
      cell("Bid (DAI)", a.bid !== "0" ? formatDecimal(a.bid, 2) : "–"),
      cell("Price (DAI/MKR)", a.price ? formatDecimal(a.price, 2) : "–"),
      cell(finished ? "Winner" : "High bidder", bidder, "text"),
      cell("Time left", left),
      cell("State", tag(a.state_text, a.state === "bidding" ? "live" : (finished ? "" : "ok")), "wrap"),
    );
    return tr;
  });
  fillBody($("auctions"), rows, "No debt auctions yet.", 7);
  const poolLines = state.pools.map((p) => ({ price: p.price, label: `pool ${formatDecimal(p.price, 0)}` }));
  drawChart($("chart"), state.history, poolLines, state.block.timestamp);
  app.chartArgs = [state.history, poolLines, state.block.timestamp];
}

function renderPoolSelects(state) {
  for (const id of ["enlist-pool", "defect-pool", "claim-pool"]) {
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
  app.stateAt = Date.now();
  $("chain-info").textContent = `Chain ${state.chain_id} · block ${state.block.number} · ` +
    new Date(state.block.timestamp * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  renderPools(state);
  renderAuctions(state);
  renderPoolSelects(state);
  renderBalances();
}

function renderPosition(pos) {
  app.position = pos;
  const table = $("position");
  table.hidden = false;
  const rows = pos.pools.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pool = p.pool;
    let locked = "–";
    if (p.locked_dai !== "0") {
      locked = document.createElement("span");
      locked.append(`${formatDecimal(p.locked_dai, 2)} DAI`);
      if (p.unlocks_at) {
        locked.append(", settles in ");
        locked.appendChild(countdown(p.unlocks_at, "now (finalize the auction)"));
      }
    }
    tr.append(
      cell("Pool", `${formatDecimal(p.price, 2)} DAI/MKR`),
      cell("Shares", formatDecimal(p.shares, 4)),
      cell("DAI now", formatDecimal(p.dai, 4)),
      cell("MKR now", formatDecimal(p.mkr, 4)),
      cell("Locked in bids", locked),
      cell("Withdrawable now", p.shares === "0" ? "–" : (p.reason ? `yes; ${p.reason}` : "yes"), "wrap"),
    );
    return tr;
  });
  fillBody(table, rows, "No pools.", 6);
  const line = $("position-wallet");
  line.replaceChildren(addressEl(pos.address), ` holds ${formatDecimal(pos.dai_balance, 4)} DAI in its wallet.`);
  renderBalances();
}

function renderActivity(act) {
  const table = $("activity");
  table.hidden = false;
  $("activity-h").hidden = false;
  const pools = new Map((app.state ? app.state.pools : []).map((p) => [p.address.toLowerCase(), p]));
  const rows = act.entries.map((e) => {
    const tr = document.createElement("tr");
    tr.dataset.tx = e.tx;
    const pool = pools.get(e.pool.toLowerCase());
    const tx = document.createElement("span");
    tx.appendChild(addressEl(e.tx, shortAddress(e.tx)));
    const url = explorerTxUrl(app.config && app.config.explorer, e.tx);
    if (url) tx.appendChild(explorerLink(url));
    tr.append(
      cell("What", ACTIVITY_WORDS[e.kind] || e.kind),
      cell("Pool", pool ? poolLabel(pool) : shortAddress(e.pool)),
      cell("DAI", formatDecimal(e.dai, 4)),
      cell("MKR", formatDecimal(e.mkr, 4)),
      cell("Shares", formatDecimal(e.shares, 4)),
      cell("When", e.time ? utc(e.time) : `block ${e.block}`),
      cell("Transaction", tx, "text"),
    );
    return tr;
  });
  fillBody(table, rows, "No deposits or withdrawals yet.", 7);
}

function explorerLink(url) {
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.className = "explorer";
  a.textContent = "View on Etherscan";
  return a;
}

/** The wallet balance and a Max button beside each amount. */
function renderBalances() {
  const pos = app.position && app.account && app.position.address.toLowerCase() === app.account.toLowerCase()
    ? app.position : null;
  const dai = $("enlist-balance"), shares = $("defect-balance");
  $("enlist-max").hidden = !pos;
  $("defect-max").hidden = !pos;
  if (!pos) {
    dai.textContent = "Wallet: connect to see your DAI.";
    shares.textContent = "Your shares: connect to see them.";
    return;
  }
  dai.textContent = `Wallet: ${formatDecimal(pos.dai_balance, 4)} DAI`;
  const mine = pos.pools.find((p) => p.pool.toLowerCase() === $("defect-pool").value.toLowerCase());
  shares.textContent = `Your shares: ${mine ? formatDecimal(mine.shares, 4) : "0.0000"}`;
}

function onMax(which) {
  const pos = app.position;
  if (!pos) return;
  if (which === "enlist") {
    $("enlist-amount").value = toDecimal(BigInt(pos.dai_balance_raw));
  } else {
    const mine = pos.pools.find((p) => p.pool.toLowerCase() === $("defect-pool").value.toLowerCase());
    $("defect-amount").value = toDecimal(mine ? BigInt(mine.shares_raw) : 0n);
  }
}

// ---------------------------------------------------------------- following the chain
function showStale(message) {
  app.stale = true;
  document.body.classList.add("stale");
  const since = app.state
    ? ` The figures below are from block ${app.state.block.number} (seen ${new Date(app.stateAt).toLocaleTimeString()}) and may be out of date.`
    : "";
  setStatus(`Cannot read the chain: ${message}.${since}`, true);
}

async function onState(state) {
  if (!app.config) app.config = await api("/api/config").catch(() => null);
  const fresh = state.block.number !== app.lastBlock || !app.state || app.stale;
  app.stale = false;
  document.body.classList.remove("stale");
  if (fresh) {
    app.lastBlock = state.block.number;
    renderState(state);
    if (app.positionAddress) {
      await loadPosition(app.positionAddress, false).catch(() => {});
    }
  }
  setStatus(`Up to date at block ${state.block.number} (${new Date().toLocaleTimeString()}).`);
}

async function refresh() {
  try {
    await onState(await api("/api/state"));
  } catch (err) {
    showStale(err.message);
  }
}

function follow() {
  if (typeof EventSource === "undefined") {
    setInterval(refresh, POLL_MS);
    return;
  }
  const source = new EventSource("/api/events");
  source.addEventListener("state", (ev) => { onState(JSON.parse(ev.data)); });
  source.addEventListener("failure", (ev) => { showStale(JSON.parse(ev.data).error); });
  source.onerror = () => {
    if (source.readyState !== EventSource.OPEN) {
      showStale("the dashboard's server does not answer (is `backstop serve` running?); retrying");
    }
  };
}

async function loadPosition(address, announce = true) {
  const [pos, act] = await Promise.all([
    api(`/api/position?address=${encodeURIComponent(address)}`),
    api(`/api/activity?address=${encodeURIComponent(address)}`),
  ]);
  renderPosition(pos);
  renderActivity(act);
  if (announce) setStatus(`Showing the position of ${pos.address}.`);
}

// ---------------------------------------------------------------- forms
function fieldError(input, errorEl, message) {
  errorEl.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  if (message) input.focus();
}

function hidePosition() {
  $("position").hidden = true;
  $("activity").hidden = true;
  $("activity-h").hidden = true;
  $("position-wallet").textContent = "";
  app.position = null;
  app.positionAddress = null;
}

async function onPositionSubmit(ev) {
  ev.preventDefault();
  const input = $("position-address");
  const err = $("position-error");
  const value = input.value.trim();
  if (!ADDRESS.test(value)) {
    hidePosition();
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
    hidePosition();
    fieldError(input, err, `Address: ${bare(e.message)}`);
  }
}

async function checkNetwork() {
  const cid = await wallet.chainId();
  const want = app.config.chain_id;
  const box = $("network");
  if (cid === want) {
    box.hidden = true;
    return true;
  }
  $("network-text").textContent = `Your wallet is on chain ${cid}; this dashboard reads chain ${want}.`;
  box.hidden = false;
  return false;
}

async function onSwitchNetwork() {
  try {
    await wallet.switchChain(app.config.chain_id);
    if (await checkNetwork()) setStatus(`Your wallet is now on chain ${app.config.chain_id}.`);
  } catch (e) {
    $("network-text").textContent = `${e.message}. Switch to chain ${app.config.chain_id} in your wallet yourself.`;
  }
}

async function onConnect() {
  try {
    app.account = await wallet.connect();
    $("account").replaceChildren("Wallet: ", addressEl(app.account));
    $("connect").textContent = "Wallet connected";
    $("position-address").value = app.account;
    app.positionAddress = app.account;
    await checkNetwork().catch(() => {});
    await loadPosition(app.account);
  } catch (e) {
    setStatus(e.message, true);
  }
}

// ---- progress steps and transaction notices
function step(text, cls = "wait") {
  const li = document.createElement("li");
  li.className = cls;
  li.textContent = text;
  $("steps").appendChild(li);
  return {
    update(t, c) { li.textContent = t; li.className = c; },
  };
}

/** A notice for a sent transaction: its hash (copyable), an explorer link, its outcome. */
function notice(label, hash) {
  const box = document.createElement("div");
  box.className = "notice wait";
  box.setAttribute("role", "status");
  box.dataset.tx = hash;
  const text = document.createElement("p");
  text.textContent = `${label}: sent, waiting to be mined…`;
  const links = document.createElement("p");
  links.append("Transaction ", addressEl(hash, shortAddress(hash)));
  const url = explorerTxUrl(app.config.explorer, hash);
  if (url) links.append(" ", explorerLink(url));
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss this notice");
  close.addEventListener("click", () => box.remove());
  box.append(close, text, links);
  $("notices").prepend(box);
  return {
    done(t, ok) { text.textContent = t; box.className = `notice ${ok ? "ok" : "bad"}`; },
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
  if (!await checkNetwork()) {
    const cid = await wallet.chainId();
    throw new wallet.WalletError(`Your wallet is on chain ${cid}; this dashboard reads chain ${app.config.chain_id}: switch networks (button above)`);
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
  const n = notice(label, hash);
  const receipt = await wallet.waitForReceipt(hash);
  const block = Number(BigInt(receipt.blockNumber));
  if (BigInt(receipt.status) === 1n) {
    s.update(`${label}: confirmed in block ${block} (${hash}).`, "ok");
    n.done(`${label}: confirmed in block ${block}.`, true);
    return receipt;
  }
  s.update(`${label}: reverted in block ${block} (${hash}).`, "bad");
  n.done(`${label}: reverted in block ${block}.`, false);
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

/** Every check the pool makes, before the wallet is asked for anything. */
async function precheck(action, from, pool, amount) {
  const res = await api("/api/simulate", { action, pool, from, amount: toDecimal(amount), check_only: true });
  const what = action === "enlist" ? `Enlist ${toDecimal(amount)} DAI`
    : action === "claim" ? "Claim" : `Defect ${toDecimal(amount)} shares`;
  if (!res.ok) step(`${what}: ${res.message}. Nothing was signed or sent.`, "bad");
  return res.ok;
}

async function enlist(from, pool, amount, method) {
  if (!await precheck("enlist", from, pool, amount)) return false;
  await loadPosition(from, false);
  const pos = positionFor(pool);
  const allowance = pos ? BigInt(pos.allowance_raw) : 0n;
  let tx;
  if (allowance >= amount) {
    const how = allowance >= 2n ** 255n ? "any amount of" : `${formatDecimal(toDecimal(allowance), 2)}`;
    step(`Allowance: the pool may already move ${how} DAI of yours; no ${method} needed.`, "ok");
    tx = enlistTx(app.config, pool, amount);
  } else if (method === "permit") {
    const args = await permitArgs(from, pool, amount);
    if (!args) return false;
    tx = enlistWithPermitTx(app.config, pool, args);
  } else {
    const approve = { from, ...approveTx(app.config, pool, amount) };
    if (!await simulate(`Approval of ${toDecimal(amount)} DAI`, { action: "approve", pool, from, amount: toDecimal(amount), ...approve })) return false;
    if (!await send("Approval", approve)) return false;
    tx = enlistTx(app.config, pool, amount);
  }
  const full = { from, ...tx };
  if (!await simulate(`Enlist ${toDecimal(amount)} DAI`, { action: "enlist", pool, from, amount: toDecimal(amount), ...full })) return false;
  return Boolean(await send("Enlist", full));
}

async function defect(from, pool, shares) {
  if (!await precheck("defect", from, pool, shares)) return false;
  const tx = { from, ...defectTx(app.config, pool, shares) };
  if (!await simulate(`Defect ${toDecimal(shares)} shares`, { action: "defect", pool, from, amount: toDecimal(shares), ...tx })) return false;
  return Boolean(await send("Defect", tx));
}

async function claim(from, pool) {
  if (!await precheck("claim", from, pool, 0n)) return false;
  const tx = { from, ...claimTx(app.config, pool) };
  if (!await simulate("Claim", { action: "claim", pool, from, amount: "0", ...tx })) return false;
  return Boolean(await send("Claim", tx));
}

function onClaimSubmit(ev) {
  ev.preventDefault();
  const pool = $("claim-pool").value;
  if (!pool) { fieldError($("claim-pool"), $("claim-error"), "Pool: there is no pool yet"); return; }
  withBusy(ev.currentTarget, async () => claim(await requireWallet(), pool));
}

async function withBusy(form, fn) {
  if (app.busy) return;
  app.busy = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  $("steps").replaceChildren();
  try {
    if (await fn()) form.querySelectorAll("input[type=text]").forEach((i) => { i.value = ""; });
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
        return false;
      }
    }
    return defect(from, pool, shares);
  });
}

// ---------------------------------------------------------------- start
async function main() {
  $("position-form").addEventListener("submit", onPositionSubmit);
  $("enlist-form").addEventListener("submit", onEnlistSubmit);
  $("defect-form").addEventListener("submit", onDefectSubmit);
  $("claim-form").addEventListener("submit", onClaimSubmit);
  $("connect").addEventListener("click", onConnect);
  $("network-switch").addEventListener("click", onSwitchNetwork);
  $("enlist-max").addEventListener("click", () => onMax("enlist"));
  $("defect-max").addEventListener("click", () => onMax("defect"));
  $("defect-pool").addEventListener("change", renderBalances);
  window.addEventListener("resize", () => {
    if (app.chartArgs) drawChart($("chart"), ...app.chartArgs);
    if (app.state) renderPools(app.state);
  });
  if (!wallet.hasWallet()) $("account").textContent = "No browser wallet: you can still look up any address.";
  wallet.onAccountsChanged((a) => { if (a) { app.account = a; $("account").replaceChildren("Wallet: ", addressEl(a)); } });
  wallet.onChainChanged(() => { if (app.account && app.config) checkNetwork().catch(() => {}); });
  try {
    app.config = await api("/api/config");
  } catch (e) {
    showStale(e.message);
  }
  renderBalances();
  await refresh();
  setInterval(tickCountdowns, 1000);
  follow();
}

main();
