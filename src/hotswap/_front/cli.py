"""The command line: ``python -m hotswap <command>`` (also installed as the ``hotswap`` script).

Every subcommand is one :class:`_Command` in ``_COMMANDS``: its name, the one-line summary that
``--help`` lists, examples, a function that adds its own arguments and a handler that returns
the exit code. ``run`` (``python -m hotswap run script.py`` and ``run -m pkg.mod``) runs a program
with a file watcher applying reloads (:mod:`hotswap._front.runner`, :mod:`hotswap._front.watch`).

The top-level parser takes only options and an *optional* subcommand. ``python -m hotswap``
alone starts the interpreter's own REPL with hotswap on, and ``python -m hotswap -i script.py
[args]`` runs a script first, as ``python -i`` does (:mod:`hotswap._front.repl`). ``-i`` takes
the rest of the command line, so it never collides with a subcommand name.

:func:`main` returns the exit code rather than raising ``SystemExit``: argparse raises it for
``--help``, ``--version`` and bad arguments (code 2, message on stderr), and ``main`` turns that
into a return value, so tests and embedding code call ``main([...])`` directly. An exception
that ends a program started by ``run`` propagates, as it would out of plain ``python``.
"""

from __future__ import annotations

import argparse
import os
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
    more_examples: tuple[str, ...] = ()  # further examples for the command's own --help
    usage: str | None = None  # the command's own usage line(s), if argparse's would mislead


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    # The demo takes no arguments: it is a fixed script whose claims are checked as it runs.
    del parser


def _run_demo(args: argparse.Namespace) -> int:
    del args
    # Imported here so that ``--help`` and ``--version`` do not pay for the demo's imports.
    from hotswap._front.demo import run

    return run()


def _configure_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll",
        action="store_true",
        default=None,
        help="poll the files instead of waiting for file system events (for network, WSL and "
        "container mounts where events do not arrive; also HOTSWAP_POLL=1)",
    )
    parser.add_argument(
        "--at-checkpoint",
        action="store_true",
        help="apply changes only when the program calls hotswap.checkpoint()",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only failures and warnings"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every changed object")
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATTERN",
        help="reload only these modules: a name (covers its submodules) or a glob such as "
        "'app.*' (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="never reload these modules (repeatable)",
    )
    parser.add_argument(
        "-m",
        dest="module",
        nargs=argparse.REMAINDER,
        metavar="module",
        help="run a module as `python -m` does; the rest of the line are its arguments",
    )
    parser.add_argument(
        "script",
        nargs=argparse.REMAINDER,
        metavar="script.py [args]",
        help="the script to run; the rest of the line are its arguments",
    )


def _run_run(args: argparse.Namespace) -> int:
    # Imported here so that ``--help`` and ``--version`` stay cheap.
    from hotswap._front.program import Program
    from hotswap._front.runner import RunOptions, run_program

    module: list[str] | None = args.module
    script: list[str] = args.script
    if module is not None:
        if not module:
            args.parser.error("argument -m: expected a module name")
        program = Program(module[0], module[1:], is_module=True)
    elif script:
        program = Program(script[0], script[1:])
    else:
        args.parser.error("give a script to run, or -m module")
    options = RunOptions(
        poll=args.poll,
        at_checkpoint=args.at_checkpoint,
        quiet=args.quiet,
        verbose=args.verbose,
        include=list(args.include),
        exclude=list(args.exclude),
    )
    return run_program(program, options)


