"""Error and warning types: every failure hotswap reports is one of these."""

from __future__ import annotations


class HotswapError(Exception):
    """Base class of the errors hotswap raises."""

    __module__ = "hotswap"


class ReloadError(HotswapError):
    """A reload failed and was rolled back; ``report`` says where and why."""

    __module__ = "hotswap"

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class HotswapWarning(UserWarning):
    """Something could not be updated exactly in place (named in the message)."""

    __module__ = "hotswap"
