"""The one error type the command line shows to people."""


class UserError(Exception):
    """A failure the user can act on: printed as one line ``error: <message>``, no traceback.

    The message says what is wrong and what to do. ``exit_code`` is 1 by default (2 is for usage
    errors, which argparse reports itself).
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
