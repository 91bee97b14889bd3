"""Names that a compound statement binds only when its condition holds (``if TYPE_CHECKING:``,
``try``/``except ImportError``, a loop over what may be empty).

A save that moves an import under ``if TYPE_CHECKING:`` (as real libraries do when they adopt
``from __future__ import annotations``) must leave the module without the name, as a fresh run
does: found replaying rich 14.0 -> 14.1, where ``rich.progress.Self`` stayed bound. A name the
module binds before the compound statement keeps that earlier value when the statement no
longer rebinds it.
"""

from __future__ import annotations

from ._model import scenario, step

import_under_type_checking = scenario(
    "import_moved_under_type_checking_leaves_the_module",
    """``from collections import OrderedDict`` moves under ``if TYPE_CHECKING:``: after the
    save the module has no ``OrderedDict`` (a fresh run has none), and its function runs the
    new body.""",
    before={
        "m.py": """
            import sys

            if sys.version_info >= (3, 0):
                from collections import OrderedDict
            else:
                OrderedDict = dict

            def f():
                return 1
            """
    },
    setup="import m",
    steps=[
        step(
            {
                "m.py": """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from collections import OrderedDict

            def f():
                return 2
            """
            },
            probes=[
                "hasattr(m, 'OrderedDict')",
                "m.f()",
                "sorted(n for n in vars(m) if not n.startswith('__'))",
            ],
            says=["removed OrderedDict"],
        ),
        step(
            {
                "m.py": """
            from collections import OrderedDict

            def f():
                return 3
            """
            },
            probes=["m.OrderedDict.__name__", "m.f()"],
        ),
    ],
)

fallback_no_longer_taken = scenario(
    "definition_under_a_condition_that_turned_false_is_gone",
    """``if FAST: def helper(): ...`` with ``FAST`` turned off in the same save: ``helper`` is
    no longer in the module, as in a fresh run; the function defined unconditionally stays.""",
    before={
        "m.py": """
            FAST = True

            if FAST:
                def helper():
                    return "fast"

            def main():
                return "main"
            """
    },
    setup="import m",
    steps=[
        step(
            {
                "m.py": """
            FAST = False

            if FAST:
                def helper():
                    return "fast"

            def main():
                return "main"
            """
            },
            probes=["hasattr(m, 'helper')", "m.main()", "m.FAST"],
        ),
    ],
)

loop_over_nothing = scenario(
    "loop_variable_of_a_loop_that_no_longer_runs_is_gone",
    """A module-level ``for name in NAMES:`` whose list became empty no longer binds ``name``
    (the helpers it registered are gone from the registry too, as a fresh run has them).""",
    before={
        "m.py": """
            NAMES = ["a", "b"]
            REGISTRY = {}
            for name in NAMES:
                REGISTRY[name] = len(name)
            """
    },
    setup="import m",
    steps=[
        step(
            {
                "m.py": """
            NAMES = []
            REGISTRY = {}
            for name in NAMES:
                REGISTRY[name] = len(name)
            """
            },
            probes=["hasattr(m, 'name')", "m.REGISTRY"],
        ),
    ],
)

earlier_binding_kept = scenario(
    "name_bound_before_a_condition_keeps_its_earlier_value",
    """``LIMIT = 10`` then ``if BIG: LIMIT = 100``; the save turns ``BIG`` off: ``LIMIT`` is 10
    again, as in a fresh run (the earlier statement's value, not the one the condition gave).""",
    before={
        "m.py": """
            BIG = True
            LIMIT = 10
            if BIG:
                LIMIT = 100

            def limit():
                return LIMIT
            """
    },
    setup="import m\nfrom m import LIMIT",
    steps=[
        step(
            {
                "m.py": """
            BIG = False
            LIMIT = 10
            if BIG:
                LIMIT = 100

            def limit():
                return LIMIT
            """
            },
            probes=["m.LIMIT", "m.limit()", "LIMIT"],
        ),
    ],
)

importer_type_checking_import = scenario(
    "importer_with_a_type_checking_import_does_not_gain_the_name",
    """``e`` imports ``Undefined`` from ``m`` only under ``if TYPE_CHECKING:`` and inside a
    function; ``m`` saves a new ``Undefined`` (its layout changed: a new class). ``e`` still has
    no module-level ``Undefined``, as in a fresh run, and its function uses the new class.
    (Found checking out jinja2 3.1.4 -> 3.1.5: ``jinja2.exceptions.Undefined`` appeared.)""",
    before={
        "m.py": """
            class Undefined:
                pass
            """,
        "e.py": """
            import typing as t

            if t.TYPE_CHECKING:
                from m import Undefined

            def is_undefined(x):
                from m import Undefined
                return isinstance(x, Undefined)
            """,
    },
    setup="import m, e",
    steps=[
        step(
            {
                "m.py": """
            class Undefined:
                __slots__ = ("hint",)
            """
            },
            probes=["hasattr(e, 'Undefined')", "e.is_undefined(m.Undefined())"],
            warns=True,
        ),
    ],
)

SCENARIOS = [
    import_under_type_checking,
    fallback_no_longer_taken,
    loop_over_nothing,
    earlier_binding_kept,
    importer_type_checking_import,
]
