# pragma version 0.4.3
"""
@title Spy
@notice A tiny contract for the in-process chain's fast paths: storage, balances, code and the
        block read by views, and a call forwarding gas to another contract.
"""

interface Target:
    def poke(amount: uint256): nonpayable


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
