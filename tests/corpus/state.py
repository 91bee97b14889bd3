"""Module state and dataflow: what re-runs and what must survive.

Unchanged top-level statements do not re-run: caches, counters, import-time side effects (in
this module or another) survive an edit of an unrelated function. A changed statement re-runs,
and so does every statement that reads a name it rebinds (``Y = X * 2``, ``def g(y=X)``, a class
body reading ``X``). With ``strategy="full"`` the whole module runs again (module state is
re-created as in a fresh run) but functions and classes keep their identity.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

cache_survives = scenario(
    "cache_dict_survives_unrelated_edit",
    """A module-level cache filled before the edit keeps its entries (and identity) when a
    function of the module is edited.""",
    before={
        "m.py": """
        CACHE = {}

        def get(key):
            if key not in CACHE:
                CACHE[key] = len(key)
            return CACHE[key]
        """
    },
    setup="import m\ncache = m.CACHE\nm.get('abc')",
    probes=["m.get('hello')", "sorted(m.CACHE)"],
    steps=[
        step(
            {
                "m.py": """
            CACHE = {}

            def get(key):
                if key not in CACHE:
                    CACHE[key] = len(key) * 100
                return CACHE[key]
            """
            },
            pre="m.CACHE['manual'] = 1",
            expect={"m.CACHE is cache": True, "m.CACHE['abc']": 3, "m.CACHE['manual']": 1},
        )
    ],
)

counter_survives = scenario(
    "counter_survives_edit_of_its_function",
    """A ``global COUNT`` counter bumped before the edit keeps its value when the bumping
    function itself is edited; the next bump uses the new increment.""",
    before={
        "m.py": """
        COUNT = 0

        def bump():
            global COUNT
            COUNT += 1
            return COUNT
        """
    },
    setup="import m\nm.bump()\nm.bump()",
    steps=[
        step(
            {
                "m.py": """
            COUNT = 0

            def bump():
                global COUNT
                COUNT += 10
                return COUNT
            """
            },
            expect={"m.COUNT": 2, "m.bump()": 12},
        ),
    ],
)

side_effect_other_module = scenario(
    "import_side_effect_not_repeated",
    """An import-time side effect (appending to a list in another module, writing a marker
    file) is not repeated when an unrelated function is edited.""",
    before={
        "log.py": """
            EVENTS = []
            """,
        "m.py": """
            import os
            import log

            log.EVENTS.append("m loaded")
            MARKER = os.path.join(os.path.dirname(__file__), "marker.txt")
            with open(MARKER, "a") as fh:
                fh.write("x")

            def f():
                return 1
            """,
    },
    setup="import m, log",
    probes=["log.EVENTS", "open(m.MARKER).read()", "m.f()"],
    steps=[
        step(
            {
                "m.py": """
        import os
        import log

        log.EVENTS.append("m loaded")
        MARKER = os.path.join(os.path.dirname(__file__), "marker.txt")
        with open(MARKER, "a") as fh:
            fh.write("x")

        def f():
            return 2
        """
            },
            expect={"log.EVENTS": ["m loaded"], "open(m.MARKER).read()": "x"},
        )
    ],
)

expensive_object = scenario(
    "expensive_object_kept",
    """An expensive object built at import (a 'model') stays the same object when a function
    using it is edited.""",
    before={
        "m.py": """
        class Model:
            def predict(self, x):
                return x

        MODEL = Model()
        LOADS = [1]

        def run(x):
            return MODEL.predict(x)
        """
    },
    setup="import m\nmodel = m.MODEL",
    probes=["m.run(2)", "m.LOADS"],
    steps=[
        step(
            {
                "m.py": """
        class Model:
            def predict(self, x):
                return x

        MODEL = Model()
        LOADS = [1]

        def run(x):
            return MODEL.predict(x) * 10
        """
            },
            expect={"m.MODEL is model": True},
        )
    ],
)

derived_constant = scenario(
    "derived_constant_reruns",
    """``Y = X * 2`` and ``Z = Y + 1`` re-run when ``X`` changes (dataflow), in source order.""",
    before={
        "m.py": """
        X = 2
        Y = X * 2
        Z = Y + 1
        UNRELATED = []
        """
    },
    setup="import m\nunrelated = m.UNRELATED",
    probes=["(m.X, m.Y, m.Z)"],
    steps=[
        step(
            {
                "m.py": """
        X = 3
        Y = X * 2
        Z = Y + 1
        UNRELATED = []
        """
            },
            expect={"m.UNRELATED is unrelated": True},
            says=["hotswap: reloaded m"],
        )
    ],
)

default_reads_constant = scenario(
    "default_argument_reads_changed_constant",
    """``def g(y=X)``: when ``X`` changes, the default follows, also through a held
    from-import of ``g``.""",
    before={
        "m.py": """
        X = 1

        def g(y=X):
            return y
        """
    },
    setup="import m\nfrom m import g",
    probes=["g()", "m.g()", "g.__defaults__"],
    steps=[
        step(
            {
                "m.py": """
        X = 5

        def g(y=X):
            return y
        """
            },
            expect={"g is m.g": True},
        )
    ],
)

class_body_reads_constant = scenario(
    "class_body_reads_changed_constant",
    """A class body computing ``SIZE = X * 10`` sees the new ``X``; the class keeps its
    identity and old instances see the new class attribute.""",
    before={
        "m.py": """
        X = 1

        class C:
            SIZE = X * 10

            def size(self):
                return self.SIZE
        """
    },
    setup="import m\nobj = m.C()\nC = m.C",
    probes=["m.C.SIZE", "obj.size()"],
    steps=[
        step(
            {
                "m.py": """
        X = 2

        class C:
            SIZE = X * 10

            def size(self):
                return self.SIZE
        """
            },
            expect={"m.C is C": True},
        )
    ],
)

name_removed = scenario(
    "module_variable_removed",
    """A module-level variable deleted from the source is removed from the module.""",
    before={
        "m.py": """
        OLD = 1
        KEEP = 2
        """
    },
    setup="import m",
    probes=["hasattr(m, 'OLD')", "m.KEEP"],
    steps=[
        step(
            {
                "m.py": """
        KEEP = 2
        """
            }
        )
    ],
)

dunder_all = scenario(
    "dunder_all_changed",
    """``__all__`` changes: the module's ``__all__`` lists the new names.""",
    before={
        "m.py": """
        __all__ = ["a"]

        def a():
            return 1

        def b():
            return 2
        """
    },
    setup="import m",
    probes=["m.__all__"],
    steps=[
        step(
            {
                "m.py": """
        __all__ = ["a", "b"]

        def a():
            return 1

        def b():
            return 2
        """
            }
        )
    ],
)

