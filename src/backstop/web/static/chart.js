// The price chart: implied price (DAI per MKR) of every debt auction over time, with each
// pool's committed price as a horizontal line. Plain inline SVG, no library.
// Numbers become screen coordinates here only (display), never amounts.

const NS = "http://www.w3.org/2000/svg";
const PAD = { l: 56, r: 72, t: 30, b: 36 };
const COLORS = ["#2563eb", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4d7c0f", "#ea580c"];

function el(name, attrs = {}, text) {
  const n = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || mag * 10;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
  return out;
}

function timeLabel(t, span) {
  const d = new Date(t * 1000);
  const iso = d.toISOString();
  if (span > 2 * 86400) return iso.slice(5, 10) + " " + iso.slice(11, 16);
  return span < 3600 ? iso.slice(11, 19) : iso.slice(11, 16);
}

/**
 * Place labels so none overlaps another: `labels` = [{x, y}] (the wanted positions); a label
 * closer than `gap` vertically to one already placed within `width` horizontally moves down
 * below it. Returns the new y of each label, in the input order.
 */
export function spreadLabels(labels, gap = 13, width = 40) {
  const order = labels.map((l, i) => ({ ...l, i })).sort((a, b) => a.y - b.y || a.x - b.x);
  const placed = [];
  for (const l of order) {
    let y = l.y;
    for (let moved = true; moved;) {
      moved = false;
      for (const p of placed) {
        if (Math.abs(p.x - l.x) < width && Math.abs(p.y - y) < gap) { y = p.y + gap; moved = true; }
      }
    }
    placed.push({ x: l.x, y, i: l.i });
  }
  const out = new Array(labels.length);
  placed.forEach((p) => { out[p.i] = p.y; });
  return out;
}

/**
 * Draw into `svg`: `series` = [{id, until, points: [{t, price}]}] (price as decimal text;
 * `until`: when the auction's last price stopped holding, the chain's time while it runs),
 * `pools` = [{price, label}], `now` = chain time in seconds.
 */
export function drawChart(svg, series, pools, now) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  // one SVG unit per CSS pixel, so labels keep their size on a phone
  const W = Math.max(300, Math.round(svg.clientWidth || svg.parentNode.clientWidth || 720));
  const H = W < 500 ? 220 : 300;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const pts = series.flatMap((s) => s.points.map((p) => ({ t: p.t, y: Number(p.price) })));
  const ys = pts.map((p) => p.y).concat(pools.map((p) => Number(p.price)));
  const ts = pts.map((p) => p.t).concat([now]);
  const title = el("title", {}, "Debt auction prices over time");
  svg.appendChild(title);
  if (ys.length === 0) {
    svg.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "muted" },
      "No auctions yet"));
    return;
  }
  let yLo = Math.min(...ys), yHi = Math.max(...ys);
  const margin = (yHi - yLo) * 0.1 || Math.max(yHi * 0.1, 1);
  yLo = Math.max(0, yLo - margin); yHi += margin;
  const ticks0 = niceTicks(yLo, yHi);  // widen to whole ticks so every line has a label below it
  const stepY = ticks0.length > 1 ? ticks0[1] - ticks0[0] : 0;
  if (stepY > 0) { yLo = Math.max(0, Math.floor(yLo / stepY) * stepY); yHi = Math.ceil(yHi / stepY) * stepY; }
  let tLo = Math.min(...ts), tHi = Math.max(...ts);
  if (tHi - tLo < 60) tLo = tHi - 60;
  const x = (t) => PAD.l + ((t - tLo) / (tHi - tLo)) * (W - PAD.l - PAD.r);
  const y = (v) => H - PAD.b - ((v - yLo) / (yHi - yLo)) * (H - PAD.t - PAD.b);

  const axes = el("g", { class: "axes" });
  for (const v of niceTicks(yLo, yHi)) {
    axes.appendChild(el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: "grid" }));
    axes.appendChild(el("text", { x: PAD.l - 6, y: y(v) + 4, "text-anchor": "end" },
      v.toLocaleString("en-US")));
  }
  for (const t of niceTicks(tLo, tHi, W < 500 ? 2 : 4)) {
    axes.appendChild(el("text", { x: x(t), y: H - PAD.b + 18, "text-anchor": "middle" },
      timeLabel(t, tHi - tLo)));
  }
  axes.appendChild(el("text", { x: 8, y: 14, class: "unit" }, "DAI/MKR"));
  svg.appendChild(axes);

  const poolLabelY = spreadLabels(pools.map((p) => ({ x: 0, y: y(Number(p.price)) + 4 })), 14);
  pools.forEach((p, i) => {
    const py = y(Number(p.price));
    const g = el("g", { class: "pool-line" });
    g.appendChild(el("line", { x1: PAD.l, x2: W - PAD.r, y1: py, y2: py }));
    g.appendChild(el("text", { x: W - PAD.r + 4, y: poolLabelY[i] }, p.label));
    svg.appendChild(g);
  });
  const ends = series.filter((s) => s.points.length).map((s) => {
    const last = s.points[s.points.length - 1];
    return { x: x(Math.max(last.t, s.until ?? now)), y: y(Number(last.price)) - 6 };
  });
  const labelY = spreadLabels(ends, 12, 30);
  let labelIndex = 0;

  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const color = COLORS[i % COLORS.length];
    const coords = [];
    s.points.forEach((p, j) => {
      const next = s.points[j + 1];
      coords.push(`${x(p.t)},${y(Number(p.price))}`);
      const tEnd = next ? next.t : Math.max(p.t, s.until ?? now);
      coords.push(`${x(tEnd)},${y(Number(p.price))}`);
    });
    const g = el("g", { class: "auction-line" });
    g.appendChild(el("polyline", { points: coords.join(" "), stroke: color }));
    const last = s.points[s.points.length - 1];
    const tLast = Math.max(last.t, s.until ?? now);
    g.appendChild(el("circle", { cx: x(tLast), cy: y(Number(last.price)), r: 3,
      fill: color }));
    g.appendChild(el("title", {}, `auction ${s.id}: ${last.price} DAI/MKR`));
    const ly = labelY[labelIndex++];
    if (series.length <= 12) {
      // left of the point, above it (moved down past any label it would cover): the right
      // margin belongs to the pools' labels
      g.appendChild(el("text", { x: x(tLast) - 5, y: ly,
        "text-anchor": "end", class: "auction-label", style: `fill: ${color}` }, `#${s.id}`));
    }
    svg.appendChild(g);
  });
}

