"""Less common top-level forms (definitions inside ``try``/``if``, aliases, ``del`` after use,
method defaults reading constants) and less common holders of old objects (tuples, default
arguments, partials of methods, class attributes rebound at runtime).
"""

from __future__ import annotations

from dataclasses import replace

from ._model import Scenario, scenario, step, variant

in_try = scenario(
    "function_defined_inside_try_except",
    """A fallback defined in an ``except ImportError:`` block is edited: the whole ``try``
    statement re-runs, and the session's from-import runs the new fallback.""",
    before={
        "m.py": """
        try:
            from fast_impl_not_installed import impl
        except ImportError:
            def impl(x):
                return ("slow", x)
        """
    },
    setup="import m\nfrom m import impl",
    probes=["impl(1)", "m.impl(1)"],
    steps=[
        step(
            {
                "m.py": """
        try:
            from fast_impl_not_installed import impl
        except ImportError:
            def impl(x):
                return ("slow v2", x * 2)
        """
            },
            expect={"impl is m.impl": True},
        )
    ],
)

in_if = scenario(
    "function_defined_inside_if_block",
    """Functions defined under a module-level ``if`` are edited: the branch that runs defines
    the new code, reached through the from-import.""",
    before={
        "m.py": """
        import sys

        if sys.version_info >= (3, 8):
            def f():
                return "modern"
        else:
            def f():
                return "legacy"
        """
    },
    setup="import m\nfrom m import f",
    probes=["f()", "m.f()"],
    steps=[
        step(
            {
                "m.py": """
        import sys

        if sys.version_info >= (3, 8):
            def f():
                return "modern v2"
        else:
            def f():
                return "legacy v2"
        """
            }
        )
    ],
)

alias = scenario(
    "module_alias_of_function",
    """``g = f`` at module level: editing ``f``'s body is seen through ``m.g``; when ``f`` gets
    a decorator (a new object), ``g = f`` re-runs and ``m.g`` follows.""",
    before={
        "m.py": """
        def twice(fn):
            def wrapper(x):
                return fn(fn(x))
            return wrapper

        def f(x):
            return x + 1

        g = f
        """
    },
    setup="import m\nfrom m import g",
    probes=["m.g(1)", "g(1)", "m.f(1)"],
    steps=[
        step(
            {
                "m.py": """
            def twice(fn):
                def wrapper(x):
                    return fn(fn(x))
                return wrapper

            def f(x):
                return x + 10

            g = f
            """
            }
        ),
        step(
            {
                "m.py": """
            def twice(fn):
                def wrapper(x):
                    return fn(fn(x))
                return wrapper

            @twice
            def f(x):
                return x + 10

            g = f
            """
            },
            doc="f gets a decorator",
        ),
    ],
)

deleted_helper = scenario(
    "helper_deleted_after_use",
    """``X = _compute()`` then ``del _compute``: editing the helper recomputes ``X`` and the
    helper stays deleted, as in a fresh import.""",
    before={
        "m.py": """
        def _compute():
            return 1

        X = _compute()
        del _compute
        """
    },
    setup="import m",
    probes=["m.X", "hasattr(m, '_compute')"],
    steps=[
        step(
            {
                "m.py": """
        def _compute():
            return 2

        X = _compute()
        del _compute
        """
            }
        )
    ],
)

method_default = scenario(
    "method_default_reads_changed_constant",
    """A method default reads a module constant (``def get(self, n=LIMIT)``): when the
    constant changes, old instances and bound methods use the new default.""",
    before={
        "m.py": """
        LIMIT = 3

        class C:
            def get(self, n=LIMIT):
                return n
        """
    },
    setup="import m\nobj = m.C()\nbound = obj.get",
    probes=["obj.get()", "bound()", "m.C().get()"],
    steps=[
        step(
            {
                "m.py": """
        LIMIT = 4

        class C:
            def get(self, n=LIMIT):
                return n
        """
            }
        )
    ],
)

