"""Saves that cannot apply: syntax errors, exceptions while the new code runs (``NameError``,
``ZeroDivisionError``, ``ValueError`` in a class body), ``SystemExit`` and ``KeyboardInterrupt``
at module level. Each must roll the module back completely and name the file and line; the
next save that fixes the file applies.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

BASE = """
def f():
    return 1

def g():
    return "g1"
"""

FIXED = """
def f():
    return 2

def g():
    return "g2"
"""

PROBES = [
    "m.f()",
    "m.g()",
    "held_g()",
    "inspect.getsourcelines(m.g)[1]",
    "hasattr(m, 'added')",
    "sorted(k for k in vars(m) if not k.startswith('__'))",
]

SETUP = "import m\nheld_g = m.g"


def _failing(name: str, doc: str, broken: str, line: int, error: str, **extra: object) -> Scenario:
    return scenario(
        name,
        doc,
        before={"m.py": BASE},
        setup=SETUP,
        probes=PROBES,
        steps=[
            step(
                {"m.py": broken},
                ok=False,
                error_path="m.py",
                error_line=line,
                says=["reloading m failed", f'm.py", line {line}', error, "kept the previous"],
                doc="broken save",
            ),
            step({"m.py": FIXED}, says=["reloaded m"], doc="the fix applies"),
        ],
        **extra,  # type: ignore[arg-type]
    )


syntax_error = _failing(
    "syntax_error_then_fix",
    """A syntax error in the saved file: nothing changes (not even the valid edit to ``f``
    above it), the report names the file and line; the fixed file then applies.""",
    """
    def f():
        return 2

    def g(:
        return "g2"
    """,
    4,
    "SyntaxError",
)

indentation_error = _failing(
    "indentation_error_then_fix",
    """An ``IndentationError`` (a body that lost its indent) is reported at its line and rolls
    back.""",
    """
    def f():
        return 2

    def g():
    return "g2"
    """,
    5,
    "IndentationError",
)

name_error = _failing(
    "name_error_at_import_then_fix",
    """A ``NameError`` raised by a new top-level statement: the edit to ``f`` and the added
    function above the error are rolled back.""",
    """
    def f():
        return 2

    def added():
        return "new"

    VALUE = undefined_name + 1

    def g():
        return "g2"
    """,
    7,
    "NameError",
)

zero_division = _failing(
    "zero_division_at_import_then_fix",
    """A ``ZeroDivisionError`` at module level after several edits: everything is rolled back,
    including the removal of ``g``.""",
    """
    def f():
        return 2

    def added():
        return "new"

    RATIO = 1 / 0
    """,
    7,
    "ZeroDivisionError",
)

system_exit = _failing(
    "system_exit_at_import_then_fix",
    """``raise SystemExit(3)`` at module level must not end the session: it is reported as a
    failure at that line and rolled back.""",
    """
    def f():
        return 2

    raise SystemExit(3)

    def g():
        return "g2"
    """,
    4,
    "SystemExit",
)

keyboard_interrupt = _failing(
    "keyboard_interrupt_at_import_then_fix",
    """A ``KeyboardInterrupt`` while the new module code runs is a failed reload, rolled back,
    not a dead session.""",
    """
    def f():
        return 2

    def added():
        return "new"

    raise KeyboardInterrupt

    def g():
        return "g2"
    """,
    7,
    "KeyboardInterrupt",
)

class_body_error = scenario(
    "exception_in_class_body_then_fix",
    """A ``ValueError`` inside a class body, in the same save as edits to its methods: the
    class keeps its old methods (an old instance runs the old code) and gains nothing.""",
    before={
        "m.py": """
        class C:
            def f(self):
                return "f1"

            def gone(self):
                return "gone"
        """
    },
    setup="import m\nobj = m.C()\nbound = obj.f",
    probes=[
        "obj.f()",
        "bound()",
        "hasattr(m.C, 'new')",
        "hasattr(m.C, 'gone')",
        "sorted(k for k in vars(m.C) if not k.startswith('__'))",
    ],
    steps=[
        step(
            {
                "m.py": """
            class C:
                def f(self):
                    return "f2"

                def new(self):
                    return "new"

                X = int("not a number")
            """
            },
            ok=False,
            error_path="m.py",
            error_line=8,
        ),
        step(
            {
                "m.py": """
            class C:
                def f(self):
                    return "f2"

                def new(self):
                    return "new"
            """
            },
            probes=["obj.f()", "bound()", "obj.new()", "hasattr(m.C, 'gone')"],
        ),
    ],
)

dataflow_error = scenario(
    "dataflow_rerun_fails_then_fix",
    """``X`` changes to 0 and the unchanged ``Y = 10 / X`` re-runs and fails: the error names
    ``Y``'s line and ``X`` keeps its old value; then ``X = 5`` applies.""",
    before={
        "m.py": """
        X = 2
        Y = 10 / X

        def f():
            return X, Y
        """
    },
    setup="import m\nfrom m import f",
    probes=["m.X", "m.Y", "f()"],
    steps=[
        step(
            {
                "m.py": """
            X = 0
            Y = 10 / X

            def f():
                return X, Y
            """
            },
            ok=False,
            error_path="m.py",
            error_line=2,
        ),
        step(
            {
                "m.py": """
            X = 5
            Y = 10 / X

            def f():
                return X, Y
            """
            }
        ),
    ],
)

