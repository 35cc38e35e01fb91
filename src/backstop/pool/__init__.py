"""backstop.pool."""
