# pragma version ~=0.4.3
"""
@title solc_gap
@custom:contract-name solc_gap
@license MIT
@notice Gas the real contracts spend that our code does not, spent on purpose (a module, not
        deployable alone). The core copies dss's storage reads and writes, logs and calls one
        for one; what is left between it and dss is the code of the Solidity compilers dss and
        ds-token were built with (selector dispatch that tests selectors one after another,
        ABI decoding, internal math helpers): a few hundred gas per call. Each function that
        would otherwise be cheaper than dss by more than about half a percent spends that
        difference
        here, as measured on a Solidity 0.5.12 build of dss's code paths (see
        README.md, "Gas"), so that the gas the backstop reports holds on the real contracts.
        `spend(n)` costs about 38 gas per step (n <= 64) and changes nothing.
"""


@internal
@pure
def spend(steps: uint256):
    """
    @dev Burn about 38 * `steps` gas in an empty loop.
    @param steps The number of loop steps (at most 64).
    """
    for i: uint256 in range(steps, bound=64):
        pass
