# pragma version ~=0.4.3
"""
@title MKR
@custom:contract-name mkr
@license MIT
@notice The governance token the Flopper mints, shaped like mainnet MKR, which is a ds-token
        (DSToken): bytes32 `symbol` and `name`, uint256 `decimals` (18), an `owner` and an
        `authority` (DSAuth) instead of wards, `stop()`/`start()` (DSStop: a stopped token
        refuses transfers, approvals, mints and burns), `mint(guy, wad)` and `burn(guy, wad)`
        for the owner or whoever the authority allows (on mainnet the authority is
        MkrAuthority, `mkr_authority.vy`, which lets its wards mint and anyone burn).
        `mint` logs `Mint` and no `Transfer`, `burn` logs `Burn`; an allowance of 2**256 - 1
        is never decreased. Like ds-token every refusal reverts WITHOUT a reason (missing
        authorization, a stopped token, too little balance or allowance). The owner and the
        stopped flag share one storage word, as in mainnet MKR's layout (gas).
        Vyper has no overloading: ds-token's `approve(guy)`, `mint(wad)` and `burn(wad)`
        (one-argument forms) are left out.
"""

from . import IMKR
from . import solc_gap

implements: IMKR


interface DSAuthority:
    def canCall(src: address, dst: address, sig: bytes4) -> bool: view


_ADDRESS_MASK: constant(uint256) = 2**160 - 1
_STOPPED: constant(uint256) = 2**160

_MINT_SIG: constant(bytes4) = method_id("mint(address,uint256)", output_type=bytes4)
_BURN_SIG: constant(bytes4) = method_id("burn(address,uint256)", output_type=bytes4)
_STOP_SIG: constant(bytes4) = method_id("stop()", output_type=bytes4)
_START_SIG: constant(bytes4) = method_id("start()", output_type=bytes4)
_SET_OWNER_SIG: constant(bytes4) = method_id("setOwner(address)", output_type=bytes4)
_SET_AUTHORITY_SIG: constant(bytes4) = method_id("setAuthority(address)", output_type=bytes4)
_SET_NAME_SIG: constant(bytes4) = method_id("setName(bytes32)", output_type=bytes4)


totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

# @dev DSAuth's authority: asked `canCall(src, this, sig)` for callers other than the owner.
authority: public(address)
# @dev The owner (low 160 bits) and DSStop's `stopped` flag (bit 160), one word as on mainnet.
_owner_stopped: uint256

symbol: public(bytes32)
decimals: public(uint256)
name: public(bytes32)


event Transfer:
    src: indexed(address)
    dst: indexed(address)
    wad: uint256


event Approval:
    src: indexed(address)
    guy: indexed(address)
    wad: uint256


event Mint:
    guy: indexed(address)
    wad: uint256


event Burn:
    guy: indexed(address)
    wad: uint256


event LogSetOwner:
    owner: indexed(address)


event LogSetAuthority:
    authority: indexed(address)


@deploy
def __init__(symbol_: bytes32):
    """
    @notice The deployer becomes the owner; no authority, not stopped, 18 decimals, no name.
    @param symbol_ The symbol, as bytes32 ("MKR").
    """
    self.symbol = symbol_
    self.decimals = 18
    self._owner_stopped = convert(msg.sender, uint256)
    log LogSetOwner(owner=msg.sender)


@external
@view
def owner() -> address:
    """
    @notice The owner (always authorized).
    @return The owner's address.
    """
    return self._owner()


@external
@view
def stopped() -> bool:
    """
    @notice Whether the token is stopped (transfers, approvals, mints and burns refused).
    @return True when stopped.
    """
    return self._owner_stopped & _STOPPED != 0


@external
def setOwner(owner_: address):
    """
    @notice Hand the ownership to `owner_` (authorized callers only).
    @param owner_ The new owner.
    """
    self._auth(_SET_OWNER_SIG)
    self._owner_stopped = (self._owner_stopped & _STOPPED) | convert(owner_, uint256)
    log LogSetOwner(owner=owner_)


@external
def setAuthority(authority_: address):
    """
    @notice Set the authority asked about callers other than the owner (authorized only).
    @param authority_ The authority (e.g. MkrAuthority), or the zero address for none.
    """
    self._auth(_SET_AUTHORITY_SIG)
    self.authority = authority_
    log LogSetAuthority(authority=authority_)


@external
def setName(name_: bytes32):
    """
    @notice Set the optional name (authorized callers only).
    @param name_ The name, as bytes32 ("Maker").
    """
    self._auth(_SET_NAME_SIG)
    self.name = name_


@external
def stop():
    """
    @notice Stop the token (authorized callers only).
    """
    self._auth(_STOP_SIG)
    self._owner_stopped = self._owner_stopped | _STOPPED
    self._note()


@external
def start():
    """
    @notice Restart a stopped token (authorized callers only).
    """
    self._auth(_START_SIG)
    self._owner_stopped = self._owner_stopped & _ADDRESS_MASK
    self._note()


