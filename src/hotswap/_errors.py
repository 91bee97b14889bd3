"""The error and warning types hotswap raises and emits.

A failed reload is not raised: it is rolled back and reported (``Report.errors``), and the
session goes on. ``HotswapError`` is raised for misuse (a closed link, a front-end started the
wrong way); ``HotswapWarning`` is emitted where a request is honoured only in part (a function
that cannot switch while it runs, see ``hotswap.restartable``).
"""

from __future__ import annotations


class HotswapError(Exception):
    """Base class of the errors hotswap raises."""

    __module__ = "hotswap"


class HotswapWarning(UserWarning):
    """Something could not be updated exactly in place (named in the message)."""

    __module__ = "hotswap"
