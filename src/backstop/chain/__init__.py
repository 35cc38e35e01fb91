"""backstop.chain."""
