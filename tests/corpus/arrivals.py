"""What reaches the engine and what surrounds it: names that come back after a save removed
them, modules that entered ``sys.modules`` without the import hook, saves of several modules
where one is broken, and modules whose shape made the checkpoint itself trip.

- A name removed by one save and added back by a later one (a save seen half-written, a cut
  and paste between saves, ``git checkout`` to a branch and back) comes back *in place*: the
  function, class or method a session held before the removal runs the new code, and
  ``isinstance`` of instances made before it still holds.
- A module loaded by hand (``spec_from_file_location`` + ``exec_module``) is watched from the
  checkpoint after it appeared; the import hook never shows (``__spec__.loader`` stays the
  loader Python chose).
- ``a`` starts calling ``b.new()`` in the save that broke ``b``: ``a`` waits with ``b`` and
  both apply when ``b`` is fixed.
- ``check()`` never raises: a module whose ``__all__`` lists names its ``__getattr__`` serves.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

# -- 2. identity across remove-then-add -------------------------------------------------------

function_back = scenario(
    "function_removed_then_added_back_keeps_identity",
    """A save removes ``f`` (held by ``from m import f`` and in a callback list), a later save
    adds it back with a new body: the held references are the module's ``f`` again and run
    the new body.""",
    before={
        "m.py": """
            def f():
                return "v1"

            def g():
                return "g"
            """
    },
    setup='import m\nheld = getattr(m, "f", None)\nhooks = [held]',
    steps=[
        step(
            {
                "m.py": """
            def g():
                return "g"
            """
            },
            probes=["hasattr(m, 'f')", "m.g()"],
            says=["removed f"],
            doc="f is gone",
        ),
        step(
            {
                "m.py": """
            def f():
                return "v2"

            def g():
                return "g"
            """
            },
            probes=["m.f()", "held()", "hooks[0]()", "held is m.f"],
            expect={"held is m.f": True, "hooks[0] is m.f": True},
            says=["added f"],
            doc="f is back, in place",
        ),
    ],
)

class_back = scenario(
    "class_removed_then_added_back_keeps_instances",
    """A save removes class ``C`` (a checkout to a branch without it), a later save adds it back
    (the checkout back, with a changed method): instances made before the removal are
    instances of ``m.C`` again and run the new method; the held class is ``m.C``.""",
    before={
        "m.py": """
            class C:
                def who(self):
                    return "v1"

            def other():
                return 0
            """
    },
    setup='import m\nK = getattr(m, "C", None)\nobj = K() if K else None',
    steps=[
        step(
            {
                "m.py": """
            def other():
                return 0
            """
            },
            probes=["hasattr(m, 'C')"],
            says=["removed C"],
        ),
        step(
            {
                "m.py": """
            class C:
                def who(self):
                    return "v2"

            def other():
                return 0
            """
            },
            probes=["obj.who()", "isinstance(obj, m.C)", "K is m.C", "m.C().who()"],
            expect={"K is m.C": True, "type(obj) is m.C": True},
        ),
    ],
)

method_back = scenario(
    "method_removed_then_added_back_keeps_bound_methods",
    """A save removes method ``C.b`` (a half-written save), a later save adds it back: a
    bound method held from before the removal runs the new body, and it is the class's
    function again.""",
    before={
        "m.py": """
            class C:
                def a(self):
                    return "a"

                def b(self):
                    return "b1"
            """
    },
    setup='import m\nobj = m.C()\nbound = getattr(obj, "b", None)',
    steps=[
        step(
            {
                "m.py": """
            class C:
                def a(self):
                    return "a"
            """
            },
            probes=["hasattr(obj, 'b')", "obj.a()"],
        ),
        step(
            {
                "m.py": """
            class C:
                def a(self):
                    return "a"

                def b(self):
                    return "b2"
            """
            },
            probes=["obj.b()", "bound()", "bound.__func__ is m.C.b"],
            expect={"bound.__func__ is m.C.b": True},
        ),
    ],
)

checkout_back = scenario(
    "checkout_to_a_branch_and_back_keeps_every_definition",
    """``git checkout`` to a branch without a decorated function, an enum and a dataclass, then
    back with edits: what the session held (a ``functools.wraps`` wrapper, enum members, an
    old instance) is the module's again and sees the new code.""",
    before={
        "m.py": """
            import dataclasses, enum, functools

            def logged(fn):
                @functools.wraps(fn)
                def wrapper(*args):
                    return ("logged", fn(*args))
                return wrapper

            @logged
            def work(x):
                return x + 1

            class Color(enum.Enum):
                RED = 1
                BLUE = 2

                def label(self):
                    return self.name.lower()

            @dataclasses.dataclass
            class Point:
                x: int
                y: int = 0

                def norm(self):
                    return abs(self.x) + abs(self.y)

            def keep():
                return "kept"
            """
    },
    setup="""
import m
work = getattr(m, 'work', None)
Color = getattr(m, 'Color', None)
red = Color.RED if Color else None
p = m.Point(3, 4) if hasattr(m, 'Point') else None
""",
    steps=[
        step(
            {
                "m.py": """
            import dataclasses, enum, functools

            def keep():
                return "kept"
            """
            },
            probes=["hasattr(m, 'work')", "hasattr(m, 'Color')", "hasattr(m, 'Point')"],
            doc="the branch without them",
        ),
        step(
            {
                "m.py": """
            import dataclasses, enum, functools

            def logged(fn):
                @functools.wraps(fn)
                def wrapper(*args):
                    return ("logged", fn(*args))
                return wrapper

            @logged
            def work(x):
                return x + 2

            class Color(enum.Enum):
                RED = 1
                BLUE = 2

                def label(self):
                    return self.name.title()

            @dataclasses.dataclass
            class Point:
                x: int
                y: int = 0

                def norm(self):
                    return (self.x ** 2 + self.y ** 2) ** 0.5

            def keep():
                return "kept"
            """
            },
            probes=[
                "work(1)",
                "m.work(1)",
                "red.label()",
                "red is m.Color.RED",
                "isinstance(p, m.Point)",
                "p.norm()",
                "p",
            ],
            expect={"work is m.work": True, "Color is m.Color": True, "type(p) is m.Point": True},
            doc="back, with edits",
        ),
    ],
)

