// Exact decimal <-> integer conversions for token amounts (wad = 18 decimals).
// Money never goes through floats: amounts are BigInt raw units or decimal strings.

/** Thrown for text that is not an amount; `message` is one line meant for people. */
export class AmountError extends Error {}

const DECIMAL = /^\d+(\.\d*)?$|^\.\d+$/;

/**
 * Parse a decimal string ("1.5", "50000", "50_000") into raw units with `decimals` decimals.
 * Refuses negatives, words, too many decimals and zero with a message saying what to do.
 */
export function parseAmount(text, decimals = 18, what = "Amount") {
  const t = String(text ?? "").trim().replaceAll("_", "").replaceAll(",", "");
  if (t === "") throw new AmountError(`${what}: enter a number, for example 1.5`);
  if (t.startsWith("-")) throw new AmountError(`${what}: must be positive, not ${t}`);
  if (!DECIMAL.test(t)) {
    throw new AmountError(`${what}: "${t}" is not a number; write it like 1.5 or 50000`);
  }
  const [whole, frac = ""] = t.split(".");
  if (frac.length > decimals) {
    throw new AmountError(`${what}: ${frac.length} decimals given, at most ${decimals} are possible`);
  }
  const raw = BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt((frac.padEnd(decimals, "0")) || "0");
  if (raw === 0n) throw new AmountError(`${what}: must be more than zero`);
  return raw;
}

/** Exact decimal text of raw units: 1500000000000000000n -> "1.5". */
export function toDecimal(raw, decimals = 18) {
  const v = BigInt(raw);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const one = 10n ** BigInt(decimals);
  const frac = (a % one).toString().padStart(decimals, "0").replace(/0+$/, "");
  return (neg ? "-" : "") + (a / one).toString() + (frac ? "." + frac : "");
}

/**
 * Display a decimal string rounded half-up to `places` decimals with thousands separators.
 * Works on the text itself ("1234.5678" -> "1,234.57"), so exact inputs stay exact.
 */
export function formatDecimal(text, places = 2) {
  if (text === null || text === undefined || text === "") return "–";
  let s = String(text);
  const neg = s.startsWith("-");
  if (neg) s = s.slice(1);
  const [whole, frac = ""] = s.split(".");
  let scaled = BigInt(whole || "0") * 10n ** BigInt(places) + BigInt(frac.slice(0, places).padEnd(places, "0") || "0");
  if ((frac[places] ?? "0") >= "5") scaled += 1n;
  const one = 10n ** BigInt(places);
  const w = (scaled / one).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const f = places ? "." + (scaled % one).toString().padStart(places, "0") : "";
  return (neg && scaled !== 0n ? "-" : "") + w + f;
}

/** "0x" + 64 hex digits of a non-negative BigInt (one ABI word). */
export function word(n) {
  const v = BigInt(n);
  if (v < 0n || v >= 1n << 256n) throw new RangeError("value does not fit uint256");
  return v.toString(16).padStart(64, "0");
}

/** Short form of an address for tables: 0x1234…abcd. */
export function shortAddress(a) {
  return a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "–";
}

/** Human duration of a number of seconds: "2 d 3 h", "5 h 10 min", "42 s". */
export function duration(seconds) {
  let s = Math.max(0, Math.floor(Number(seconds)));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s} s`;
  return `${s} s`;
}
