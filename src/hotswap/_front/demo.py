"""``python -m hotswap demo``: a scripted session that edits a small package and shows the result.

The demo writes a package (``shop``) to a temporary directory, imports it into a session
namespace the way a user would (a from-import, a module, an instance holding data, an instance of
a subclass from another module, a callback list, a slow module-level table), then saves a series
of edits and calls ``Reloader.check()`` after each, printing the report and what every held
reference returns now.

The demo is also a check. Each :class:`Step` states what the references must return afterwards
and what the report must say; the demo compares, stops at the first step that did not behave as
shown and returns 1 with a message naming the claim, so ``make demo`` fails loudly when the engine
regresses. It uses only the public API, as any front-end would, and removes the directory, the
``sys.path`` entry and the imported modules when it ends.
"""

from __future__ import annotations

import difflib
import linecache
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import hotswap
from hotswap._front import render as _render
from hotswap._front.demoscript import FILE_NOTES, FILES, PACKAGE, REFERENCES, SESSION, STEPS, Step


class DemoFailure(Exception):
    """A step did not behave as the demo says it does."""


class _Terminal:
    """Writes the demo's lines; adds ANSI colour only on a tty and when NO_COLOR is unset."""

    _CODES = {"head": "1", "dim": "2", "good": "32", "bad": "31", "note": "36"}

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.colour = _render.wants_color(stream)

    def paint(self, text: str, style: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{self._CODES[style]}m{text}\x1b[0m"

    def line(self, text: str = "", style: str | None = None) -> None:
        self.stream.write((self.paint(text, style) if style else text) + "\n")
        self.stream.flush()

    def report(self, report: hotswap.Report) -> None:
        """A checkpoint's report, as every front-end shows it (``hotswap._front.render``)."""
        styled = _render.lines(report) or [("", str(report))]
        self.stream.write(_render.text([(s, "  " + t) for s, t in styled], self.colour) + "\n")
        self.stream.flush()


class _Session:
    """The package on disk, the session namespace and the Reloader that keeps them in step."""

    def __init__(self, root: Path, package: str, term: _Terminal) -> None:
        self.root = root
        self.package = package
        self.term = term
        self.namespace: dict[str, Any] = {"__name__": "__hotswap_demo__"}
        self.reloader = hotswap.Reloader(namespace=self.namespace)
        self._clock = time.time_ns()

    def path(self, name: str) -> Path:
        return self.root / self.package / name

    def shown(self, name: str) -> str:
        """The path as the user reads it: ``shop/pricing.py``."""
        return f"{self.package}/{name}"

    def write(self, name: str, text: str) -> None:
        path = self.path(name)
        path.write_text(text, encoding="utf-8")
        # Two saves within one filesystem tick can share an mtime: move it forward explicitly.
        self._clock = max(self._clock + 1_000_000_000, time.time_ns())
        os.utime(path, ns=(self._clock, self._clock))

    def run(self, statement: str) -> None:
        """Run one statement in the session, telling the Reloader about it as a front-end does."""
        source = statement.format(pkg=self.package)
        self.term.line("  >>> " + source, "dim")
        self.reloader.observe(source)
        exec(compile(source, "<demo session>", "exec"), self.namespace)

    def evaluate(self, expression: str) -> str:
        try:
            return repr(eval(expression, self.namespace))
        except Exception as exc:  # shown and compared like any other value
            return f"<raised {type(exc).__name__}: {exc}>"

    def module(self, suffix: str) -> Any:
        return sys.modules[f"{self.package}.{suffix}"]


def _show_edit(term: _Terminal, shown: str, old: str, new: str) -> None:
    """The edit as a terse diff: ``shop/pricing.py:21`` then ``-``/``+`` lines."""
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        term.line(f"  edit {shown}:{j1 + 1}", "note")
        for text in before[i1:i2]:
            term.line(f"    - {text}".rstrip(), "bad")
        for text in after[j1:j2]:
            term.line(f"    + {text}".rstrip(), "good")


def _show_references(
    term: _Terminal, session: _Session, previous: Mapping[str, str], notes: bool
) -> dict[str, str]:
    """Print ``expression -> value`` for every reference; return the values seen."""
    width = max(len(expr) for expr, _, _ in REFERENCES)
    seen: dict[str, str] = {}
    for expr, _, note in REFERENCES:
        value = seen[expr] = session.evaluate(expr)
        text = f"  {expr.ljust(width)}  -> {value}"
        if notes:
            term.line(f"{text.ljust(width + 14)}  {term.paint(note, 'dim')}")
        elif value != previous.get(expr, value):
            was = term.paint(f"(was {previous[expr]})", "good")
            term.line(f"{text.ljust(width + 14)}  {was}")
        else:
            term.line(text)
    return seen


def _check_values(seen: Mapping[str, str], expected: Mapping[str, str]) -> list[str]:
    return [
        f"{expr} returned {seen[expr]}, expected {want}"
        for expr, want in expected.items()
        if seen[expr] != want
    ]


def _check_identity(session: _Session, rates: object) -> list[str]:
    """Claims that hold after every step: same classes, same instances' types, same table."""
    ns, problems = session.namespace, []
    models, vip = session.module("models"), session.module("vip")
    pricing = session.module("pricing")
    if ns["Cart"] is not models.Cart or type(ns["cart"]) is not models.Cart:
        problems.append("Cart is no longer the class the session and its instances hold")
    if ns["VipCart"] is not vip.VipCart or type(ns["vip"]) is not vip.VipCart:
        problems.append("VipCart is no longer the class the session and its instances hold")
    if ns["hooks"][0] is not pricing.discount or ns["price"] is not pricing.price:
        problems.append("a reference held by the session no longer is the module's function")
    if pricing.RATES is not rates:
        problems.append("pricing.RATES was rebuilt: the slow table was loaded again")
    return problems


def _check_report(session: _Session, step: Step, report: hotswap.Report) -> list[str]:
    problems: list[str] = []
    failures = session.reloader.failures
    if step.rejected_line is None:
        if not report.ok:
            problems.append(f"the reload failed: {report}")
        if failures:
            problems.append(f"modules still wait for a fix: {sorted(failures)}")
        for suffix, qualname, action in step.changes:
            module = f"{session.package}.{suffix}"
            if module not in report.reloaded:
                problems.append(f"the report does not list {module} as reloaded")
            elif not any(
                (c.module, c.qualname, c.action) == (module, qualname, action)
                for c in report.changes
            ):
                problems.append(f"the report does not say {action} {qualname} in {module}")
        return problems
    # A rejected edit: the module failed, waits for a fix, and the error names file and line.
    edit = step.edits[0]
    module = f"{session.package}.{Path(edit.path).stem}"
    path = session.path(edit.path)
    line = path.read_text(encoding="utf-8").splitlines(keepends=True).index(step.rejected_line) + 1
    if report.ok or module not in report.failed:
        problems.append(f"the report does not say that {module} failed")
    if module not in failures:
        problems.append(f"Reloader.failures does not hold {module}")
    located = [e for e in report.errors if Path(e.path) == path and e.line == line]
    if not located:
        found = ", ".join(e.location() for e in report.errors) or "none"
        problems.append(f"no error points at {path}:{line} (errors at: {found})")
    elif f'File "{path}", line {line}' not in str(report):
        problems.append(f'str(report) does not show File "{path}", line {line}')
    return problems


def _run_step(
    term: _Terminal,
    session: _Session,
    number: int,
    total: int,
    step: Step,
    values: dict[str, str],
    rates: object,
) -> dict[str, str]:
    term.line()
    term.line(f"Step {number}/{total}. {step.title}", "head")
    for edit in step.edits:
        old = session.path(edit.path).read_text(encoding="utf-8")
        if old.count(edit.old) != 1:
            raise DemoFailure(f"the demo's own edit does not apply to {edit.path}: {edit.old!r}")
        new = old.replace(edit.old, edit.new)
        session.write(edit.path, new)
        _show_edit(term, session.shown(edit.path), old, new)
    term.line("  >>> r.check()", "dim")
    report = session.reloader.check()
    term.report(report)
    seen = _show_references(term, session, values, notes=False)
    problems = _check_report(session, step, report)
    problems += _check_values(seen, {**values, **step.expect})
    problems += _check_identity(session, rates)
    if problems:
        raise DemoFailure(
            f"step {number} ({step.title}) did not behave as shown:\n  " + "\n  ".join(problems)
        )
    term.line("  as shown", "good")
    return seen


@contextmanager
def _workspace(package: str) -> Iterator[Path]:
    """A temporary directory on ``sys.path``; afterwards every trace of the package is gone."""
    if any(name == package or name.startswith(package + ".") for name in sys.modules):
        raise DemoFailure(f"a module named {package!r} is already imported in this process")
    with tempfile.TemporaryDirectory(prefix="hotswap-demo-") as tmp:
        root = Path(tmp).resolve()
        sys.path.insert(0, str(root))
        try:
            yield root
        finally:
            sys.path.remove(str(root))
            for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
                del sys.modules[name]
            for filename in [f for f in linecache.cache if f.startswith(str(root))]:
                del linecache.cache[filename]


def _play(term: _Terminal, root: Path, package: str, steps: Sequence[Step]) -> None:
    term.line("hotswap demo: a live session kept in step with the files it imported", "head")
    term.line()
    term.line(f"Writing a small package to {root}{os.sep}{package}:")
    (root / package).mkdir()
    session = _Session(root, package, term)
    try:
        width = max(len(session.shown(name)) for name in FILES)
        for name, text in FILES.items():
            session.write(name, text)
            term.line(f"  {session.shown(name).ljust(width)}  {FILE_NOTES.get(name, '')}".rstrip())
        term.line()
        term.line("A session (a dict of globals, as in a REPL or IPython) imports it:")
        term.line("  >>> r = hotswap.Reloader(namespace=session)", "dim")
        for statement in SESSION:
            session.run(statement)
        term.line("  >>> r.check()", "dim")
        report = session.reloader.check()
        term.report(report)
        if report:
            raise DemoFailure(f"a checkpoint before any edit reported something: {report}")
        term.line()
        term.line("It holds references the way code does:")
        values = _show_references(term, session, {}, notes=True)
        initial = {expr: value for expr, value, _ in REFERENCES}
        problems = _check_values(values, initial)
        if problems:
            raise DemoFailure("the package does not behave as written:\n  " + "\n  ".join(problems))
        rates = session.module("pricing").RATES
        for number, step in enumerate(steps, 1):
            values = _run_step(term, session, number, len(steps), step, values, rates)
    finally:
        session.reloader.close()


def run(
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    steps: Sequence[Step] = STEPS,
    package: str = PACKAGE,
) -> int:
    """Play the demo on ``out`` (default stdout); return 0, or 1 after explaining on ``err``.

    ``steps`` and ``package`` exist for tests: a step with a wrong claim must make the demo fail,
    and a unique package name keeps an in-process run apart from other tests' modules.
    """
    term = _Terminal(out if out is not None else sys.stdout)
    err = err if err is not None else sys.stderr
    started = time.perf_counter()
    try:
        with _workspace(package) as root:
            _play(term, root, package, steps)
    except DemoFailure as failure:
        err.write(f"\nhotswap demo FAILED: {failure}\n")
        return 1
    except BrokenPipeError:
        raise  # the reader went away (``hotswap demo | head``): not a failure of the demo
    except Exception as exc:  # the engine raised: show where, and fail like a broken claim
        traceback.print_exc(file=err)
        err.write(f"\nhotswap demo FAILED: {type(exc).__name__} raised while the demo ran\n")
        return 1
    term.line()
    term.line(
        f"All {len(steps)} steps behaved as shown ({time.perf_counter() - started:.2f} s);"
        " the temporary directory is removed.",
        "good",
    )
    return 0
