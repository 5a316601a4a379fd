"""The exception hierarchy of etw (imported by the C module as well)."""

from __future__ import annotations

__all__ = ["EtwError", "EtlFormatError"]


class EtwError(Exception):
    """Base class of every error raised by etw."""


class EtlFormatError(EtwError, ValueError):
    """Malformed or truncated bytes in an .etl file.

    ``offset`` is the file offset where the problem was found (for a
    compressed buffer: the offset of that buffer), ``path`` the file.
    """

    def __init__(self, message: str, offset: int | None = None, path: object = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.path = path

    def __str__(self) -> str:
        base = super().__str__()
        if self.path is not None:
            return f"{base} [{self.path!s}]"
        return base
