"""One reader per input format. Each takes the file's bytes and returns a ``RawDocument`` or
raises ``ReadError`` with a message and hint for the user."""

from __future__ import annotations


class ReadError(Exception):
    """A file the importer cannot read: what is wrong, and what to do."""

    def __init__(self, message: str, hint: str = "", line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line