module_docstring = scenario(
    "module_docstring_changed",
    """The module docstring changes: ``m.__doc__`` shows the new text.""",
    before={
        "m.py": '''
        """Old module doc."""

        def f():
            return 1
        '''
    },
    setup="import m",
    probes=["m.__doc__", "m.f()"],
    steps=[
        step(
            {
                "m.py": '''
        """New module doc."""

        def f():
            return 1
        '''
            }
        )
    ],
)

changed_statement_reruns = scenario(
    "changed_assignment_reruns",
    """A changed top-level assignment re-runs; an unchanged list next to it keeps the items the
    session appended.""",
    before={
        "m.py": """
        ITEMS = []
        LIMIT = 10
        """
    },
    setup="import m\nm.ITEMS.append('kept')",
    probes=["m.LIMIT", "m.ITEMS"],
    steps=[
        step(
            {
                "m.py": """
        ITEMS = []
        LIMIT = 20
        """
            },
            expect={"m.ITEMS": ["kept"]},
        )
    ],
)

global_rebound_by_function = scenario(
    "global_set_by_function_survives",
    """A module global set at runtime by a function (``configure()``) keeps its runtime value
    when another function is edited.""",
    before={
        "m.py": """
        MODE = "default"

        def configure(mode):
            global MODE
            MODE = mode

        def describe():
            return "mode=" + MODE
        """
    },
    setup="import m\nm.configure('fast')",
    probes=["m.describe()", "m.MODE"],
    steps=[
        step(
            {
                "m.py": """
        MODE = "default"

        def configure(mode):
            global MODE
            MODE = mode

        def describe():
            return "MODE IS " + MODE
        """
            },
            expect={"m.MODE": "fast"},
        )
    ],
)

