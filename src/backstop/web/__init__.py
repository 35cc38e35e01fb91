"""backstop.web."""