two_failures = scenario(
    "two_failures_in_a_row_then_fix",
    """A syntax error, then (still broken) a ``NameError`` elsewhere: each save is reported at
    its own line and nothing applies until the file is fixed.""",
    before={"m.py": BASE},
    setup=SETUP,
    probes=PROBES,
    steps=[
        step(
            {
                "m.py": """
            def f():
                return 2 +

            def g():
                return "g2"
            """
            },
            ok=False,
            error_path="m.py",
            error_line=2,
        ),
        step(
            {
                "m.py": """
            def f():
                return 2

            def g():
                return "g2"

            oops
            """
            },
            ok=False,
            error_path="m.py",
            error_line=7,
        ),
        step({"m.py": FIXED}),
    ],
)

package_failure = scenario(
    "failure_in_package_submodule_then_fix",
    """A broken ``pkg/sub.py`` is reported with that path and line; ``pkg`` and ``pkg.sub``
    keep working with the old code.""",
    before={
        "pkg/__init__.py": """
            from .sub import f
            """,
        "pkg/sub.py": """
            def f():
                return "sub1"
            """,
    },
    setup="import pkg\nimport pkg.sub\nfrom pkg import f",
    probes=["pkg.f()", "pkg.sub.f()", "f()", "hasattr(pkg, 'sub')"],
    steps=[
        step(
            {
                "pkg/sub.py": """
            def f():
                return "sub2"

            LIMIT = int("x")
            """
            },
            ok=False,
            error_path="pkg/sub.py",
            error_line=4,
        ),
        step(
            {
                "pkg/sub.py": """
            def f():
                return "sub2"

            LIMIT = int("3")
            """
            }
        ),
    ],
)

other_module_applies = scenario(
    "one_module_fails_other_applies",
    """One save edits ``a`` (valid) and ``b`` (broken): ``a`` applies, ``b`` is rolled back and
    reported; fixing ``b`` then applies it.""",
    before={
        "a.py": """
            def f():
                return "a1"
            """,
        "b.py": """
            def g():
                return "b1"
            """,
    },
    setup="import a, b",
    probes=["b.g()"],
    steps=[
        step(
            {
                "a.py": """
                def f():
                    return "a2"
                """,
                "b.py": """
                def g():
                    return "b2"

                1 / 0
                """,
            },
            ok=False,
            error_path="b.py",
            error_line=4,
            expect={"a.f()": "a2"},
        ),
        step(
            {
                "b.py": """
            def g():
                return "b2"
            """
            },
            probes=["a.f()", "b.g()"],
        ),
    ],
)

import_error = _failing(
    "import_error_then_fix",
    """The save adds ``import does_not_exist_anywhere``: ``ModuleNotFoundError`` at that line,
    nothing changes; a later save that drops the import applies.""",
    """
    def f():
        return 2

    import does_not_exist_anywhere

    def g():
        return "g2"
    """,
    4,
    "ModuleNotFoundError",
)