# -- 7. modules that entered sys.modules another way ----------------------------------------

LOAD_BY_HAND = """
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("plug", os.path.join(sys.path[0], "plug.py"))
plug = importlib.util.module_from_spec(spec)
sys.modules["plug"] = plug
spec.loader.exec_module(plug)
run = plug.run
import m
"""

loaded_by_hand = scenario(
    "module_loaded_by_hand_is_watched_from_the_next_checkpoint",
    """A plugin loaded with ``spec_from_file_location`` and ``exec_module`` (never through
    the import hook) is watched from the checkpoint after it appeared: an edit after that
    applies, and ``run`` held before runs the new body.""",
    before={
        "plug.py": """
            def run():
                return "v1"
            """,
        "m.py": """
            X = 1
            """,
    },
    setup=LOAD_BY_HAND,
    probes=["plug.run()", "run()", "m.X"],
    steps=[
        step(
            {
                "m.py": """
            X = 2
            """
            },
            reloaded=["m"],
            doc="a checkpoint (an unrelated save) after the plugin was loaded",
        ),
        step(
            {
                "plug.py": """
            def run():
                return "v2"
            """
            },
            expect={"run is plug.run": True},
            reloaded=["plug"],
            says=["patched run"],
        ),
    ],
)

OTHER_FINDER = """
import importlib.machinery, importlib.util, os, sys

class PluginLoader(importlib.machinery.SourceFileLoader):
    pass

class PluginFinder:
    def find_spec(self, name, path=None, target=None):
        if name != "plug":
            return None
        origin = os.path.join(sys.path[0], "plugins", "plug.py")
        return importlib.util.spec_from_file_location(
            name, origin, loader=PluginLoader(name, origin)
        )

# (the oracle runs this setup once per step in one process: one finder at a time)
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginFinder"]
sys.meta_path.append(PluginFinder())
import plug
run = plug.run
import m
"""

