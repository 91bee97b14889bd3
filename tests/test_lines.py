"""Line numbers: tracebacks and ``inspect`` follow the file after every edit."""

from __future__ import annotations

import importlib
import inspect
import linecache
import traceback

import hotswap
from conftest import Workspace

SOURCE = '''\
def helper():
    return 1


def boom():
    x = 1
    raise ValueError(x)


class K:
    def method(self):
        raise KeyError("k")
'''


def _raising_line(func: object) -> int:
    try:
        func()  # type: ignore[operator]
    except Exception as exc:
        return traceback.extract_tb(exc.__traceback__)[-1].lineno or 0
    raise AssertionError("did not raise")


def test_unchanged_functions_below_an_insertion_report_their_new_lines(
    workspace: Workspace,
) -> None:
    """Three lines added above ``boom`` move its traceback line by three; it is not re-run."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        boom, method = mod.boom, mod.K().method
        assert _raising_line(boom) == 7
        longer = "    a = 1\n    b = 2\n    c = 3\n    return a\n"
        workspace.write(f"{name}.py", SOURCE.replace("    return 1\n", longer))
        report = r.check()
    assert report.ok
    assert _raising_line(boom) == 10
    assert _raising_line(method) == 15
    assert inspect.getsourcelines(mod.boom)[1] == 8
    assert inspect.getsource(mod.K).startswith("class K:")
    frame = traceback.extract_tb(_exc(boom).__traceback__)[-1]
    assert frame.line == "raise ValueError(x)"


def test_removed_lines_shift_functions_up(workspace: Workspace) -> None:
    """Deleting lines above a function moves its reported lines up."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", SOURCE.replace("def helper():\n    return 1\n\n\n", ""))
        assert r.check().ok
    assert _raising_line(mod.boom) == 3


def test_what_an_import_below_an_insertion_binds_keeps_its_own_lines(
    workspace: Workspace,
) -> None:
    """Lines added above ``from other import K, helper`` and a ``def`` below it: the ``def``
    moves, while ``K``'s method and ``helper`` still report the lines of ``other.py``, where
    they are (an import defines nothing in its own lines)."""
    other, name = workspace.name(), workspace.name()
    workspace.write(
        f"{other}.py",
        "class K:\n    def method(self):\n        raise KeyError('k')\n\n\n"
        "def helper():\n    raise ValueError(1)\n",
    )
    text = f"X = 1\nfrom {other} import K, helper\n\n\ndef boom():\n    raise ValueError(2)\n"
    workspace.write(f"{name}.py", text)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "Y = 0\n\n" + text)
        report = r.check()
    assert report.ok, report
    assert _raising_line(mod.boom) == 8
    assert _raising_line(mod.K().method) == 3
    assert _raising_line(mod.helper) == 7
    assert mod.K.method.__code__.co_filename.endswith(f"{other}.py")


def test_linecache_holds_the_executing_source_after_a_failed_edit(workspace: Workspace) -> None:
    """After a rejected edit, tracebacks still show the lines of the code that runs."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", SOURCE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "def boom(:\n")
        assert not r.check().ok
    assert linecache.getline(str(path), 7).strip() == "raise ValueError(x)"
    assert _raising_line(mod.boom) == 7


def _exc(func: object) -> BaseException:
    try:
        func()  # type: ignore[operator]
    except Exception as exc:
        return exc
    raise AssertionError("did not raise")


def test_linecache_holds_every_line_of_each_save(workspace: Workspace) -> None:
    """After each of a run of edits (lines added, removed, changed, a failed save between,
    a last line without a newline), the source lines tracebacks and ``inspect`` read are
    exactly the file's: the lines around an edit are reused from the previous entry, never
    stale."""
    name = workspace.name()
    base = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(30))
    path = workspace.write(f"{name}.py", base)
    saves = [
        base.replace("return x + 3\n", "y = x\n    return y + 3\n"),
        base.replace("return x + 3\n", "return x + 33\n"),
        base.replace("def f10(x):\n    return x + 10\n\n\n", ""),
        base + "raise RuntimeError('broken')\n",
        base.replace("return x + 29\n", "return x + 29"),
        "# top\n" + base,
        base,
    ]
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        for text in saves:
            workspace.write(f"{name}.py", text)
            report = r.check()
            if report.ok:
                expected = text.splitlines(keepends=True)
                expected[-1] = expected[-1] if expected[-1].endswith("\n") else expected[-1] + "\n"
                assert linecache.getlines(str(path)) == expected


MOVED = '''\
@deco(1, key=lambda v: v)
class C(Base, metaclass=M):
    """Doc."""

    x: int = 3
    y = [i for i in range(3) if i]

    @property
    def f(self, a=1, *b, c: "int" = 2, **d) -> None:  # type: ignore
        match a:
            case {"k": [1, *rest], **kw} | {"j": [*rest], **kw}:
                return f"{rest!r:>{a}}"
        async def g():
            async with x as y:
                await y
        try:
            pass
        except* ValueError:
            pass
        return (yield from b)
'''


def test_a_moved_tree_copy_is_what_deepcopy_then_increment_lineno_make() -> None:
    """A statement that only moved is compiled from a copy with its new lines: the one-pass
    copy has every position a deep copy moved by ``ast.increment_lineno`` has, and the
    shared tree it was copied from keeps its own."""
    import ast
    import copy

    from hotswap._engine.trees import moved_copy

    tree = ast.parse(MOVED)
    before = ast.dump(tree, include_attributes=True)
    for node in tree.body:
        expected = ast.increment_lineno(copy.deepcopy(node), 7)
        made = moved_copy(node, 7)
        positions = ast.dump(expected, include_attributes=True)
        assert ast.dump(made, include_attributes=True) == positions
        code = compile(ast.Module([made], []), "m.py", "exec")
        body = next(c for c in code.co_consts if getattr(c, "co_name", "") == "C")
        assert body.co_firstlineno == 1 + 7  # (a class starts at its first decorator)
    assert ast.dump(tree, include_attributes=True) == before