from_import_error = _failing(
    "from_import_of_missing_name_then_fix",
    """``from os import no_such_name`` in the save: ``ImportError`` at that line, rolled back.""",
    """
    from os import path
    from os import no_such_name

    def f():
        return 2
    """,
    2,
    "ImportError",
)

init_failure = scenario(
    "failure_in_package_init_then_fix",
    """A broken ``pkg/__init__.py``: reported at its line, ``pkg`` keeps its names and its
    ``pkg.sub`` attribute; the fix applies.""",
    before={
        "pkg/__init__.py": """
            from .sub import f

            VERSION = 1
            """,
        "pkg/sub.py": """
            def f():
                return "sub1"
            """,
    },
    setup="import pkg\nimport pkg.sub",
    probes=["pkg.VERSION", "pkg.f()", "hasattr(pkg, 'sub')", "pkg.sub.f()"],
    steps=[
        step(
            {
                "pkg/__init__.py": """
                from .sub import f

                VERSION = 2
                raise RuntimeError("half-written init")
                """
            },
            ok=False,
            error_path="pkg/__init__.py",
            error_line=4,
        ),
        step(
            {
                "pkg/__init__.py": """
            from .sub import f

            VERSION = 2
            """
            }
        ),
    ],
)

retry_on_dependency = scenario(
    "failed_module_retried_when_dependency_changes",
    """``b`` is saved with ``from a import g`` before ``a`` has ``g``: ``b`` fails and is rolled
    back. Then only ``a`` is saved (gaining ``g``): ``b`` is retried and now applies.""",
    before={
        "a.py": """
            def f():
                return "f"
            """,
        "b.py": """
            import a

            def use():
                return a.f()
            """,
    },
    setup="import a, b",
    probes=["b.use()"],
    steps=[
        step(
            {
                "b.py": """
                import a
                from a import g

                def use():
                    return a.f() + g()
                """
            },
            ok=False,
            error_path="b.py",
            error_line=2,
            says=["ImportError"],
        ),
        step(
            {
                "a.py": """
                def f():
                    return "f"

                def g():
                    return "+g"
                """
            },
            probes=["b.use()", "b.g is a.g"],
            reloaded=["a", "b"],
            doc="only a.py is saved; b is retried",
        ),
    ],
)

state_rollback = scenario(
    "failure_restores_rebound_state",
    """A broken save that first rebinds ``CACHE`` and ``COUNT`` and then raises: the module
    gets back the very same cache object with its runtime entries, and the counter value.""",
    before={
        "m.py": """
        CACHE = {}
        COUNT = 0

        def bump():
            global COUNT
            COUNT += 1
            CACHE[COUNT] = "v1"
            return COUNT
        """
    },
    setup="import m\ncache = m.CACHE\nm.bump()\nm.bump()",
    probes=["m.CACHE", "m.COUNT"],
    steps=[
        step(
            {
                "m.py": """
                CACHE = {"fresh": True}
                COUNT = 100

                def bump():
                    global COUNT
                    COUNT += 1
                    CACHE[COUNT] = "v2"
                    return COUNT

                raise RuntimeError("not yet")
                """
            },
            ok=False,
            error_path="m.py",
            error_line=10,
            expect={"m.CACHE is cache": True},
        ),
        step(
            {
                "m.py": """
                CACHE = {}
                COUNT = 0

                def bump():
                    global COUNT
                    COUNT += 1
                    CACHE[COUNT] = "v2"
                    return COUNT
                """
            },
            probes=["m.bump()", "m.CACHE[m.COUNT]"],
        ),
    ],
)

