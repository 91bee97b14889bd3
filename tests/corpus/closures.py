"""Nested functions and closures, including closures made before the edit and changed free
variables (``__code__`` cannot be swapped when the set of free variables changes).
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

nested_body = scenario(
    "nested_function_body",
    """A function defined inside another is edited: the next call of the outer function
    builds and runs the new inner function.""",
    before={
        "m.py": """
        def outer(x):
            def inner(y):
                return x + y
            return inner(1)
        """
    },
    setup="import m\nfrom m import outer",
    probes=["outer(5)", "m.outer(5)"],
    steps=[
        step(
            {
                "m.py": """
        def outer(x):
            def inner(y):
                return x * y + 100
            return inner(2)
        """
            }
        )
    ],
)

made_before = scenario(
    "closure_made_at_import_runs_new_body",
    """``add5 = make_adder(5)`` ran at import and is unchanged; editing the inner ``add``
    makes the existing closure (module attribute and from-import) run the new body.""",
    before={
        "m.py": """
        def make_adder(n):
            def add(x):
                return x + n
            return add

        add5 = make_adder(5)
        """
    },
    setup="import m\nfrom m import add5, make_adder",
    probes=["m.add5(1)", "add5(1)", "make_adder(1)(1)"],
    steps=[
        step(
            {
                "m.py": """
        def make_adder(n):
            def add(x):
                return x + n * 2
            return add

        add5 = make_adder(5)
        """
            }
        )
    ],
)

made_in_session = scenario(
    "closure_made_in_session_runs_new_body",
    """A closure the user built in the session before the edit (``inc = m.make_adder(1)``)
    runs the new inner body afterwards.""",
    before={
        "m.py": """
        def make_adder(n):
            def add(x):
                return x + n
            return add
        """
    },
    setup="import m\ninc = m.make_adder(1)\nhandlers = [m.make_adder(10)]",
    probes=["inc(1)", "handlers[0](1)"],
    steps=[
        step(
            {
                "m.py": """
        def make_adder(n):
            def add(x):
                return (x + n) * 100
            return add
        """
            }
        )
    ],
)

inner_gains_cell = scenario(
    "nested_function_gains_closure_variable",
    """An inner function that returned a constant starts reading a local of its outer function
    (it gains a free variable); new calls of the outer function see it.""",
    before={
        "m.py": """
        def outer():
            k = 10
            def inner():
                return 1
            return inner
        """
    },
    setup="import m\nfrom m import outer",
    probes=["outer()()", "m.outer()()", "outer().__code__.co_freevars"],
    steps=[
        step(
            {
                "m.py": """
            def outer():
                k = 10
                def inner():
                    return k + 1
                return inner
            """
            }
        ),
        step(
            {
                "m.py": """
            def outer():
                k = 10
                def inner():
                    return 2
                return inner
            """
            },
            doc="and loses it again",
        ),
    ],
)

factory_gains_cell = scenario(
    "module_function_from_factory_gains_free_variable",
    """``compute = _factory()`` at module level: the factory's inner function starts using a
    closure variable, so its ``__code__`` cannot be swapped; ``m.compute`` and the session's
    from-import still run the new code.""",
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
    setup="import m\nfrom m import compute\nops = [m.compute]",
    probes=["compute(2)", "m.compute(2)", "ops[0](2)", "m.compute.__code__.co_freevars"],
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

factory_loses_cell = scenario(
    "module_function_from_factory_loses_free_variable",
    """The reverse: a factory-made function stops using its closure variable; every reference
    runs the new code.""",
    before={
        "m.py": """
        def _factory():
            scale = 3
            def compute(x):
                return x * scale
            return compute

        compute = _factory()
        """
    },
    setup="import m\nfrom m import compute",
    probes=["compute(2)", "m.compute(2)", "m.compute.__code__.co_freevars"],
    steps=[
        step(
            {
                "m.py": """
        def _factory():
            def compute(x):
                return x - 1
            return compute

        compute = _factory()
        """
            }
        )
    ],
)

closure_value_changed = scenario(
    "closure_variable_value_changed",
    """The value captured by a module-level closure changes in the factory call: the statement
    that builds it re-runs and the module attribute sees the new value.""",
    before={
        "m.py": """
        def make(n):
            def get():
                return n
            return get

        getter = make(1)
        """
    },
    setup="import m",
    probes=["m.getter()"],
    steps=[
        step(
            {
                "m.py": """
        def make(n):
            def get():
                return n
            return get

        getter = make(2)
        """
            }
        )
    ],
)

nonlocal_counter = scenario(
    "nonlocal_counter_closure_body",
    """A ``nonlocal`` counter closure made at import: after its body changes, consecutive calls
    step by the new increment.""",
    before={
        "m.py": """
        def make_counter():
            count = 0
            def tick():
                nonlocal count
                count += 1
                return count
            return tick

        tick = make_counter()
        """
    },
    setup="import m\nfrom m import tick\ntick()\ntick()",
    probes=["-(tick() - tick())", "-(m.tick() - m.tick())"],
    steps=[
        step(
            {
                "m.py": """
        def make_counter():
            count = 0
            def tick():
                nonlocal count
                count += 10
                return count
            return tick

        tick = make_counter()
        """
            }
        )
    ],
)

lambda_in_function = scenario(
    "lambda_inside_function_changed",
    """A lambda used as a sort key inside a function changes: the next call sorts the new way.""",
    before={
        "m.py": """
        def order(items):
            return sorted(items, key=lambda x: x)
        """
    },
    setup="from m import order",
    probes=["order([3, 1, 2])"],
    steps=[
        step(
            {
                "m.py": """
        def order(items):
            return sorted(items, key=lambda x: -x)
        """
            }
        )
    ],
)

comprehension = scenario(
    "comprehension_in_function_changed",
    """A comprehension inside a function body changes (its code is nested in the function's).""",
    before={
        "m.py": """
        def squares(n):
            return [i * i for i in range(n)]
        """
    },
    setup="from m import squares",
    probes=["squares(4)"],
    steps=[
        step(
            {
                "m.py": """
        def squares(n):
            return {i: i * i for i in range(n) if i % 2}
        """
            }
        )
    ],
)

shared_cells = scenario(
    "shared_closure_cells_stay_shared",
    """A getter/setter pair made at import share one closure cell; editing the getter keeps the
    cell shared, so values the setter stores before and after the edit are seen.""",
    before={
        "m.py": """
        def make():
            value = 0

            def get():
                return value

            def put(x):
                nonlocal value
                value = x

            return get, put

        get, put = make()
        """
    },
    setup="import m\nfrom m import get, put\nput(5)",
    probes=["get()", "(put(7), get())[1]", "m.get()"],
    steps=[
        step(
            {
                "m.py": """
        def make():
            value = 0

            def get():
                return value * 10

            def put(x):
                nonlocal value
                value = x

            return get, put

        get, put = make()
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    nested_body,
    made_before,
    made_in_session,
    inner_gains_cell,
    factory_gains_cell,
    factory_loses_cell,
    closure_value_changed,
    nonlocal_counter,
    lambda_in_function,
    comprehension,
    shared_cells,
    variant(made_before, "after", reloader="after"),
    variant(factory_gains_cell, "full", strategy="full"),
]
