"""The error a command reports as one line with exit status 2."""


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""