full_recreates_state = scenario(
    "full_strategy_recreates_module_state",
    """With ``strategy="full"`` the whole module runs again: the counter and cache start over
    as in a fresh import, but functions and classes keep their identity.""",
    before={
        "m.py": """
        COUNT = 0
        CACHE = {}

        def bump():
            global COUNT
            COUNT += 1
            return COUNT

        class C:
            def f(self):
                return 1
        """
    },
    setup="import m\nfrom m import bump\nobj = m.C()\nbump()\nm.CACHE['k'] = 1",
    probes=["obj.f()", "m.C().f()"],
    strategy="full",
    steps=[
        step(
            {
                "m.py": """
        COUNT = 0
        CACHE = {}

        def bump():
            global COUNT
            COUNT += 2
            return COUNT

        class C:
            def f(self):
                return 2
        """
            },
            expect={
                "m.COUNT": 0,
                "m.CACHE": {},
                "m.bump is bump": True,
                "type(obj) is m.C": True,
                "bump()": 2,
            },
        )
    ],
)

full_reruns_unchanged = scenario(
    "full_strategy_reruns_unchanged_statements",
    """Under ``strategy="full"`` an unchanged statement with a module-local effect runs again
    (``LOADS`` is rebuilt), while the edited function keeps its identity.""",
    before={
        "m.py": """
        LOADS = []
        LOADS.append("load")

        def f():
            return "f1"
        """
    },
    setup="import m\nfrom m import f\nold_loads = m.LOADS\nm.LOADS.append('session')",
    probes=["f()", "m.f()"],
    strategy="full",
    steps=[
        step(
            {
                "m.py": """
        LOADS = []
        LOADS.append("load")

        def f():
            return "f2"
        """
            },
            expect={"m.LOADS": ["load"], "m.LOADS is old_loads": False, "m.f is f": True},
        )
    ],
)

full_dataflow = scenario(
    "full_strategy_derived_values",
    """Under ``strategy="full"`` derived constants and defaults match a fresh run.""",
    before={
        "m.py": """
        X = 1
        Y = X + 1

        def g(y=Y):
            return y
        """
    },
    setup="import m\nfrom m import g",
    probes=["(m.X, m.Y)", "g()", "m.g()"],
    strategy="full",
    steps=[
        step(
            {
                "m.py": """
        X = 10
        Y = X + 1

        def g(y=Y):
            return y
        """
            },
            expect={"g is m.g": True},
        )
    ],
)

computed_by_function = scenario(
    "constant_computed_by_edited_function",
    """``X = compute()`` at import: editing ``compute`` (or a helper it calls) recomputes
    ``X``, as a fresh import would.""",
    before={
        "m.py": """
        def helper():
            return 10

        def compute():
            return helper() + 1

        X = compute()
        """
    },
    setup="import m",
    probes=["m.X", "m.compute()"],
    steps=[
        step(
            {
                "m.py": """
            def helper():
                return 10

            def compute():
                return helper() + 2

            X = compute()
            """
            }
        ),
        step(
            {
                "m.py": """
            def helper():
                return 20

            def compute():
                return helper() + 2

            X = compute()
            """
            },
            doc="only the helper that compute() calls changes",
        ),
    ],
)

class_internal_dataflow = scenario(
    "class_body_internal_dataflow",
    """Inside a class body ``B = A * 2`` follows an edited ``A``; a method default reading ``A``
    follows too.""",
    before={
        "m.py": """
        class C:
            A = 1
            B = A * 2

            def get(self, n=A):
                return n
        """
    },
    setup="import m\nobj = m.C()",
    probes=["(m.C.A, m.C.B)", "obj.get()", "(obj.A, obj.B)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            A = 5
            B = A * 2

            def get(self, n=A):
                return n
        """
            }
        )
    ],
)

main_guard = scenario(
    "main_guard_block_edited_is_not_run",
    """The ``if __name__ == "__main__":`` block is edited: as on import, it does not run.""",
    before={
        "log.py": "EVENTS = []\n",
        "m.py": """
            import log

            def f():
                return 1

            if __name__ == "__main__":
                log.EVENTS.append("main v1")
            """,
    },
    setup="import m, log",
    probes=["log.EVENTS", "m.f()"],
    steps=[
        step(
            {
                "m.py": """
        import log

        def f():
            return 1

        if __name__ == "__main__":
            log.EVENTS.append("main v2")
            f()
        """
            },
            expect={"log.EVENTS": []},
        )
    ],
)

SCENARIOS: list[Scenario] = [
    cache_survives,
    counter_survives,
    side_effect_other_module,
    expensive_object,
    derived_constant,
    default_reads_constant,
    class_body_reads_constant,
    name_removed,
    dunder_all,
    module_docstring,
    changed_statement_reruns,
    global_rebound_by_function,
    full_recreates_state,
    full_reruns_unchanged,
    full_dataflow,
    computed_by_function,
    class_internal_dataflow,
    main_guard,
]
