"""backstop.keeper."""
