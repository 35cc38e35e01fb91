# pragma version ~=0.4.3
"""
@title lib_note
@custom:contract-name lib_note
@license MIT
@notice dss's LibNote as a module (not deployable alone): the anonymous `LogNote` that the
        noted calls of the production Vat, DaiJoin, Flopper, Vow and Dai emit after their
        body, as `event LogNote(bytes4 indexed sig, address indexed usr, bytes32 indexed arg1,
        bytes32 indexed arg2, bytes data) anonymous`. Topics: the selector (left-aligned),
        the caller, calldata words 1 and 2 (`calldataload(4)`, `calldataload(36)`); data:
        the ABI encoding of a 224-byte `bytes` holding the calldata, zero-padded (288 bytes).
        Every noted call of the core takes at most three static arguments, so its calldata is
        the selector and those three words: the caller passes them (zero for missing ones)
        and the payload is rebuilt from them with shifts, about 300 gas more than dss's
        assembly (`calldatacopy`; README.md, "Gas"). Extra calldata beyond the arguments is
        not logged.
"""


_OFFSET: constant(uint256) = 32
_LENGTH: constant(uint256) = 224


@internal
def note(a1: uint256, a2: uint256, a3: uint256):
    """
    @dev Emit the LogNote of the current call.
    @param a1 The first argument as a word (0 if none).
    @param a2 The second argument as a word (0 if none).
    @param a3 The third argument as a word (0 if none).
    """
    sig: uint256 = convert(convert(slice(msg.data, 0, 4), bytes4), uint256) << 224
    raw_log(
        [
            convert(sig, bytes32),
            convert(msg.sender, bytes32),
            convert(a1, bytes32),
            convert(a2, bytes32),
        ],
        abi_encode(
            _OFFSET,
            _LENGTH,
            sig | (a1 >> 32),
            (a1 << 224) | (a2 >> 32),
            (a2 << 224) | (a3 >> 32),
            a3 << 224,
            empty(uint256),
            empty(uint256),
            empty(uint256),
        ),
    )
