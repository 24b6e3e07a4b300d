"""The one exception type the CLI turns into a single line on stderr and exit code 2."""


class FmstudyError(Exception):
    """A user-facing problem: bad input, missing data, unusable output folder.

    The message is one sentence that says what is wrong and what to do about it.
    """
