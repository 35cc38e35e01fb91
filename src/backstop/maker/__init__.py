"""backstop.maker."""