_COMMANDS: tuple[_Command, ...] = (
    _Command(
        name="demo",
        summary="edit a small package step by step; a live session follows each save",
        example="demo",
        configure=_configure_demo,
        handler=_run_demo,
    ),
    _Command(
        name="run",
        summary="run a script or module (-m) and reload it as you edit",
        example="run app.py --port 8000",
        configure=_configure_run,
        handler=_run_run,
        more_examples=(
            "run -m mypkg.server --debug",
            "run --poll --exclude 'mypkg.migrations.*' app.py",
            "run --at-checkpoint worker.py    # worker.py calls hotswap.checkpoint()",
        ),
        usage="%(prog)s [options] script.py [args ...]\n       %(prog)s [options] -m module "
        "[args ...]",
    ),
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
    examples = [f"{prog}                    # the Python REPL, with hotswap on"]
    examples.append(f"{prog} -i script.py        # run the script, then that REPL")
    examples += [f"{prog} {command.example}" for command in _COMMANDS]
    examples.append(f"{prog} --version")
    lines = ["examples:"]
    lines += [f"  {line}" for line in examples]
    lines += [
        "",
        "in your own code:",
        "  r = hotswap.Reloader(namespace=globals())   # once",
        "  r.check()                                   # at every checkpoint",
        "  hotswap.install()                           # in a running python REPL",
        "  with hotswap.watch(): serve()               # a program that reloads itself",
    ]
    return "\n".join(lines)


def build_parser(prog: str = "hotswap") -> argparse.ArgumentParser:
    """The full parser: top-level options plus one subparser per entry of ``_COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [-h] [--version] [-i script.py [args]] [<command> [<args>]]",
        description=_description(),
        epilog=_epilog(prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument(
        "-i",
        dest="inspect",
        nargs=argparse.REMAINDER,
        metavar="script.py",
        help="run the script (or -m module) with its arguments, then start the REPL",
    )
    subparsers = parser.add_subparsers(
        dest="command",
        metavar="<command>",
        # Listed in the description instead: one line per command, unwrapped, no "<command>" row.
        help=argparse.SUPPRESS,
        required=False,  # no command is a valid call: the REPL
    )
    for command in _COMMANDS:
        examples = [command.example, *command.more_examples]
        heading = "example:" if len(examples) == 1 else "examples:"
        sub = subparsers.add_parser(
            command.name,
            # Explicit: argparse would otherwise build it from the parent's custom usage line.
            prog=f"{prog} {command.name}",
            usage=command.usage,
            description=command.summary[:1].upper() + command.summary[1:] + ".",
            epilog=heading + "".join(f"\n  {prog} {line}" for line in examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.configure(sub)
        sub.set_defaults(handler=command.handler, parser=sub)
    return parser


def _no_command(
    parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str] | None
) -> int:
    """``python -m hotswap`` alone, or with ``-i script.py``: the REPL with hotswap on."""
    from hotswap._front.program import Program
    from hotswap._front.repl import interact

    program = None
    rest: list[str] | None = args.inspect
    if rest:
        if rest[0] == "-m":
            if len(rest) < 2:
                parser.error("argument -i: -m needs a module name")
            program = Program(rest[1], rest[2:], is_module=True)
        else:
            program = Program(rest[0], rest[1:])
    return interact(program, argv)


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
    prog = prog or "hotswap"
    parser = build_parser(prog)
    hint = _script_hint(prog, sys.argv[1:] if argv is None else argv)
    if hint is not None:
        sys.stderr.write(hint)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return _exit_code(stop.code)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return _no_command(parser, args, argv)
        return handler(args)
    except SystemExit as stop:  # parser.error() in a handler: the message is printed
        return _exit_code(stop.code)
    except BrokenPipeError:
        # The reader of our output went away (``hotswap demo | head``). Python would print a
        # traceback, and again at exit when it flushes stdout; point stdout at /dev/null first,
        # as the ``signal`` module's documentation advises, and end quietly.
        _silence_stdout()
        return 1


def _script_hint(prog: str, argv: Sequence[str]) -> str | None:
    """The message for ``hotswap script.py``: a script where a command was expected."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    if first is None or argv[0] != first or first in {c.name for c in _COMMANDS}:
        return None
    if not (first.endswith(".py") or os.path.isfile(first)):
        return None
    rest = " ".join(argv)
    return (
        f"{prog}: '{first}' is not a command; to run it with reloading: {prog} run {rest}\n"
        f"  (or {prog} -i {rest} to run it and then get a REPL)\n"
    )


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing will be flushed to a pipe
