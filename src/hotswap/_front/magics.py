"""The argument language of ``%autoreload`` and ``%aimport``, parsed without touching any state.

The IPython front-end (:mod:`hotswap.ipython`) parses a whole magic line here first and applies
it only when every part is valid, so a wrong argument changes nothing. Parsing is a separate,
pure step so that the accepted forms can be read (and tested) in one place.

``%autoreload`` accepts what IPython 9.18 accepts::

    %autoreload [-p|--print] [-l|--log] [-q|--quiet] [--hide-errors] [--full] [MODE][-]

where MODE is blank or ``now`` (check once, right now), ``0``/``off``, ``1``/``explicit``,
``2``/``all`` or ``3``/``complete`` (case-insensitive). A trailing ``-`` on the mode, or
``--full``, selects the ``full`` strategy. Short flags combine (``-pl``) and long flags may be
abbreviated to any unique prefix (``--hide``), as argparse allows in IPython. ``-q`` and
``-h``/``--help`` are hotswap's additions.

``%aimport`` takes a comma-separated list whose items are ``name``, ``-name`` (exclude) or
``name as alias``.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Literal

Mode = Literal["off", "explicit", "all", "complete"]
Strategy = Literal["incremental", "full"]

AUTORELOAD_USAGE = (
    "%autoreload [-p|--print] [-l|--log] [-q|--quiet] [--hide-errors] [--full] "
    "[now|0|off|1|explicit|2|all|3|complete][-]"
)
AIMPORT_USAGE = "%aimport [name | -name | name as alias][, ...]"

_MODES: dict[str, Mode | None] = {
    "": None,
    "now": None,
    "0": "off",
    "off": "off",
    "1": "explicit",
    "explicit": "explicit",
    "2": "all",
    "all": "all",
    "3": "complete",
    "complete": "complete",
}

# Long flag -> attribute of AutoreloadArgs it sets; short letters map onto the same names.
_LONG_FLAGS = {
    "--print": "print_activity",
    "--log": "log",
    "--quiet": "quiet",
    "--hide-errors": "hide_errors",
    "--full": "full",
    "--help": "help",
}
_SHORT_FLAGS = {"p": "--print", "l": "--log", "q": "--quiet", "h": "--help"}

_ALIAS_FORM = re.compile(r"(?P<name>\S+)\s+as\s+(?P<alias>\S+)")


class MagicArgumentError(ValueError):
    """A magic line that does not parse; the message is one line and names the magic."""


@dataclass(frozen=True)
class AutoreloadArgs:
    """One parsed ``%autoreload`` line.

    ``mode`` is None for ``now`` (check once without changing the mode). The output flags are
    complete settings, not changes: like IPython, every ``%autoreload`` call resets the flags
    it does not name.
    """

    mode: Mode | None = None
    strategy: Strategy = "incremental"
    print_activity: bool = False
    log: bool = False
    quiet: bool = False
    hide_errors: bool = False
    help: bool = False


@dataclass(frozen=True)
class AimportItem:
    """One item of an ``%aimport`` list: include ``name`` (bound as ``alias``) or exclude it."""

    name: str
    exclude: bool = False
    alias: str | None = None


def parse_autoreload(line: str) -> AutoreloadArgs:
    """Parse the text after ``%autoreload``; raise :class:`MagicArgumentError` if it is wrong."""
    flags: set[str] = set()
    positional: list[str] = []
    for token in line.split():
        if token.startswith("--"):
            flags.add(_long_flag(token))
        elif token.startswith("-") and len(token) > 1 and token[1:].isalpha():
            for letter in token[1:]:
                if letter not in _SHORT_FLAGS:
                    raise MagicArgumentError(
                        f"%autoreload: unknown option -{letter} (usage: {AUTORELOAD_USAGE})"
                    )
                flags.add(_LONG_FLAGS[_SHORT_FLAGS[letter]])
        else:
            positional.append(token)
    if len(positional) > 1:
        raise MagicArgumentError(
            f"%autoreload: expected one mode, got {' '.join(positional)!r}"
            f" (usage: {AUTORELOAD_USAGE})"
        )
    word = positional[0].lower() if positional else ""
    full = "full" in flags
    if word.endswith("-"):
        full = True
        word = word[:-1]
    if word not in _MODES:
        raise MagicArgumentError(
            f"%autoreload: unrecognized mode {positional[0]!r}"
            " (use now, 0/off, 1/explicit, 2/all or 3/complete)"
        )
    return AutoreloadArgs(
        mode=_MODES[word],
        strategy="full" if full else "incremental",
        print_activity="print_activity" in flags,
        log="log" in flags,
        quiet="quiet" in flags,
        hide_errors="hide_errors" in flags,
        help="help" in flags,
    )


def _long_flag(token: str) -> str:
    """The attribute a long flag sets; a unique prefix is enough (``--hide`` is --hide-errors)."""
    if token in _LONG_FLAGS:
        return _LONG_FLAGS[token]
    matches = [flag for flag in _LONG_FLAGS if flag.startswith(token)]
    if len(matches) == 1 and token != "--":
        return _LONG_FLAGS[matches[0]]
    if len(matches) > 1 and token != "--":
        raise MagicArgumentError(
            f"%autoreload: ambiguous option {token} (could be {', '.join(sorted(matches))})"
        )
    raise MagicArgumentError(f"%autoreload: unknown option {token} (usage: {AUTORELOAD_USAGE})")


def parse_aimport(line: str) -> list[AimportItem]:
    """Parse the text after ``%aimport``: an empty list means "show the lists"."""
    items: list[AimportItem] = []
    pieces = [piece.strip() for piece in line.split(",")]
    if not any(pieces):
        return items
    for piece in pieces:
        if not piece:
            continue  # a trailing comma ("%aimport a, b,") is harmless
        exclude = piece.startswith("-")
        name = piece[1:].strip() if exclude else piece
        alias: str | None = None
        match = _ALIAS_FORM.fullmatch(name)
        if match:
            name, alias = match["name"], match["alias"]
            if exclude:
                raise MagicArgumentError(
                    f"%aimport: an excluded module takes no alias ({name} as {alias})"
                )
            if not alias.isidentifier() or keyword.iskeyword(alias):
                raise MagicArgumentError(f"%aimport: {alias!r} is not a valid name for a module")
        if not _is_module_name(name):
            raise MagicArgumentError(
                f"%aimport: expected a module name, got {name!r} (usage: {AIMPORT_USAGE})"
            )
        items.append(AimportItem(name, exclude, alias))
    return items


def _is_module_name(text: str) -> bool:
    """``pkg.sub`` style absolute names only: relative names mean nothing in a session."""
    parts = text.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


# -- %hotswap cluster (hotswap.dask) ---------------------------------------------------------

CLUSTER_USAGE = (
    "%hotswap cluster attach NAME [--mode auto|pull|push] "
    "[--on-failure report|revert|restart] | status | push | detach"
)
ClusterAction = Literal["attach", "status", "push", "detach"]


@dataclass(frozen=True)
class ClusterArgs:
    """One parsed ``%hotswap cluster`` line: ``client`` names a ``distributed.Client`` in the
    user's namespace (``attach`` only)."""

    action: ClusterAction
    client: str | None = None
    mode: str = "auto"
    on_failure: str = "report"