class_counter = scenario(
    "class_attribute_rebound_at_runtime_survives",
    """``C.count`` is rebound at runtime (``type(self).count += 1``); editing another method of
    the class does not reset it to the class body's ``count = 0``.""",
    before={
        "m.py": """
        class C:
            count = 0

            def inc(self):
                type(self).count += 1

            def f(self):
                return 1
        """
    },
    setup="import m\nC0 = m.C\nm.C().inc()\nm.C().inc()",
    probes=["m.C.count", "m.C().f()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            count = 0

            def inc(self):
                type(self).count += 1

            def f(self):
                return 2
        """
            },
            expect={"m.C.count": 2},
        )
    ],
)

eq_unhashable = scenario(
    "eq_added_makes_instances_unhashable",
    """Adding ``__eq__`` without ``__hash__`` makes instances unhashable, as in a fresh class;
    removing it makes them hashable again.""",
    before={
        "m.py": """
        class C:
            def __init__(self):
                self.v = 1
        """
    },
    setup="import m\nobj = m.C()",
    probes=["obj == m.C()", "m.C.__hash__ is None", "isinstance(hash(obj), int)"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                def __init__(self):
                    self.v = 1

                def __eq__(self, other):
                    return self.v == other.v
            """
            }
        ),
        step(
            {
                "m.py": """
            class C:
                def __init__(self):
                    self.v = 1
            """
            },
            doc="__eq__ removed",
        ),
    ],
)

attr_removed = scenario(
    "class_attribute_removed",
    """A class attribute deleted from the class body is gone from the class; methods reading it
    raise AttributeError.""",
    before={
        "m.py": """
        class C:
            LIMIT = 1
            KEEP = 2

            def get(self):
                return self.LIMIT
        """
    },
    setup="import m\nobj = m.C()",
    probes=["hasattr(m.C, 'LIMIT')", "obj.get()", "obj.KEEP"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            KEEP = 2

            def get(self):
                return self.LIMIT
        """
            }
        )
    ],
)

class_alias = scenario(
    "method_alias_in_class_body",
    """``g = f`` inside a class body: after editing ``f``, ``obj.g()`` runs the new body.""",
    before={
        "m.py": """
        class C:
            def f(self):
                return "f1"

            g = f
        """
    },
    setup="import m\nobj = m.C()",
    probes=["obj.g()", "obj.f()", "m.C.g is m.C.f"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def f(self):
                return "f2"

            g = f
        """
            }
        )
    ],
)

tuple_and_default = scenario(
    "replaced_function_reached_through_tuple_and_default",
    """A function whose free variables change cannot keep its code object; references in a
    tuple, in a session function's default argument and in a partial still run the new code.""",
    before={
        "m.py": """
        def _factory():
            scale = 3
            def compute(x):
                return x
            return compute

        compute = _factory()
        """
    },
    setup="""
        import m
        ops = (m.compute,)
        p = functools.partial(m.compute, 2)

        def use(fn=m.compute):
            return fn(2)
        """,
    probes=["ops[0](2)", "use()", "p()"],
    steps=[
        step(
            {
                "m.py": """
        def _factory():
            scale = 3
            def compute(x):
                return x * scale
            return compute

        compute = _factory()
        """
            }
        )
    ],
)

partial_of_method = scenario(
    "partial_of_method_and_bound_method",
    """Partials built from ``m.C.method`` and from a bound method before the edit run the new
    method body.""",
    before={
        "m.py": """
        class C:
            def method(self, x):
                return x + 1
        """
    },
    setup="""
        import m
        obj = m.C()
        p1 = functools.partial(m.C.method, obj)
        p2 = functools.partial(obj.method, 5)
        """,
    probes=["p1(1)", "p2()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def method(self, x):
                return x * 100
        """
            }
        )
    ],
)

session_sub_of_super_user = scenario(
    "session_subclass_of_method_that_gains_super",
    """The session subclasses ``m.Child``; ``Child.f`` starts calling ``super()`` (a replaced
    function): the session subclass reaches it through its own ``super()``.""",
    before={
        "m.py": """
        class Base:
            def f(self):
                return "base"

        class Child(Base):
            def f(self):
                return "child"
        """
    },
    setup="""
        import m

        class Mine(m.Child):
            def f(self):
                return super().f() + "+mine"

        mine = Mine()
        """,
    probes=["mine.f()", "Mine().f()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base"

        class Child(Base):
            def f(self):
                return super().f() + "+child"
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    in_try,
    in_if,
    alias,
    deleted_helper,
    method_default,
    class_counter,
    eq_unhashable,
    attr_removed,
    class_alias,
    tuple_and_default,
    partial_of_method,
    session_sub_of_super_user,
    variant(
        class_counter,
        "full",
        strategy="full",
        doc="""Under ``strategy="full"`` the class body runs again as in a fresh import, so the
        runtime-rebound ``C.count`` starts over at 0, while ``m.C`` keeps its identity.""",
        probes=("m.C().f()",),
        steps=(replace(class_counter.steps[0], expect={"m.C.count": 0, "m.C is C0": True}),),
    ),
]