@external
def approve(guy: address, wad: uint256) -> bool:
    """
    @notice Let `guy` spend `wad` of the caller's MKR (not while stopped).
    @param guy The spender.
    @param wad The allowance, in wad (2**256 - 1: unlimited, never decreased).
    @return Always True.
    """
    self._stoppable()
    self.allowance[msg.sender][guy] = wad
    log Approval(src=msg.sender, guy=guy, wad=wad)
    return True


@external
def transfer(dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` MKR from the caller to `dst` (not while stopped).
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert without a reason).
    """
    return self._transfer_from(msg.sender, dst, wad)


@external
def transferFrom(src: address, dst: address, wad: uint256) -> bool:
    """
    @notice Send `wad` MKR from `src` to `dst`, spending the caller's allowance unless the
            caller is `src` or the allowance is the maximum (not while stopped).
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True (failures revert without a reason).
    """
    return self._transfer_from(src, dst, wad)


@external
def push(dst: address, wad: uint256):
    """
    @notice ds-token alias of `transfer`.
    @param dst The receiver.
    @param wad The amount, in wad.
    """
    self._transfer_from(msg.sender, dst, wad)


@external
def pull(src: address, wad: uint256):
    """
    @notice ds-token alias of `transferFrom(src, msg.sender, wad)`.
    @param src The sender.
    @param wad The amount, in wad.
    """
    self._transfer_from(src, msg.sender, wad)


@external
def move(src: address, dst: address, wad: uint256):
    """
    @notice ds-token alias of `transferFrom`.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    """
    self._transfer_from(src, dst, wad)


@external
def mint(guy: address, wad: uint256):
    """
    @notice Create `wad` MKR for `guy` (the owner, or whom the authority allows: the
            Flopper through MkrAuthority; not while stopped). Logs `Mint` only.
    @param guy The receiver.
    @param wad The amount, in wad.
    """
    self._auth(_MINT_SIG)
    self._stoppable()
    self.balanceOf[guy] += wad
    self.totalSupply += wad
    log Mint(guy=guy, wad=wad)
    solc_gap.spend(9)


@external
def burn(guy: address, wad: uint256):
    """
    @notice Destroy `wad` MKR of `guy` (authorized callers; not while stopped); burning
            another holder's MKR also spends the caller's allowance. Logs `Burn` only.
    @param guy The holder whose MKR is burnt.
    @param wad The amount, in wad.
    """
    self._auth(_BURN_SIG)
    self._stoppable()
    self._spend_allowance(guy, wad)
    self.balanceOf[guy] -= wad
    self.totalSupply -= wad
    log Burn(guy=guy, wad=wad)


@internal
def _transfer_from(src: address, dst: address, wad: uint256) -> bool:
    """
    @dev ds-token's transferFrom: allowance first, then balances; no reason on failure.
    @param src The sender.
    @param dst The receiver.
    @param wad The amount, in wad.
    @return Always True.
    """
    self._stoppable()
    self._spend_allowance(src, wad)
    self.balanceOf[src] -= wad
    self.balanceOf[dst] += wad
    log Transfer(src=src, dst=dst, wad=wad)
    solc_gap.spend(10)
    return True


@internal
def _spend_allowance(owner: address, wad: uint256):
    """
    @dev Spend `wad` of the caller's allowance over `owner`, unless the caller is `owner` or
         the allowance is unlimited (read twice, as ds-token does; underflow reverts).
    @param owner The holder of the MKR.
    @param wad The amount, in wad.
    """
    if owner != msg.sender and self.allowance[owner][msg.sender] != max_value(uint256):
        self.allowance[owner][msg.sender] = self.allowance[owner][msg.sender] - wad


@internal
@view
def _owner() -> address:
    """
    @dev The owner, from the shared word.
    @return The owner's address.
    """
    return convert(convert(self._owner_stopped & _ADDRESS_MASK, uint160), address)


@internal
@view
def _auth(sig: bytes4):
    """
    @dev DSAuth: the token itself and the owner may; otherwise the authority decides; with
         no authority nobody else may. Reverts without a reason.
    @param sig The selector of the function called (DSAuth's `msg.sig`).
    """
    if msg.sender == self or msg.sender == self._owner():
        return
    # ds-auth reads `authority` twice: once against zero, once for the call, which Solidity
    # precedes with a code-size check (Vyper skips it for calls that return data)
    assert self.authority != empty(address)
    authority_: address = self.authority
    assert authority_.is_contract
    assert staticcall DSAuthority(authority_).canCall(msg.sender, self, sig)


@internal
@view
def _stoppable():
    """
    @dev DSStop: revert (without a reason) while stopped.
    """
    assert self._owner_stopped & _STOPPED == 0


@internal
def _note():
    """
    @dev DSNote's anonymous LogNote of a call without arguments (stop, start): topics the
         selector, the caller and two zero words; data the call value (0: nothing here is payable) and the calldata.
    """
    raw_log(
        [
            convert(convert(slice(msg.data, 0, 4), bytes4), bytes32),
            convert(msg.sender, bytes32),
            empty(bytes32),
            empty(bytes32),
        ],
        abi_encode(empty(uint256), slice(msg.data, 0, 4)),
    )
