"""Top-level ``while`` loops of a script under ``hotswap run`` switch to their new body.

The runner reloads the script with definitions only: its top level *is* the program and never
runs twice. A top-level loop (``while True: ...``) would so keep its old body forever. When a
save of the script changes the loop that is running, :class:`ScriptLoops` turns on the
``sys.monitoring`` JUMP event for the running module code only; at the loop's next back-edge it
leaves the module frame (raising at the jump's target, see ``_front.restart``) and the runner goes
on with module code compiled from the new text: the rest of the script from that loop on
(:func:`build_module`), in the same globals, which are all the script's state. Statements
before the loop do not run again.

The module's loops are located by source positions (:class:`ModulePlan`), and its resume code
is built from the rest of the script as a ``@restartable`` function's is (``_front.resume``'s
:func:`~hotswap._front.resume.rest_of`).
"""

from __future__ import annotations

import ast
import dis
import sys
import threading
import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._engine import frames as _frames
from hotswap._front import restart as _restart
from hotswap._front.render import DIM, note
from hotswap._front.resume import FUTURE_FLAGS, Plan, loops_of, path_to, rest_of, tagged_copy


class ScriptLoops:
    """Switches the running top-level loop of ``module`` (3.12+; see the module docstring)."""

    def __init__(self, module: types.ModuleType, text: str, code: types.CodeType) -> None:
        self.module = module
        self.text = text  # the source the running code was compiled from
        self.plan: ModulePlan = module_plan(code, ast.parse(text))
        self.thread = threading.get_ident()
        self.pending: str | None = None  # a newer text to switch to at the next back-edge
        self.armed: tuple[int, types.CodeType, str] | None = None
        self._line = 0  # the line of the loop the armed switch goes to
        _frames.LISTENERS.append(self.reloaded)

    def close(self) -> None:
        if self.reloaded in _frames.LISTENERS:
            _frames.LISTENERS.remove(self.reloaded)
        self._quiet()

    def execute(self, code: types.CodeType) -> None:
        """Run the script's code, going on in the new code after each switch."""
        while True:
            try:
                exec(code, self.module.__dict__)
                return
            except _restart._Restart as restart:
                restart.__traceback__ = None
                assert isinstance(restart.resume, tuple)
                code, line = restart.resume
                note([f"hotswap: restarted the top-level loop at line {line}"], DIM)

    # -- after a reload (the watcher's thread) ---------------------------------------------------

    def reloaded(self, modules: list[str]) -> None:
        if "__main__" not in modules:
            return
        from hotswap._detect.tracker import TRACKER

        record = TRACKER.records.get("__main__")
        text = record.text if record is not None else None
        if text is None or text == self.text or not _restart._tool():
            return
        self.pending = text
        _restart.TOPLEVEL[self.plan.code] = self
        _restart.MONITORING.set_local_events(
            _restart.TOOL[0], self.plan.code, _restart.MONITORING.events.JUMP
        )

    def _quiet(self) -> None:
        code = self.plan.code
        if _restart.TOPLEVEL.pop(code, None) is not None:
            _restart.MONITORING.set_local_events(_restart.TOOL[0], code, 0)
        self.pending = self.armed = None

    # -- in the running thread -----------------------------------------------------------------

    def jump(self, code: types.CodeType, source: int, target: int, frame: Any) -> Any:
        if target >= source:
            return _restart.MONITORING.DISABLE
        if (
            self.pending is None
            or code is not self.plan.code
            or frame.f_globals is not self.module.__dict__
            or threading.get_ident() != self.thread
        ):
            return None
        edge = self.plan.back_edge(source, target)
        if edge is None:
            return _restart.MONITORING.DISABLE  # a ``for`` loop's: it does not switch
        made = self._resume(edge[0], edge[1], self.pending)
        if made is None:
            self._quiet()  # the loop goes on in its old code
            return None
        self.armed = (target, *made)
        events = _restart.MONITORING.events
        _restart.MONITORING.set_local_events(
            _restart.TOOL[0], code, events.JUMP | events.INSTRUCTION
        )
        return None

    def instruction(self, code: types.CodeType, offset: int, frame: Any) -> Any:
        if self.armed is None or offset != self.armed[0] or code is not self.plan.code:
            return None
        if frame.f_globals is not self.module.__dict__:
            return None
        _, new_code, text = self.armed
        self._quiet()
        line = self._line
        self.text, self.plan = text, module_plan(new_code, ast.parse(text))
        raise _restart._Restart((new_code, line))

    def _resume(
        self, ordinal: int, test_first: bool, text: str
    ) -> tuple[types.CodeType, str] | None:
        try:
            old, new = ast.parse(self.text), ast.parse(text)
        except SyntaxError:
            return None
        old_loops, new_loops = loops_of(old.body), loops_of(new.body)
        if ordinal >= len(new_loops) or type(old_loops[ordinal]) is not type(new_loops[ordinal]):
            return None
        if ast.dump(old_loops[ordinal]) == ast.dump(new_loops[ordinal]):
            return None  # this loop did not change: it goes on
        built = build_module(
            new, ordinal, test_first, self.plan.code.co_filename, self.plan.code.co_flags
        )
        if built is None:
            return None
        self._line = new_loops[ordinal].lineno
        return built[0], text


