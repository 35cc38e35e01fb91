// A tiny EIP-1193 client over the browser's injected wallet (window.ethereum).

/** Raised for wallet problems, with a message meant for people. */
export class WalletError extends Error {}

function provider() {
  const eth = window.ethereum;
  if (!eth || typeof eth.request !== "function") {
    throw new WalletError("No browser wallet found: install one (or paste an address to only look)");
  }
  return eth;
}

/** True when a wallet is injected in this page. */
export function hasWallet() {
  return Boolean(window.ethereum && typeof window.ethereum.request === "function");
}

async function request(method, params = []) {
  try {
    return await provider().request({ method, params });
  } catch (err) {
    if (err instanceof WalletError) throw err;
    if (err && err.code === 4001) throw new WalletError("You rejected the request in your wallet");
    const msg = (err && (err.message || err.reason)) || String(err);
    throw new WalletError(`Wallet error: ${msg}`);
  }
}

/** Ask the wallet for accounts; returns the first (checksummed as the wallet gives it). */
export async function connect() {
  const accounts = await request("eth_requestAccounts");
  if (!accounts || accounts.length === 0) throw new WalletError("The wallet gave no account");
  return accounts[0];
}

/** The wallet's chain id as a number. */
export async function chainId() {
  return Number(BigInt(await request("eth_chainId")));
}

/** Send a transaction {from, to, data}; returns its hash. */
export async function sendTransaction(tx) {
  return request("eth_sendTransaction", [tx]);
}

/** Sign EIP-712 typed data (v4) as `from`; returns the 65-byte signature hex. */
export async function signTypedData(from, typedData) {
  return request("eth_signTypedData_v4", [from, JSON.stringify(typedData)]);
}

/** Wait for a receipt through the wallet; `onTick` is called on each poll. */
export async function waitForReceipt(hash, { timeoutMs = 120000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const receipt = await request("eth_getTransactionReceipt", [hash]);
    if (receipt) return receipt;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new WalletError(`No receipt for ${hash} after ${Math.round(timeoutMs / 1000)} s`);
}

/** Subscribe to account changes (if the wallet supports events). */
export function onAccountsChanged(handler) {
  const eth = window.ethereum;
  if (eth && typeof eth.on === "function") eth.on("accountsChanged", (a) => handler(a && a[0]));
}

/** Subscribe to network changes (if the wallet supports events). */
export function onChainChanged(handler) {
  const eth = window.ethereum;
  if (eth && typeof eth.on === "function") eth.on("chainChanged", (c) => handler(c));
}

/** Ask the wallet to switch to chain `id` (EIP-3326). */
export async function switchChain(id) {
  try {
    return await request("wallet_switchEthereumChain", [{ chainId: "0x" + id.toString(16) }]);
  } catch (err) {
    if (err instanceof WalletError && /4902|unrecognized|not added/i.test(err.message)) {
      throw new WalletError(`Your wallet does not know chain ${id}: add it in the wallet first`);
    }
    throw err;
  }
}
