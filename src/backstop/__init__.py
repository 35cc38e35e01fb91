"""backstop: a community backstop for MakerDAO debt auctions."""