/**
 * A small line chart of each pool's value per share: `series` = [{label, points: [{t, value}]}]
 * (value as decimal text), `now` = chain time. One step line per pool.
 */
export function drawShareValues(svg, series, now) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const W = Math.max(300, Math.round(svg.clientWidth || svg.parentNode.clientWidth || 720));
  const H = 160;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.appendChild(el("title", {}, "Liquid DAI per share of each pool over time"));
  const pts = series.flatMap((s) => s.points.map((p) => ({ t: p.t, y: Number(p.value) })));
  if (pts.length === 0) return;
  let yLo = Math.min(...pts.map((p) => p.y)), yHi = Math.max(...pts.map((p) => p.y));
  const m = (yHi - yLo) * 0.2 || Math.max(yHi * 0.05, 0.01);
  yLo = Math.max(0, yLo - m); yHi += m;
  let tLo = Math.min(...pts.map((p) => p.t)); const tHi = Math.max(now, ...pts.map((p) => p.t));
  if (tHi - tLo < 60) tLo = tHi - 60;
  const x = (t) => PAD.l + ((t - tLo) / (tHi - tLo)) * (W - PAD.l - PAD.r);
  const y = (v) => H - 24 - ((v - yLo) / (yHi - yLo)) * (H - 24 - 14);
  for (const v of niceTicks(yLo, yHi, 3)) {
    svg.appendChild(el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: "grid" }));
    svg.appendChild(el("text", { x: PAD.l - 6, y: y(v) + 4, "text-anchor": "end" },
      v.toLocaleString("en-US", { maximumFractionDigits: 4 })));
  }
  const labelY = spreadLabels(series.map((s) => ({ x: 0,
    y: s.points.length ? y(Number(s.points[s.points.length - 1].value)) + 4 : 0 })), 13);
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const color = COLORS[i % COLORS.length];
    const coords = [];
    s.points.forEach((p, j) => {
      const next = s.points[j + 1];
      coords.push(`${x(p.t)},${y(Number(p.value))}`);
      coords.push(`${x(next ? next.t : now)},${y(Number(p.value))}`);
    });
    const g = el("g", { class: "share-line" });
    g.appendChild(el("polyline", { points: coords.join(" "), stroke: color }));
    g.appendChild(el("text", { x: W - PAD.r + 4, y: labelY[i], style: `fill: ${color}` }, s.label));
    svg.appendChild(g);
  });
}
