"""Keeper settings from arguments and BACKSTOP_KEEPER_* variables, and their one-line errors."""

from __future__ import annotations

import pytest

from backstop.keeper.settings import ConfigError, KeeperSettings

POOL = "0x" + "ab" * 20
POOL2 = "0x" + "cd" * 20


def test_arguments_win_over_environment_over_defaults():
    env = {"BACKSTOP_KEEPER_POOLS": f"{POOL},{POOL2}", "BACKSTOP_KEEPER_TICK": "yes",
           "BACKSTOP_KEEPER_MAX_FEE_GWEI": "50", "BACKSTOP_KEEPER_FROM_BLOCK": "7"}
    s = KeeperSettings.from_sources({"max_fee_gwei": "80.5", "from_block": None}, env)
    assert s.pools == (KeeperSettings(pools=(POOL,)).pools[0],
                       KeeperSettings(pools=(POOL2,)).pools[0])
    assert s.tick is True
    assert s.max_fee_gwei == "80.5"
    assert s.from_block == 7
    assert s.dry_run is False and s.bump_percent >= 10


def test_a_poll_interval_longer_than_the_back_off_is_accepted():
    """Polling every 30 s (a slow chain) is a choice, not an error: the back-off after a
    fault is never shorter than the poll interval."""
    s = KeeperSettings.from_sources({"pools": (POOL,), "poll_interval": "30"}, {})
    assert s.poll_interval == 30 and s.max_backoff < 30


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        ({}, {}, "no pools to keep"),
        ({"pools": (POOL,), "factory": POOL2}, {}, "either --pools or --factory"),
        ({"pools": ("0x1234",)}, {}, "is not an address"),
        ({"pools": (POOL,), "max_fee_gwei": "ten"}, {}, "max-fee-gwei"),
        ({"pools": (POOL,)}, {"BACKSTOP_KEEPER_TICK": "maybe"}, "not true or false"),
        ({"pools": (POOL,)}, {"BACKSTOP_KEEPER_FROM_BLOCK": "-3"}, "not a whole number"),
        ({"pools": (POOL,), "bump_percent": 5}, {}, "at least 10"),
        ({"pools": (POOL,), "metrics_port": 70_000}, {}, "not a TCP port"),
        ({"pools": (POOL,), "poll_interval": "0"}, {}, "poll-interval must be a positive"),
        ({"pools": (POOL,)}, {"BACKSTOP_KEEPER_JOURNAL": "/no/such/folder/j.json"},
         "journal: the folder /no/such/folder does not exist"),
    ],
)
def test_bad_settings_say_what_is_wrong(args, env, words):
    with pytest.raises(ConfigError) as info:
        KeeperSettings.from_sources(args, env)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_run_sleeps_until_shortly_before_the_next_block_on_a_steady_chain():
    from backstop.keeper import Keeper

    keeper = Keeper(None, None, None, KeeperSettings(pools=(POOL,), dry_run=True,  # type: ignore[arg-type]
                                                     poll_interval=0.5))
    assert keeper.next_wait() == 0.5  # nothing learnt yet
    keeper._intervals.extend([12, 12, 12, 12])  # mainnet: a block every 12 s
    assert keeper.next_wait() == 11.0
    keeper._intervals.append(7)  # irregular (time jumps, mining on demand): just poll
    assert keeper.next_wait() == 0.5