full_state_rollback = scenario(
    "full_strategy_failure_keeps_state",
    """Under ``strategy="full"`` a save that fails at its last line leaves the module state
    (counter, cache object and entries) exactly as it was.""",
    before={
        "m.py": """
        CACHE = {}
        COUNT = 0

        def bump():
            global COUNT
            COUNT += 1
            CACHE[COUNT] = "v1"
            return COUNT
        """
    },
    setup="import m\ncache = m.CACHE\nm.bump()\nm.bump()",
    probes=["m.CACHE", "m.COUNT"],
    strategy="full",
    steps=[
        step(
            {
                "m.py": """
                CACHE = {}
                COUNT = 0

                def bump():
                    global COUNT
                    COUNT += 1
                    CACHE[COUNT] = "v2"
                    return COUNT

                undefined_at_the_end
                """
            },
            ok=False,
            error_path="m.py",
            error_line=10,
            expect={"m.CACHE is cache": True},
        ),
        step(
            {
                "m.py": """
                CACHE = {}
                COUNT = 0

                def bump():
                    global COUNT
                    COUNT += 1
                    CACHE[COUNT] = "v2"
                    return COUNT
                """
            },
            probes=[],
            expect={"m.COUNT": 0, "m.bump()": 1, "m.CACHE": {1: "v2"}},
            doc="the fix applies: under full, module state starts over as in a fresh import",
        ),
    ],
)

revert = scenario(
    "failure_then_revert_to_original",
    """A broken save, then the user undoes it (the file is back to exactly what was loaded):
    the module is no longer listed as failed and behaves as before.""",
    before={"m.py": BASE},
    setup=SETUP,
    probes=PROBES,
    steps=[
        step(
            {"m.py": BASE.replace("return 1", "return (")},
            ok=False,
            error_path="m.py",
            error_line=2,
        ),
        step({"m.py": BASE}, doc="the edit is undone"),
    ],
)

other_edited_while_broken = scenario(
    "failure_persists_while_other_module_edited",
    """``m`` is broken and not fixed yet while ``n`` is edited: ``n`` applies, ``m`` stays
    listed in ``r.failures`` with its old code; fixing ``m`` later applies it.""",
    before={
        "m.py": BASE,
        "n.py": """
            def h():
                return "h1"
            """,
    },
    setup=SETUP + "\nimport n",
    probes=PROBES,
    steps=[
        step(
            {"m.py": FIXED + "\nraise ValueError('broken')\n"},
            ok=False,
            error_path="m.py",
            error_line=7,
        ),
        step(
            {
                "n.py": """
                def h():
                    return "h2"
                """
            },
            probes=[],
            expect={"n.h()": "h2", "m.f()": 1, "m.g()": "g1"},
            oracle=False,
            reloaded=["n"],
            doc="another module is edited while m is still broken",
        ),
        step({"m.py": FIXED}, probes=[*PROBES, "n.h()"], doc="m is fixed"),
    ],
)

failed_save_cache = scenario(
    "failed_save_leaves_no_new_values_in_caches",
    """A save that fails at import after calling an ``lru_cache`` function with its new code
    (``V = f(3)``, then ``raise``): the module is rolled back, and ``f(3)`` returns what the old
    code computes, not the value the failed save left in the cache. The fix then applies.""",
    before={
        "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(x):
            return "old"
        """
    },
    setup="import m\nheld = functools.partial(m.f, 3)",
    probes=["m.f(3)", "held()"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(x):
            return "new"

        V = f(3)
        raise RuntimeError("broken at import")
        """
            },
            ok=False,
            error_path="m.py",
            error_line=8,
        ),
        step(
            {
                "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(x):
            return "new"

        V = f(3)
        """
            },
            doc="the raise removed: the new value now",
        ),
    ],
)

SCENARIOS: list[Scenario] = [
    syntax_error,
    indentation_error,
    name_error,
    zero_division,
    system_exit,
    keyboard_interrupt,
    class_body_error,
    dataflow_error,
    two_failures,
    package_failure,
    other_module_applies,
    import_error,
    from_import_error,
    init_failure,
    retry_on_dependency,
    state_rollback,
    full_state_rollback,
    revert,
    other_edited_while_broken,
    variant(syntax_error, "after", reloader="after"),
    variant(name_error, "full", strategy="full"),
    variant(class_body_error, "full", strategy="full"),
    failed_save_cache,
]
