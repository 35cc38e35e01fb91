"""backstop.cli."""
