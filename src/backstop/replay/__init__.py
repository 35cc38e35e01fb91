"""backstop.replay."""