def script_loops(module: types.ModuleType, text: str | None, code: Any) -> ScriptLoops | None:
    """A switcher for the script's top-level loops (None before 3.12, or without source)."""
    if sys.version_info < (3, 12) or text is None or not isinstance(code, types.CodeType):
        return None
    try:
        return ScriptLoops(module, text, code)
    except SyntaxError:
        return None


# -- the loops of module code and the code that resumes it -------------------------------------


@dataclass
class ModulePlan(Plan):
    """The loops of a module's code, located by source positions: markers there would be the
    module's globals. Only ``while`` loops switch (a ``for`` loop's iterator is on the value
    stack, out of reach); ``starts`` are the offsets where a loop's condition begins."""

    starts: dict[int, set[int]] = field(default_factory=dict)

    def back_edge(self, source: int, target: int) -> tuple[int, bool] | None:
        if target in self.heads:
            return None  # a ``for`` loop's or a comprehension's
        lines = self.lines.get(source), self.lines.get(target)
        best: int | None = None
        for ordinal, node in enumerate(self.loops):
            end = node.end_lineno or node.lineno
            if isinstance(node, ast.While) and all(
                n is not None and node.lineno <= n <= end for n in lines
            ) and (best is None or node.lineno >= self.loops[best].lineno):
                best = ordinal  # the innermost loop holding both ends of the jump
        if best is None:
            return None
        return best, target in self.starts.get(best, ())


def module_plan(code: types.CodeType, tree: ast.Module) -> ModulePlan:
    loops = loops_of(tree.body)
    plan = ModulePlan(code, loops)
    tests = [(k, n.test) for k, n in enumerate(loops) if isinstance(n, ast.While)]
    inside: int | None = None
    for ins in dis.get_instructions(code):
        where = ins.positions
        if where is None or where.lineno is None:
            inside = None
            continue
        plan.lines[ins.offset] = where.lineno
        if ins.opname == "FOR_ITER":
            plan.heads.add(ins.offset)
        now = next((k for k, test in tests if _within(where, test)), None)
        if now is not None and now != inside:
            plan.starts.setdefault(now, set()).add(ins.offset)
        inside = now
    return plan


def _within(where: Any, node: ast.expr) -> bool:
    if where.col_offset is None or where.end_lineno is None or where.end_col_offset is None:
        return False
    return (where.lineno, where.col_offset) >= (node.lineno, node.col_offset) and (
        where.end_lineno,
        where.end_col_offset,
    ) <= (node.end_lineno or node.lineno, node.end_col_offset or 0)


def build_module(
    tree: ast.Module, ordinal: int, test_first: bool, filename: str, flags: int
) -> tuple[types.CodeType, ModulePlan] | None:
    """Module code running the rest of ``tree`` from its loop ``ordinal`` (enclosed by
    ``while`` loops only), and its plan; None when there is none."""
    loops = loops_of(tree.body)
    if ordinal >= len(loops):
        return None
    work = tagged_copy(tree, loops)
    target = loops_of(work.body)[ordinal]
    path = path_to(work.body, target)
    if path is None or any(isinstance(b[i], ast.For) for b, i in path):
        return None
    rest = rest_of(path, 0, test_first)
    if rest is None:
        return None
    module = ast.Module(body=rest, type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        code = compile(module, filename, "exec", flags=flags & FUTURE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError, TypeError):
        return None
    return code, module_plan(code, work)
