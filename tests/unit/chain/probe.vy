# pragma version 0.4.3
"""
@title Probe
@notice A tiny contract for the chain layer's tests: an event, reverts with and without a
        reason, the block environment.
"""

event Poked:
    who: indexed(address)
    tag: indexed(uint256)
    value: uint256

counter: public(uint256)


@external
def poke(tag: uint256, amount: uint256):
    """
    @notice Add `amount` to the counter and log it; reverts for amount 13.
    @param tag An indexed number to filter logs on.
    @param amount The amount to add.
    """
    assert amount != 13, "Probe/unlucky"
    self.counter += amount
    log Poked(who=msg.sender, tag=tag, value=amount)


@view
@external
def boom():
    """
    @notice Always reverts with a reason.
    """
    raise "Probe/boom"


@view
@external
def bare(x: uint256) -> uint256:
    """
    @notice Reverts without a reason when `x` is zero (a division by zero).
    @param x The divisor.
    @return 100 // x
    """
    return 100 // x


@view
@external
def env() -> (uint256, uint256, uint256):
    """
    @notice The block environment a call sees.
    @return timestamp, number, chain id
    """
    return block.timestamp, block.number, chain.id
