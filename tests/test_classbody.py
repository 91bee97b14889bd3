"""Around class bodies: weak references to functions a reload had to replace (a signal
library's receivers) keep calling the new code, replacements do not pile up behind them, and
those that cannot be kept are counted in a warning; every function of a file that a save only
reformatted reports its own new lines."""

from __future__ import annotations

import gc
import importlib
import inspect
import traceback
import types
import weakref

import hotswap
from conftest import Workspace

LISTENER = """
class Base:
    def on_event(self, x):
        return "base"

class Listener(Base):
    def on_event(self, x):
        return ("{tag}", x{call})
"""


def _listener(tag: str, uses_super: bool) -> str:
    return LISTENER.format(tag=tag, call=", super().on_event(x)" if uses_super else "")


def test_a_weak_method_follows_a_method_replaced_twice_without_keeping_the_first_replacement(
    workspace: Workspace,
) -> None:
    """A ``WeakMethod`` to a method replaced twice (``super()`` added, then dropped) runs the
    newest code; the first replacement is not kept alive for it (two ``on_event`` functions
    live: the one the weak method holds, forwarding, and the class's)."""
    name = workspace.name()
    workspace.write(f"{name}.py", _listener("v1", False))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        obj = mod.Listener()
        ref = weakref.WeakMethod(obj.on_event)
        workspace.write(f"{name}.py", _listener("v2", True))
        assert r.check().ok
        assert ref()(1) == ("v2", 1, "base")  # type: ignore[misc]
        workspace.write(f"{name}.py", _listener("v3", False))
        report = r.check()
    assert report.ok and not report.warnings
    gc.collect()
    alive = [
        f
        for f in gc.get_objects()
        if isinstance(f, types.FunctionType)
        and f.__module__ == name
        and f.__qualname__ == "Listener.on_event"
    ]
    assert len(alive) == 2  # the one the weak method holds, and the class's
    assert ref()(2) == ("v3", 2)  # type: ignore[misc]
    assert obj.on_event(3) == ("v3", 3)


WRAPPED = """
class Deco:
    def __init__(self, func):
        self.__wrapped__ = func

    def __call__(self, *args):
        return self.__wrapped__(*args)

{decorator}
def produce():
    return [1]
"""


def test_weak_references_to_a_replaced_wrapper_object_are_counted_in_a_warning(
    workspace: Workspace,
) -> None:
    """A class-based decorator is removed: ``produce`` is a plain function now, and the two
    weak references to the decorator's object cannot follow it: the report warns with their
    count."""
    name = workspace.name()
    workspace.write(f"{name}.py", WRAPPED.format(decorator="@Deco"))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        refs = [weakref.ref(mod.produce), weakref.ref(mod.produce, lambda _ref: None)]
        workspace.write(f"{name}.py", WRAPPED.format(decorator=""))
        report = r.check()
    assert report.ok
    assert isinstance(mod.produce, types.FunctionType)
    messages = [w.message for w in report.warnings]
    assert messages == [
        "produce: 2 weak reference(s) to it cannot follow the new object"
        " (they die with the old one)"
    ]
    gc.collect()
    assert [ref() for ref in refs] == [None, None]


COMPACT = '''\
def boom(a, b):
    raise ValueError(a + b)


class K:
    def first(self):
        raise KeyError("first")
    def second(self, a, b):
        raise KeyError(a + b)
    def third(self):
        raise KeyError("third")
'''

REFORMATTED = '''\
def boom(
    a,
    b,
):
    raise ValueError(
        a + b
    )


class K:

    def third(self):
        raise KeyError("third")

    def first(self):
        raise KeyError("first")

    def second(
        self,
        a,
        b,
    ):
        raise KeyError(
            a
            + b
        )
'''


def _raising_line(func: object, *args: object) -> int:
    try:
        func(*args)  # type: ignore[operator]
    except Exception as exc:
        return traceback.extract_tb(exc.__traceback__)[-1].lineno or 0
    raise AssertionError("did not raise")


def test_each_function_of_a_reformatted_file_reports_its_own_lines(workspace: Workspace) -> None:
    """A save that only re-wraps (black style), adds blank lines and moves a method up runs
    nothing; each function's traceback line and ``inspect.getsourcelines`` are those of the
    new file, functions held before the save included."""
    name = workspace.name()
    workspace.write(f"{name}.py", COMPACT)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        obj = mod.K()
        held = {"first": obj.first, "second": obj.second, "third": obj.third}
        workspace.write(f"{name}.py", REFORMATTED)
        report = r.check()
    assert report.ok and not report.changes
    assert _raising_line(mod.boom, "x", "y") == 5
    assert inspect.getsourcelines(mod.boom)[1] == 1
    assert _raising_line(held["third"]) == 13
    assert _raising_line(held["first"]) == 16
    assert _raising_line(held["second"], "x", "y") == 23
    expected = {"third": 12, "first": 15, "second": 18}
    for method, line in expected.items():
        lines, start = inspect.getsourcelines(getattr(mod.K, method))
        assert start == line
        assert lines[0].strip().startswith(f"def {method}(")
    frame = traceback.extract_tb(_exc(held["second"], "x", "y").__traceback__)[-1]
    assert frame.line == "raise KeyError("


def _exc(func: object, *args: object) -> BaseException:
    try:
        func(*args)  # type: ignore[operator]
    except Exception as exc:
        return exc
    raise AssertionError("did not raise")