def parse_cluster(line: str) -> ClusterArgs:
    """Parse the text after ``%hotswap cluster``; raise :class:`MagicArgumentError` if wrong."""
    words = line.split()
    if not words or words[0] not in ("attach", "status", "push", "detach"):
        raise MagicArgumentError(f"%hotswap cluster: expected a subcommand ({CLUSTER_USAGE})")
    action: ClusterAction = words[0]  # type: ignore[assignment]
    rest = words[1:]
    if action != "attach":
        if rest:
            raise MagicArgumentError(
                f"%hotswap cluster {action}: takes no argument, got {' '.join(rest)!r}"
            )
        return ClusterArgs(action)
    options = {"--mode": ("auto", "pull", "push"), "--on-failure": ("report", "revert", "restart")}
    chosen: dict[str, str] = {}
    names: list[str] = []
    while rest:
        word = rest.pop(0)
        key, _, value = word.partition("=")
        if key in options:
            if not value:
                if not rest:
                    raise MagicArgumentError(f"%hotswap cluster attach: {key} needs a value")
                value = rest.pop(0)
            if value not in options[key]:
                raise MagicArgumentError(
                    f"%hotswap cluster attach: {key} is one of {', '.join(options[key])}, "
                    f"not {value!r}"
                )
            chosen[key] = value
        elif word.startswith("-"):
            raise MagicArgumentError(
                f"%hotswap cluster attach: unknown option {word} (usage: {CLUSTER_USAGE})"
            )
        else:
            names.append(word)
    if len(names) != 1 or not names[0].isidentifier():
        raise MagicArgumentError(
            f"%hotswap cluster attach: expected the name of a Client (usage: {CLUSTER_USAGE})"
        )
    return ClusterArgs(
        "attach", names[0], chosen.get("--mode", "auto"), chosen.get("--on-failure", "report")
    )
