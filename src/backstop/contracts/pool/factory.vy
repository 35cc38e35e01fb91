# pragma version ~=0.4.3
# pragma optimize codesize
# pragma experimental-codegen
"""
@title BackstopFactory
@custom:contract-name factory
@license MIT
@notice Deploys backstop pools from one blueprint (ERC-5202), one pool per price (whole cents
        from 1 to 1,000,000 DAI per MKR, as the pool itself requires), and lists them in
        pages, so several prices run side by side without coordination. Anyone may create a
        pool; listing never reverts however many there are (`pool_count`, `pools(i)`,
        `get_pools(start, n)`). The Maker wiring is checked once, at construction. Ownership: the factory's operator is its owner (snekmate
        ownable_2step, the deployer first; never tx.origin). Every pool the factory creates
        is owned by the factory itself, and only the operator can act through it: stop a
        pool (`cease_fire`) or hand a pool to an owner of its own (`transfer_pool_ownership`,
        which starts the pool's two-step transfer; the new owner calls the pool's
        `accept_ownership`). So a pool's `ceaseFire` stays possible for the operator from the
        first block, and a pool created by a stranger is not owned by that stranger.
@dev Revert strings are prefixed "Factory/".
"""


from snekmate.auth import ownable
from snekmate.auth import ownable_2step

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


interface IPool:
    def ceaseFire(): nonpayable
    def transfer_ownership(new_owner: address): nonpayable


interface IDaiJoin:
    def dai() -> address: view
    def vat() -> address: view


interface IFlopper:
    def gem() -> address: view
    def vat() -> address: view


_WAD: constant(uint256) = 10**18
_MAX_PAGE: constant(uint256) = 1_000


blueprint: public(immutable(address))
dai: public(immutable(address))
mkr: public(immutable(address))
daiJoin: public(immutable(address))
vat: public(immutable(address))
flopper: public(immutable(address))

# @dev Number of pools created.
pool_count: public(uint256)
# @dev The i-th pool created (0-based).
pools: public(HashMap[uint256, address])
# @dev The pool for a price (DAI per MKR, wad), or the zero address.
pool_for_price: public(HashMap[uint256, address])


event PoolCreated:
    price: indexed(uint256)
    pool: indexed(address)


@deploy
def __init__(
    blueprint_: address,
    dai_: address,
    mkr_: address,
    daiJoin_: address,
    vat_: address,
    flopper_: address,
):
    """
    @notice A factory for pools on one Maker deployment; the deployer is its operator.
    @param blueprint_ The ERC-5202 blueprint of pool.vy.
    @param dai_ The ERC20 DAI.
    @param mkr_ The MKR token.
    @param daiJoin_ The DaiJoin adapter.
    @param vat_ The Vat.
    @param flopper_ The Flopper.
    """
    assert blueprint_.is_contract, "Factory/no-blueprint"
    assert staticcall IDaiJoin(daiJoin_).dai() == dai_, "Factory/join-not-for-dai"
    assert staticcall IDaiJoin(daiJoin_).vat() == vat_, "Factory/join-not-for-vat"
    assert staticcall IFlopper(flopper_).gem() == mkr_, "Factory/flopper-not-for-mkr"
    assert staticcall IFlopper(flopper_).vat() == vat_, "Factory/flopper-not-for-vat"
    ownable.__init__()
    ownable_2step.__init__()
    blueprint = blueprint_
    dai = dai_
    mkr = mkr_
    daiJoin = daiJoin_
    vat = vat_
    flopper = flopper_


@external
@nonreentrant
def create_pool(price: uint256) -> address:
    """
    @notice Anyone: deploy the pool for `price` (DAI per MKR, wad). One pool per price; its
            address is deterministic (CREATE2, salt = the price).
    @param price DAI per MKR, wad: whole cents from 1 to 1,000,000 DAI.
    @return The new pool.
    """
    assert price >= _WAD and price <= 10**6 * _WAD, "Factory/price-out-of-range"
    assert price % 10**16 == 0, "Factory/price-not-whole-cents"
    assert self.pool_for_price[price] == empty(address), "Factory/pool-exists"
    pool: address = create_from_blueprint(
        blueprint,
        dai,
        mkr,
        daiJoin,
        vat,
        flopper,
        price,
        self._name(price),
        self._symbol(price),
        salt=convert(price, bytes32),
    )
    n: uint256 = self.pool_count
    self.pools[n] = pool
    self.pool_count = n + 1
    self.pool_for_price[price] = pool
    log PoolCreated(price=price, pool=pool)
    return pool


@external
@nonreentrant
def cease_fire(price: uint256):
    """
    @notice Operator only: call `ceaseFire` on the pool for `price`.
    @param price The pool's price, wad.
    """
    ownable._check_owner()
    extcall IPool(self._pool(price)).ceaseFire()


@external
@nonreentrant
def transfer_pool_ownership(price: uint256, new_owner: address):
    """
    @notice Operator only: start the two-step transfer of the pool for `price` to
            `new_owner`, who then calls the pool's `accept_ownership`.
    @param price The pool's price, wad.
    @param new_owner The pool's next owner.
    """
    ownable._check_owner()
    extcall IPool(self._pool(price)).transfer_ownership(new_owner)


@external
@view
def get_pools(start: uint256, count: uint256) -> DynArray[address, _MAX_PAGE]:
    """
    @notice A page of pools in creation order: from index `start`, at most `count` (and at
            most 1,000); empty past the end. Never reverts.
    @param start The first index (0-based).
    @param count The most pools to return.
    @return The pools.
    """
    out: DynArray[address, _MAX_PAGE] = []
    total: uint256 = self.pool_count
    if start >= total:
        return out
    n: uint256 = min(min(count, total - start), _MAX_PAGE)
    for i: uint256 in range(n, bound=_MAX_PAGE):
        out.append(self.pools[start + i])
    return out


@internal
@view
def _pool(price: uint256) -> address:
    """
    @dev The pool for `price`; reverts if there is none.
    @param price The price, wad.
    @return The pool.
    """
    pool: address = self.pool_for_price[price]
    assert pool != empty(address), "Factory/no-pool"
    return pool


@internal
@pure
def _name(p: uint256) -> String[25]:
    """
    @dev The pool's share name: "Dai Backstop " and the price in DAI (at most two decimals, the
         price is whole cents). backstop.pool.rules.pool_name is the same rule in Python.
    @param p The price, wad.
    @return The token name.
    """
    whole: String[78] = uint2str(p // _WAD)
    cents: uint256 = (p % _WAD) // 10**16
    if cents == 0:
        return abi_decode(abi_encode(concat("Dai Backstop ", whole)), String[25])
    frac: String[78] = uint2str(cents + 100)
    if cents % 10 == 0:
        frac = slice(frac, 1, 1)
    else:
        frac = slice(frac, 1, 2)
    return abi_decode(abi_encode(concat("Dai Backstop ", whole, ".", frac)), String[25])


@internal
@pure
def _symbol(p: uint256) -> String[5]:
    """
    @dev The pool's share symbol: "DB" and the whole price: as is below 1,000, in thousands with
         "K" below 100,000, else "DBMAX" (snekmate keeps at most 5 characters; the name carries
         the exact price). backstop.pool.rules.pool_symbol is the same rule in Python.
    @param p The price, wad.
    @return The token symbol.
    """
    whole: uint256 = p // _WAD
    if whole >= 100_000:
        return "DBMAX"
    if whole >= 1_000:
        return abi_decode(abi_encode(concat("DB", uint2str(whole // 1_000), "K")), String[5])
    return abi_decode(abi_encode(concat("DB", uint2str(whole))), String[5])
