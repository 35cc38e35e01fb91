// Hand-written ABI encoding for the few calls the page sends. Only static types occur
// (uint256, uint8, address, bool, bytes32), so each argument is one 32-byte word.
// Function selectors come from the server (/api/config), which computes them from the
// contracts' real ABIs, so this file never needs keccak.

import { word } from "./units.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** One ABI word for `value` of Solidity `type`. */
export function encodeArg(type, value) {
  if (type === "address") {
    if (!ADDRESS.test(value)) throw new TypeError(`not an address: ${value}`);
    return value.slice(2).toLowerCase().padStart(64, "0");
  }
  if (type === "bool") return word(value ? 1n : 0n);
  if (type === "bytes32") {
    if (!BYTES32.test(value)) throw new TypeError(`not 32 bytes: ${value}`);
    return value.slice(2).toLowerCase();
  }
  if (/^uint(8|16|32|64|128|256)?$/.test(type)) {
    const bits = BigInt(type.slice(4) || "256");
    const v = BigInt(value);
    if (v < 0n || v >= 1n << bits) throw new RangeError(`${value} does not fit ${type}`);
    return word(v);
  }
  throw new TypeError(`type ${type} is not supported by this encoder`);
}

/**
 * Calldata for a function described by the server: `fn` = {selector, inputs: [{name, type,
 * role}]}, `args` = an object of values by role (the server names each input's role, so the
 * page does not depend on the contract's parameter names). Every input must be given.
 */
export function encodeCall(fn, args) {
  let data = fn.selector;
  for (const input of fn.inputs) {
    const key = input.role || input.name;
    if (!(key in args)) throw new TypeError(`missing argument ${key}`);
    data += encodeArg(input.type, args[key]);
  }
  return data;
}

/** Split a 65-byte signature (0x r s v) into {v, r, s}; v normalised to 27/28. */
export function splitSignature(sig) {
  const hex = sig.startsWith("0x") ? sig.slice(2) : sig;
  if (hex.length !== 130) throw new TypeError("a signature has 65 bytes");
  let v = parseInt(hex.slice(128, 130), 16);
  if (v < 27) v += 27;
  return { r: "0x" + hex.slice(0, 64), s: "0x" + hex.slice(64, 128), v };
}
