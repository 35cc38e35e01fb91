// Everything the page sends to a pool (with src/backstop/web/pool_io.py on the server, the only
// places that know the pool's calls). The pool's ABI will change: adapt here. Each function
// returns the transaction {to, data} for the wallet; selectors and inputs come from the server
// (/api/config "functions"), encoded by role.

import { encodeCall } from "./abi.js";

/** DAI's approve letting `pool` take `amount` (raw wad). */
export function approveTx(config, pool, amount) {
  return { to: config.dai, data: encodeCall(config.functions.approve, { spender: pool, amount }) };
}

/** enlist(amount): the DAI is taken through an existing allowance. */
export function enlistTx(config, pool, amount) {
  return { to: pool, data: encodeCall(config.functions.enlist, { amount }) };
}

/** enlistWithPermit(amount, nonce, expiry, v, r, s): DAI's permit applied in the same call. */
export function enlistWithPermitTx(config, pool, args) {
  return { to: pool, data: encodeCall(config.functions.enlistWithPermit, args) };
}

/** defect(shares): burn shares for their part of the pool's DAI and MKR. */
export function defectTx(config, pool, shares) {
  return { to: pool, data: encodeCall(config.functions.defect, { shares }) };
}

/** claim(): the MKR and DAI the pool owes the member, shares kept. */
export function claimTx(config, pool) {
  return { to: pool, data: encodeCall(config.functions.claim, {}) };
}

export const ACTIVITY_WORDS = { deposit: "Deposit", withdrawal: "Withdrawal", claim: "Claim" };

/** A block explorer's page of a transaction, or null (devnets have none). */
export function explorerTxUrl(explorer, hash) {
  return explorer && /^0x[0-9a-fA-F]{64}$/.test(hash) ? `${explorer}/tx/${hash}` : null;
}
