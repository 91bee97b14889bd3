"""The command line: ``python -m hotswap <command>`` (also installed as the ``hotswap`` script).

Every subcommand is one :class:`_Command` in ``_COMMANDS``: its name, the one-line summary that
``--help`` lists, an example, a function that adds its own arguments and a handler that returns
the exit code. ``run`` (``python -m hotswap run script.py`` and ``run -m pkg.mod``) is meant to be
one more entry there; nothing else in this module needs to change for it.

The top-level parser takes only options (``--version``) and an *optional* subcommand. That keeps
room for the two planned forms that take no subcommand: ``python -m hotswap`` alone (a REPL, later;
for now it prints the help and exits 0, see :func:`_no_command`) and ``python -m hotswap -i
script.py`` (a top-level option, added beside ``--version``). Neither changes what an existing
command line means, because subcommand names and options never overlap.

:func:`main` returns the exit code rather than raising ``SystemExit``: argparse raises it for
``--help``, ``--version`` and bad arguments (code 2, message on stderr), and ``main`` turns that
into a return value, so tests and embedding code call ``main([...])`` directly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_DESCRIPTION = "Keep a live Python session in step with the source files you edit."


@dataclass(frozen=True)
class _Command:
    """One subcommand: what ``--help`` says about it and what runs it."""

    name: str
    summary: str  # one line, listed by ``--help``
    example: str  # the arguments of an example call, listed under "examples"
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    # The demo takes no arguments: it is a fixed script whose claims are checked as it runs.
    del parser


def _run_demo(args: argparse.Namespace) -> int:
    del args
    # Imported here so that ``--help`` and ``--version`` do not pay for the demo's imports.
    from hotswap._demo import run

    return run()


_COMMANDS: tuple[_Command, ...] = (
    _Command(
        name="demo",
        summary="edit a small package step by step; a live session follows each save",
        example="demo",
        configure=_configure_demo,
        handler=_run_demo,
    ),
    # `run` goes here: "run a script or module (-m) and reload it as you edit".
)


class _VersionAction(argparse.Action):
    """``--version``: print ``hotswap <version>`` and exit 0.

    Unlike argparse's own ``version`` action this reads ``hotswap.__version__`` only when the
    option is given, so building the parser does not touch the installed metadata.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("nargs", None)
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        import hotswap

        sys.stdout.write(f"hotswap {hotswap.__version__}\n")
        parser.exit(0)


def _description() -> str:
    width = max(len(command.name) for command in _COMMANDS)
    lines = [_DESCRIPTION, "", "commands:"]
    lines += [f"  {command.name.ljust(width)}  {command.summary}" for command in _COMMANDS]
    return "\n".join(lines)


def _epilog(prog: str) -> str:
    examples = [f"{prog} {command.example}" for command in _COMMANDS]
    examples.append(f"{prog} --version")
    lines = ["examples:"]
    lines += [f"  {line}" for line in examples]
    lines += [
        "",
        "in your own code:",
        "  r = hotswap.Reloader(namespace=globals())   # once",
        "  r.check()                                   # at every checkpoint",
    ]
    return "\n".join(lines)


def build_parser(prog: str = "hotswap") -> argparse.ArgumentParser:
    """The full parser: top-level options plus one subparser per entry of ``_COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [-h] [--version] [<command> [<args>]]",
        description=_description(),
        epilog=_epilog(prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    subparsers = parser.add_subparsers(
        dest="command",
        metavar="<command>",
        # Listed in the description instead: one line per command, unwrapped, no "<command>" row.
        help=argparse.SUPPRESS,
        required=False,  # no command is a valid call: help now, a REPL later
    )
    for command in _COMMANDS:
        sub = subparsers.add_parser(
            command.name,
            # Explicit: argparse would otherwise build it from the parent's custom usage line.
            prog=f"{prog} {command.name}",
            description=command.summary[:1].upper() + command.summary[1:] + ".",
            epilog=f"example:\n  {prog} {command.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.configure(sub)
        sub.set_defaults(handler=command.handler)
    return parser


def _no_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``python -m hotswap`` with no command: prints the help for now.

    This is where the interactive session will start (and where ``-i script.py`` will run the
    script first); ``args`` is passed so that those top-level options can be read here.
    """
    del args
    parser.print_help()
    return 0


def _exit_code(code: object) -> int:
    """The integer status that ``SystemExit(code)`` would give the process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1  # argparse never does this; a string code means "print it, exit 1"


def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return the exit code.

    Bad arguments return 2 after argparse has printed the usage and the reason on stderr.
    """
    parser = build_parser(prog or "hotswap")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return _exit_code(stop.code)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        return _no_command(parser, args)
    return handler(args)