other_finder = scenario(
    "module_from_another_finders_loader_is_watched",
    """A finder of the program's own serves ``plug`` from a ``plugins`` directory with a
    ``SourceFileLoader`` subclass: the module keeps that loader, and is watched from the
    checkpoint after it was imported.""",
    before={
        "plugins/plug.py": """
            def run():
                return "v1"
            """,
        "m.py": """
            X = 1
            """,
    },
    setup=OTHER_FINDER,
    probes=["plug.run()", "run()", "type(plug.__spec__.loader).__name__", "m.X"],
    steps=[
        step({"m.py": "X = 2\n"}, reloaded=["m"], doc="a checkpoint after the import"),
        step(
            {
                "plugins/plug.py": """
            def run():
                return "v2"
            """
            },
            expect={"run is plug.run": True},
            reloaded=["plug"],
        ),
    ],
)

loader_unchanged = scenario(
    "import_hook_is_invisible_to_the_module",
    """Importing with hotswap on leaves ``__spec__.loader`` and ``__loader__`` as Python made
    them, already while the module runs: code that checks the loader's type sees the
    standard ``SourceFileLoader``.""",
    before={
        "m.py": """
            import importlib.machinery

            SEEN = type(__loader__).__name__, type(__spec__.loader).__name__

            def f():
                return 1
            """
    },
    setup="import m",
    probes=[
        "m.SEEN",
        "type(m.__loader__).__name__",
        "type(m.__spec__.loader).__name__",
        "m.__loader__ is m.__spec__.loader",
        "m.f()",
    ],
    steps=[
        step(
            {
                "m.py": """
            import importlib.machinery

            SEEN = type(__loader__).__name__, type(__spec__.loader).__name__

            def f():
                return 2
            """
            },
            reloaded=["m"],
        )
    ],
)

# -- 9. one save, several modules, one broken --------------------------------------------------

held_with_broken = scenario(
    "importer_waits_for_its_broken_dependency_in_the_same_save",
    """``a`` starts calling ``b.new()`` in the save that gives ``b`` a syntax error: ``a`` is not
    applied against the old ``b`` (its calls would fail); it is held back, said once, and
    applies together with ``b`` when ``b`` is fixed.""",
    before={
        "a.py": """
            import b

            def use():
                return b.old()
            """,
        "b.py": """
            def old():
                return "old"
            """,
    },
    setup="import a, b\nuse = a.use",
    probes=["a.use()", "use()"],
    steps=[
        step(
            {
                "a.py": """
            import b

            def use():
                return b.new()
            """,
                "b.py": """
            def old():
                return "old"

            def new(:
                return "new"
            """,
            },
            ok=False,
            error_path="b.py",
            error_line=4,
            says=["held back with b"],
        ),
        step(
            {
                "b.py": """
            def old():
                return "old"

            def new():
                return "new"
            """,
            },
            reloaded=["a", "b"],
        ),
    ],
)

# -- 13. check() never raises ------------------------------------------------------------------

getattr_all = scenario(
    "all_lists_names_served_by_module_getattr",
    """``__all__`` gains a name that the module-level ``__getattr__`` serves: the session's
    ``from m import *`` gets its value as a fresh run would, and the checkpoint does not
    raise.""",
    before={
        "m.py": """
            __all__ = ["f"]

            def f():
                return 1

            def __getattr__(name):
                if name == "lazy":
                    return 42
                raise AttributeError(name)
            """
    },
    setup="from m import *",
    probes=["f()", "lazy"],
    mode="complete",
    steps=[
        step(
            {
                "m.py": """
            __all__ = ["f", "lazy"]

            def f():
                return 2

            def __getattr__(name):
                if name == "lazy":
                    return 42
                raise AttributeError(name)
            """
            },
            reloaded=["m"],
        )
    ],
)

SCENARIOS: list[Scenario] = [
    function_back,
    class_back,
    method_back,
    checkout_back,
    loaded_by_hand,
    other_finder,
    loader_unchanged,
    held_with_broken,
    getattr_all,
]
