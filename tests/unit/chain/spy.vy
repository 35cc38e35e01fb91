# pragma version 0.4.3
"""
@title Spy
@notice A tiny contract for the in-process chain's fast paths: storage, balances, code and the
        block read by views, and a call forwarding gas to another contract.
"""

interface Target:
    def poke(amount: uint256): nonpayable


interface Relay:
    def relay(target: address, amount: uint256): nonpayable


counter: public(uint256)


@external
def poke(amount: uint256):
    """
    @notice Add `amount` to the counter (one SSTORE, nothing after it but the return).
    @param amount The amount to add.
    """
    self.counter += amount


@external
def relay(target: address, amount: uint256):
    """
    @notice Poke `target` through an external call (it gets 63/64 of the gas left).
    @param target Another Spy.
    @param amount The amount it adds.
    """
    extcall Target(target).poke(amount)


@view
@external
def balance_of(who: address) -> uint256:
    """
    @notice An account's ETH balance.
    @param who The account.
    @return Its balance in wei.
    """
    return who.balance


@view
@external
def code_size(who: address) -> uint256:
    """
    @notice An account's code size.
    @param who The account.
    @return Its code size in bytes.
    """
    return who.codesize


@view
@external
def now() -> uint256:
    """
    @notice The block's timestamp.
    @return block.timestamp
    """
    return block.timestamp


@external
def relay_limited(target: address, amount: uint256, limit: uint256):
    """
    @notice Poke `target` giving it at most `limit` gas (or 63/64 of what is left if less).
    @param target Another Spy.
    @param amount The amount it adds.
    @param limit The most gas the call gets.
    """
    extcall Target(target).poke(amount, gas=limit)


@external
def relay_twice(via: address, target: address, amount: uint256):
    """
    @notice Ask `via` to relay a poke to `target`: two calls deep, each forwarding 63/64.
    @param via A Spy that relays.
    @param target The Spy it pokes.
    @param amount The amount it adds.
    """
    extcall Relay(via).relay(target, amount)


@external
def try_poke(target: address, amount: uint256):
    """
    @notice Poke `target` and carry on if that fails; add 1,000 to the own counter if it
            worked (so a run with too little gas for the poke is told apart).
    @param target Another Spy.
    @param amount The amount it adds.
    """
    ok: bool = raw_call(target, abi_encode(amount, method_id=method_id("poke(uint256)")),
                        revert_on_failure=False)
    if ok:
        self.counter += 1_000


@external
@payable
def tip():
    """
    @notice Count a payment (runs on the 2,300-gas stipend of a call with value when cheap).
    """
    self.counter += 1


@external
@payable
def pay(target: address):
    """
    @notice Send the value on to `target`'s `tip` (the callee gets the 2,300-gas stipend on top).
    @param target Another Spy.
    """
    raw_call(target, method_id("tip()"), value=msg.value)
