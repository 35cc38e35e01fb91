// Unit tests of the page's exact-amount and ABI helpers (run by test_js.py with `node --test`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeArg, encodeCall, splitSignature } from "../../../src/backstop/web/static/abi.js";
import { AmountError, duration, formatDecimal, parseAmount, toDecimal } from "../../../src/backstop/web/static/units.js";

test("parseAmount is exact to the wei and refuses bad text with a message", () => {
  assert.equal(parseAmount("1.5"), 1500000000000000000n);
  assert.equal(parseAmount("50_000"), 50000n * 10n ** 18n);
  assert.equal(parseAmount("0.000000000000000001"), 1n);
  assert.equal(parseAmount(".5"), 5n * 10n ** 17n);
  for (const [bad, msg] of [["", /enter a number/], ["abc", /not a number/], ["-1", /positive/],
    ["1.0000000000000000001", /19 decimals given, at most 18/], ["0", /more than zero/],
    ["1e18", /not a number/], ["1.2.3", /not a number/]]) {
    assert.throws(() => parseAmount(bad), (e) => e instanceof AmountError && msg.test(e.message), bad);
  }
});

test("toDecimal and formatDecimal round-trip and round half up on the text", () => {
  assert.equal(toDecimal(1500000000000000000n), "1.5");
  assert.equal(toDecimal(10n ** 18n * 1234n), "1234");
  assert.equal(toDecimal(1n), "0.000000000000000001");
  assert.equal(formatDecimal("1234567.125", 2), "1,234,567.13");
  assert.equal(formatDecimal("0.994", 2), "0.99");
  assert.equal(formatDecimal("999.995", 2), "1,000.00");
  assert.equal(formatDecimal("90.909090909090909090", 4), "90.9091");
  assert.equal(formatDecimal("5", 0), "5");
});

test("ABI words: uint, address, bool, bytes32, with range checks", () => {
  assert.equal(encodeArg("uint256", 1n), "0".repeat(63) + "1");
  assert.equal(encodeArg("address", "0x" + "Ab".repeat(20)), "0".repeat(24) + "ab".repeat(20));
  assert.equal(encodeArg("bool", true), "0".repeat(63) + "1");
  assert.equal(encodeArg("uint8", 27), "0".repeat(62) + "1b");
  assert.throws(() => encodeArg("uint8", 256), RangeError);
  assert.throws(() => encodeArg("uint256", -1n), RangeError);
  assert.throws(() => encodeArg("address", "0x12"), TypeError);
  const fn = { selector: "0xa9059cbb", inputs: [{ name: "to", type: "address", role: "spender" },
    { name: "amount", type: "uint256", role: "amount" }] };
  const data = encodeCall(fn, { spender: "0x" + "11".repeat(20), amount: 2n });
  assert.equal(data, "0xa9059cbb" + "0".repeat(24) + "11".repeat(20) + "0".repeat(63) + "2");
  assert.throws(() => encodeCall(fn, { amount: 1n }), /missing argument spender/);
});

test("splitSignature normalises v", () => {
  const sig = "0x" + "aa".repeat(32) + "bb".repeat(32) + "01";
  assert.deepEqual(splitSignature(sig), { r: "0x" + "aa".repeat(32), s: "0x" + "bb".repeat(32), v: 28 });
});

test("duration reads like a person would say it", () => {
  assert.equal(duration(3 * 86400 + 7200), "3 d 2 h");
  assert.equal(duration(3725), "1 h 2 min");
  assert.equal(duration(42), "42 s");
});

test("chart labels are moved apart, never on top of each other", async () => {
  const { spreadLabels } = await import("../../../src/backstop/web/static/chart.js");
  // two pools at nearly the same price: the second label moves below the first
  assert.deepEqual(spreadLabels([{ x: 0, y: 100 }, { x: 0, y: 104 }], 14), [100, 114]);
  // three on one spot, given in any order: a stack, the input order kept
  assert.deepEqual(spreadLabels([{ x: 5, y: 50 }, { x: 5, y: 50 }, { x: 5, y: 40 }], 12),
    [52, 64, 40]);
  // far apart horizontally: left alone
  assert.deepEqual(spreadLabels([{ x: 0, y: 50 }, { x: 100, y: 50 }], 12, 40), [50, 50]);
});

test("a transaction's explorer link exists only where the chain has an explorer", async () => {
  const { explorerTxUrl } = await import("../../../src/backstop/web/static/pool.js");
  const hash = "0x" + "ab".repeat(32);
  assert.equal(explorerTxUrl("https://etherscan.io", hash), `https://etherscan.io/tx/${hash}`);
  assert.equal(explorerTxUrl(null, hash), null);
  assert.equal(explorerTxUrl("https://etherscan.io", "0x12"), null);
});
