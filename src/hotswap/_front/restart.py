"""``@hotswap.restartable``: a call that is running when its function is edited switches to the
new code at its next loop back-edge.

Each call runs code compiled by ``_front.resume`` from the function's source (its loops marked, so
that a back-edge can be located and a ``for`` loop's iterator is a local). After a reload that
changed a function while a call of it runs (``_engine.frames.reloaded`` calls :func:`_stale`), the
``sys.monitoring`` JUMP event is turned on for that call's code object only
(``set_local_events``): no other code pays anything, and the event goes off again right after
the switch. At a back-edge of the running call, the callback builds the resume function (the
rest of the new function from the corresponding loop, see ``_front.resume``) and raises a private
exception: it unwinds the frame (``finally`` blocks and ``__exit__`` run, as for any exception)
to the decorator's wrapper, which prints one line and calls the resume function with the
frame's locals. When no resume can be built (the loop is gone, the source does not compile),
the call keeps its old code, as an undecorated one does.

Python 3.11 has no ``sys.monitoring``: there (and for generators, coroutines and closures,
whose frames cannot be re-entered this way) the decorator returns the function unchanged after
one warning, so a running call keeps its code until it returns.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import threading
import types
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from hotswap._engine import frames as _frames
from hotswap._errors import HotswapWarning
from hotswap._front.render import DIM, YELLOW, note
from hotswap._front.resume import (
    ITER,
    Plan,
    Resume,
    build,
    compile_def,
    function_source,
    loops_of,
    marked,
    plan_of,
)

F = TypeVar("F", bound=Callable[..., Any])
_SAID_311 = [False]
_LOCK = threading.RLock()
_CALLS: dict[int, _Call] = {}  # id(wrapper frame) -> the call it runs
TOOL: list[int] = []  # the sys.monitoring tool id, once taken
_WATCHED: dict[types.CodeType, int] = {}  # code with events on -> calls switching it
MONITORING: Any = getattr(sys, "monitoring", None)  # (3.12+; mypy checks as 3.11)
TOPLEVEL: dict[types.CodeType, Any] = {}  # a script's module code -> its ScriptLoops


class _Restart(BaseException):
    """Unwinds a switching frame to its wrapper (a BaseException: ``except Exception`` in the
    user's code does not stop it)."""

    def __init__(self, resume: Any) -> None:
        super().__init__()
        self.resume = resume


class _Call:
    __slots__ = ("armed", "base", "function", "parent", "plan", "switching", "thread")

    def __init__(self, function: _Function, parent: types.FrameType, plan: Plan) -> None:
        self.function = function
        self.parent = parent
        self.plan = plan
        self.base = function.func.__code__
        self.switching = False
        self.armed: tuple[int, Resume] | None = None  # (offset, resume): raise there
        self.thread = threading.get_ident()


class _Function:
    """One restartable function: its plans (marked code), by the code they were made from."""

    def __init__(self, func: types.FunctionType) -> None:
        self.func = func
        self._plans: dict[types.CodeType, Plan | None] = {}

    def plan(self) -> Plan | None:
        code = self.func.__code__
        if code not in self._plans:
            self._plans.clear()  # one version at a time: nothing grows per reload
            self._plans[code] = _plan(code)
        return self._plans[code]


def _plan(code: types.CodeType) -> Plan | None:
    found = function_source(code)
    if found is None:
        return None
    node, where = found
    loops = loops_of(node.body)
    if not loops:
        return None
    run = compile_def(marked(node, loops), where, code)
    if run is None:
        return None
    _frames.BASES[run] = code
    return plan_of(run, loops)


def restartable(func: F) -> F:
    """Decorate a function whose running call should follow edits of its own loops.

    When a save changes the function while a call of it runs, that call switches to the new
    code at its next loop back-edge: statements before the loop do not run again, locals whose
    names survive keep their values, a ``for`` loop goes on with its next item, and ``try``/
    ``with`` blocks being left run their ``finally``/``__exit__``. One line says so::

        hotswap: restarted main() at line 12 with 3 locals kept

    Python 3.12 and later; on 3.11, and for generators, coroutines and closures, the function
    is returned as it is (after one warning): a running call keeps its code until it returns.
    """
    if sys.version_info < (3, 12):
        if not _SAID_311[0]:
            _SAID_311[0] = True
            warnings.warn(
                "hotswap.restartable needs Python 3.12 (sys.monitoring): a running call keeps "
                "its code until it returns; the next call runs the new code",
                HotswapWarning,
                stacklevel=2,
            )
        return func
    why = _unsupported(func)
    if why is not None:
        name = getattr(func, "__qualname__", repr(func))
        warnings.warn(
            f"hotswap.restartable: {name} is {why}; a running call keeps its code until it "
            "returns; the next call runs the new code",
            HotswapWarning,
            stacklevel=2,
        )
        return func
    assert isinstance(func, types.FunctionType)
    function = _Function(func)
    _listen()

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        plan = function.plan()
        if plan is None:
            return func(*args, **kwargs)
        run = types.FunctionType(plan.code, func.__globals__, func.__name__, func.__defaults__)
        run.__kwdefaults__ = func.__kwdefaults__
        parent = sys._getframe()
        call = _Call(function, parent, plan)
        key = id(parent)
        _CALLS[key] = call
        try:
            try:
                return run(*args, **kwargs)
            except _Restart as restart:
                resume = restart.resume
                restart.__traceback__ = None
            while True:
                _switched(call, resume)
                try:
                    return resume.function(resume.state)
                except _Restart as restart:
                    resume = restart.resume
                    restart.__traceback__ = None
        finally:
            del _CALLS[key]
            if call.switching:
                _settle(call)

    return wrapper  # type: ignore[return-value]


def _unsupported(func: Any) -> str | None:
    if not isinstance(func, types.FunctionType):
        return "not a plain function"
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        return "a generator"
    if inspect.iscoroutinefunction(func):
        return "a coroutine"
    if func.__code__.co_freevars:
        return "a closure"
    return None


def _switched(call: _Call, resume: Resume) -> None:
    """The frame was left at a back-edge: the call goes on in ``resume``; say it once."""
    _settle(call)
    call.plan = resume.plan
    call.base = resume.base
    _frames.BASES[resume.plan.code] = call.base
    kept = f"{resume.kept} local{'' if resume.kept == 1 else 's'} kept"
    note([f"hotswap: restarted {call.function.func.__name__}() at line {resume.line} with {kept}"],
         DIM)
    # A save made while the resume was built: switch again at the next back-edge.
    if call.base is not call.function.func.__code__:
        _stale([])


def _settle(call: _Call) -> None:
    """``call`` no longer switches: its code's events go off when no other call needs them."""
    with _LOCK:
        call.switching = False
        call.armed = None
        code = call.plan.code
        left = _WATCHED.get(code, 0) - 1
        if left > 0:
            _WATCHED[code] = left
            return
        _WATCHED.pop(code, None)
        _frames.SWITCHING.discard(code)
        if TOOL:
            MONITORING.set_local_events(TOOL[0], code, 0)


# -- after a reload: turn the events on for stale calls ----------------------------------------


def _listen() -> None:
    if _stale not in _frames.LISTENERS:
        _frames.LISTENERS.append(_stale)


def _stale(modules: list[str]) -> None:
    """A reload ran (any thread): calls whose function changed switch at their next back-edge."""
    with _LOCK:
        for call in list(_CALLS.values()):
            now = call.function.func.__code__
            if call.switching or now is call.base:
                continue
            if _moved_only(now, call.base):
                call.base = now
                _frames.BASES[call.plan.code] = now
                continue
            if not _tool():
                return
            call.switching = True
            code = call.plan.code
            _WATCHED[code] = _WATCHED.get(code, 0) + 1
            _frames.SWITCHING.add(code)
            MONITORING.set_local_events(TOOL[0], code, MONITORING.events.JUMP)


def _moved_only(a: types.CodeType, b: types.CodeType) -> bool:
    """Same code but for line numbers (an edit above the function moved it)."""
    return (a.co_code, a.co_consts, a.co_names, a.co_varnames) == (
        b.co_code,
        b.co_consts,
        b.co_names,
        b.co_varnames,
    )


def _tool() -> bool:
    if TOOL:
        return True
    monitoring = MONITORING
    for tool in (4, 3):
        if monitoring.get_tool(tool) is None:
            monitoring.use_tool_id(tool, "hotswap")
            monitoring.register_callback(tool, monitoring.events.JUMP, _on_jump)
            monitoring.register_callback(tool, monitoring.events.INSTRUCTION, _on_instruction)
            TOOL.append(tool)
            return True
    return False


# -- at a back-edge -----------------------------------------------------------------------------


def _on_jump(code: types.CodeType, source: int, target: int) -> Any:
    """JUMP event of a switching code object: at a loop's back-edge in a switching call, leave
    the frame for the new code (raising), when the new code has that loop."""
    frame = sys._getframe(1)
    script = TOPLEVEL.get(code)
    if script is not None:
        return script.jump(code, source, target, frame)
    if target >= source:
        return MONITORING.DISABLE  # a forward jump is never a switch point
    call = _CALLS.get(id(frame.f_back))
    if call is None or not call.switching or call.parent is not frame.f_back:
        return None
    plan = call.plan
    if plan.code is not code:
        return None
    edge = plan.back_edge(source, target)
    if edge is None:
        return MONITORING.DISABLE  # a comprehension's: never a switch point
    resume = _resume(call, edge[0], edge[1], frame)
    if resume is None:
        _settle(call)  # the old code goes on, as for an undecorated function
        line = call.plan.loops[edge[0]].lineno
        note(
            [
                f"hotswap: {call.function.func.__qualname__}() keeps its old code until it "
                f"returns: the new code has no loop to go on with for the one at line {line}"
            ],
            YELLOW,
        )
        return None
    # CPython does not run the frame's handlers (``finally``, ``__exit__``, ``except``) for an
    # exception raised by a JUMP callback: it is raised at the next instruction instead, the
    # target of the jump, from an INSTRUCTION callback, for which it does.
    call.armed = (target, resume)
    events = MONITORING.events
    MONITORING.set_local_events(TOOL[0], code, events.JUMP | events.INSTRUCTION)
    return None


def _on_instruction(code: types.CodeType, offset: int) -> Any:
    """INSTRUCTION event of a switching code object: raise at the armed back-edge's target."""
    frame = sys._getframe(1)
    script = TOPLEVEL.get(code)
    if script is not None:
        return script.instruction(code, offset, frame)
    call = _CALLS.get(id(frame.f_back))
    if call is None or call.armed is None or call.parent is not frame.f_back:
        return None
    target, resume = call.armed
    if offset != target or call.plan.code is not code:
        return None
    call.armed = None
    raise _Restart(resume)


def _resume(call: _Call, ordinal: int, test_first: bool, frame: types.FrameType) -> Resume | None:
    func = call.function.func
    now = func.__code__
    found = function_source(now)
    if found is None:
        return None
    node, where = found
    new_loops = loops_of(node.body)
    old_chain = _chain(call.plan.loops, ordinal)
    if ordinal >= len(new_loops):
        return None
    new_chain = _chain(new_loops, ordinal)
    kinds = [type(call.plan.loops[i]) for i in old_chain]
    if kinds != [type(new_loops[i]) for i in new_chain]:
        return None
    values = {k: v for k, v in frame.f_locals.items() if not k.startswith("_hotswap_")}
    for old, new in zip(old_chain, new_chain, strict=True):
        if isinstance(new_loops[new], ast.For):
            iterator = frame.f_locals.get(f"{ITER}{old}")
            if iterator is None:
                return None  # (a loop of code not marked here)
            values[f"{ITER}{new}"] = iterator
    return build(node, where, now, func.__globals__, ordinal, test_first, values)


def _chain(loops: list[Any], ordinal: int) -> list[int]:
    """Ordinals of the loops enclosing loop ``ordinal`` (outermost first), then its own."""
    target = loops[ordinal]
    out = []
    for index, loop in enumerate(loops[:ordinal]):
        end = loop.end_lineno or loop.lineno
        if loop.lineno < target.lineno <= end and _contains(loop, target):
            out.append(index)
    return [*out, ordinal]


def _contains(outer: Any, inner: Any) -> bool:
    return any(node is inner for node in ast.walk(outer))
