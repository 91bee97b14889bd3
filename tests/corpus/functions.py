"""Plain module-level functions: bodies, signatures, defaults, docstrings, names, async, generators.

The session holds functions every way people hold them (the module attribute, ``from m import
f``, a list, a dict, a ``functools.partial``); after the save every one of them runs the new code.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

HOLD_F = """
import m
from m import f
cbs = [m.f]
table = {"f": m.f}
p = functools.partial(m.f, 10)
"""

body = scenario(
    "function_body",
    """Editing a function body: the module attribute, a from-import, a callback list, a dict and
    a partial all run the new body, and they are still the very same function object.""",
    before={
        "m.py": """
        def f(x):
            return x + 1
        """
    },
    setup=HOLD_F,
    probes=["m.f(1)", "f(1)", "cbs[0](1)", 'table["f"](1)', "p()"],
    steps=[
        step(
            {
                "m.py": """
                def f(x):
                    return x + 2
                """
            },
            expect={"m.f is f": True, "cbs[0] is f": True, 'table["f"] is f': True},
            reloaded=["m"],
            says=["hotswap: reloaded m", "patched f"],
        ),
        step(
            {
                "m.py": """
                def f(x):
                    return x * 100
                """
            },
            expect={"m.f is f": True},
            doc="a second edit of the same function",
        ),
    ],
)

signature = scenario(
    "function_signature_gains_parameter",
    """A function gains a parameter with a default: old references accept it, inspect shows it.""",
    before={
        "m.py": """
        def f(x):
            return x * 2
        """
    },
    setup=HOLD_F,
    probes=["f(2)", "f(2, 5)", "str(inspect.signature(f))", "p(5)", "m.f(x=1)"],
    steps=[
        step(
            {
                "m.py": """
            def f(x, y=3):
                return x * y
            """
            }
        ),
        step(
            {
                "m.py": """
                def f(y, *, x=1):
                    return x - y
                """
            },
            doc="parameters renamed, one becomes keyword-only",
        ),
    ],
)

defaults = scenario(
    "function_default_changed",
    """A changed default value is seen through the held function (``__defaults__`` updated).""",
    before={
        "m.py": """
        def f(x=1, y="a"):
            return x * 10, y
        """
    },
    setup=HOLD_F,
    probes=["f()", "f.__defaults__", "m.f(2)"],
    steps=[
        step(
            {
                "m.py": """
            def f(x=2, y="b"):
                return x * 10, y
            """
            }
        ),
        step(
            {
                "m.py": """
            def f(x, y="b"):
                return x * 10, y
            """
            },
            doc="a default removed: calling without it now raises TypeError",
        ),
    ],
)

kwdefaults = scenario(
    "function_kwonly_default_changed",
    """A keyword-only default changes: ``__kwdefaults__`` and calls follow the new source.""",
    before={
        "m.py": """
        def f(*, scale=2):
            return 10 * scale
        """
    },
    setup=HOLD_F,
    probes=["f()", "f.__kwdefaults__", "f(scale=5)"],
    steps=[
        step(
            {
                "m.py": """
        def f(*, scale=3, offset=1):
            return 10 * scale + offset
        """
            }
        )
    ],
)

docstring = scenario(
    "function_docstring_changed",
    """``help(f)`` shows the new docstring; removing the docstring makes ``__doc__`` None.""",
    before={
        "m.py": '''
        def f():
            """Old words."""
            return 1
        '''
    },
    setup=HOLD_F,
    probes=["f.__doc__", "inspect.getdoc(m.f)", "f()"],
    steps=[
        step(
            {
                "m.py": '''
            def f():
                """New words.

                More detail.
                """
                return 1
            '''
            }
        ),
        step(
            {
                "m.py": """
            def f():
                return 1
            """
            },
            doc="docstring removed",
        ),
        step(
            {
                "m.py": '''
            def f():
                """Back again."""
                return 2
            '''
            },
            doc="docstring added back",
        ),
    ],
)

added = scenario(
    "function_added",
    """A new function appears on the module and existing functions can call it.""",
    before={
        "m.py": """
        def f():
            return "f"
        """
    },
    setup="import m\nfrom m import f",
    probes=["hasattr(m, 'g')", "m.g(2)", "f()", "sorted(n for n in vars(m) if n[0] != '_')"],
    steps=[
        step(
            {
                "m.py": """
        def f():
            return "f" + g(1)

        def g(n):
            return "g" * n
        """
            },
            says=["added g", "patched f"],
        )
    ],
)

removed = scenario(
    "function_removed",
    """A function deleted from the source is gone from the module; callers see NameError.""",
    before={
        "m.py": """
        def f():
            return g()

        def g():
            return "g"
        """
    },
    setup="import m",
    probes=["hasattr(m, 'g')", "m.f()", "sorted(n for n in vars(m) if n[0] != '_')"],
    steps=[
        step(
            {
                "m.py": """
            def f():
                return g()
            """
            },
            says=["removed g"],
        ),
        step(
            {
                "m.py": """
            def f():
                return "no g"
            """
            }
        ),
    ],
)

renamed = scenario(
    "function_renamed",
    """Renaming a function: the new name exists, the old name is removed from the module.""",
    before={
        "m.py": """
        def old_name():
            return 1

        def caller():
            return old_name() + 10
        """
    },
    setup="import m",
    probes=["hasattr(m, 'old_name')", "hasattr(m, 'new_name')", "m.new_name()", "m.caller()"],
    steps=[
        step(
            {
                "m.py": """
        def new_name():
            return 2

        def caller():
            return new_name() + 10
        """
            },
            says=["added new_name", "removed old_name"],
        )
    ],
)

helper = scenario(
    "function_calls_edited_helper",
    """Only a helper changes: a from-imported caller that looks the helper up runs the new one.""",
    before={
        "m.py": """
        def helper():
            return 1

        def api():
            return helper() * 10
        """
    },
    setup="import m\nfrom m import api, helper",
    probes=["api()", "helper()", "m.api()"],
    steps=[
        step(
            {
                "m.py": """
        def helper():
            return 2

        def api():
            return helper() * 10
        """
            },
            expect={"api is m.api": True},
        )
    ],
)

global_read = scenario(
    "function_reads_changed_constant",
    """A function reading a module constant at call time sees the constant's new value.""",
    before={
        "m.py": """
        LIMIT = 5

        def f():
            return LIMIT * 2
        """
    },
    setup=HOLD_F,
    probes=["f()", "m.LIMIT", "cbs[0]()"],
    steps=[
        step(
            {
                "m.py": """
        LIMIT = 7

        def f():
            return LIMIT * 2
        """
            }
        )
    ],
)

lambda_ = scenario(
    "lambda_assignment_changed",
    """A module-level ``sq = lambda x: ...`` edited: the module and a from-import see the new
    lambda.""",
    before={
        "m.py": """
        sq = lambda x: x * x  # noqa: E731
        """
    },
    setup="import m\nfrom m import sq",
    probes=["m.sq(3)", "sq(3)"],
    steps=[
        step(
            {
                "m.py": """
        sq = lambda x: x ** 3  # noqa: E731
        """
            }
        )
    ],
)

varargs = scenario(
    "function_varargs_changed",
    """``*args`` becomes ``*args, **kwargs``: keyword calls that raised TypeError now work.""",
    before={
        "m.py": """
        def f(*args):
            return len(args)
        """
    },
    setup=HOLD_F,
    probes=["f(1, 2)", "f(1, a=2)", "str(inspect.signature(f))"],
    steps=[
        step(
            {
                "m.py": """
        def f(*args, **kwargs):
            return len(args) + 10 * len(kwargs)
        """
            }
        )
    ],
)

attribute = scenario(
    "function_attribute_statement_changed",
    """A statement setting an attribute on a function (``f.tag = ...``) re-runs on the same f.""",
    before={
        "m.py": """
        def f():
            return "f"

        f.tag = "v1"
        """
    },
    setup=HOLD_F,
    probes=["f.tag", "m.f.tag", "f()"],
    steps=[
        step(
            {
                "m.py": """
        def f():
            return "f"

        f.tag = "v2"
        """
            },
            expect={"m.f is f": True},
        )
    ],
)

annotated = scenario(
    "function_annotations_changed",
    """``f.__annotations__`` follows the new signature, with real or postponed annotations.""",
    before={
        "m.py": """
            def f(x: int) -> int:
                return x
            """,
        "lazy.py": """
            from __future__ import annotations

            def g(x: int) -> int:
                return x
            """,
    },
    setup="import m, lazy\nfrom m import f\nfrom lazy import g",
    probes=["f.__annotations__", "g.__annotations__", "m.f.__annotations__"],
    steps=[
        step(
            {
                "m.py": """
                def f(x: str, y: float = 1.0) -> str:
                    return x
                """,
                "lazy.py": """
                from __future__ import annotations

                def g(x: list[str]) -> None:
                    return None
                """,
            }
        ),
        step(
            {
                "m.py": """
            def f(x, y=1.0):
                return x
            """
            },
            doc="annotations removed",
        ),
    ],
)

generator = scenario(
    "generator_function_body",
    """A generator function's new body runs on the next call, via the module and a from-import.""",
    before={
        "m.py": """
        def gen(n):
            yield from range(n)
        """
    },
    setup="import m\nfrom m import gen",
    probes=["list(gen(4))", "list(m.gen(4))", "inspect.isgeneratorfunction(gen)"],
    steps=[
        step(
            {
                "m.py": """
        def gen(n):
            for i in range(n):
                yield i * i
        """
            }
        )
    ],
)

becomes_generator = scenario(
    "function_becomes_generator",
    """A list-returning function turned into a generator: calls now return generators.""",
    before={
        "m.py": """
        def items():
            return [1, 2]
        """
    },
    setup="import m\nfrom m import items",
    probes=["list(items())", "inspect.isgeneratorfunction(items)", "type(items()).__name__"],
    steps=[
        step(
            {
                "m.py": """
            def items():
                yield 1
                yield 2
                yield 3
            """
            }
        ),
        step(
            {
                "m.py": """
            def items():
                return (1,)
            """
            },
            doc="and back to a plain function",
        ),
    ],
)

async_function = scenario(
    "async_function_body",
    """An ``async def`` edited: ``asyncio.run(f())`` through old references runs the new body.""",
    before={
        "m.py": """
        import asyncio

        async def fetch(x):
            await asyncio.sleep(0)
            return x + 1
        """
    },
    setup="import m\nfrom m import fetch\njobs = [m.fetch]",
    probes=["asyncio.run(fetch(1))", "asyncio.run(m.fetch(1))", "asyncio.run(jobs[0](1))"],
    steps=[
        step(
            {
                "m.py": """
        import asyncio

        async def fetch(x):
            await asyncio.sleep(0)
            return x + 2
        """
            }
        )
    ],
)

async_generator = scenario(
    "async_generator_body",
    """An async generator edited: iterating a new call yields the new values.""",
    before={
        "m.py": """
        async def agen(n):
            for i in range(n):
                yield i
        """
    },
    setup="""
        import m
        from m import agen

        async def take(g):
            return [x async for x in g]
        """,
    probes=["asyncio.run(take(agen(3)))", "inspect.isasyncgenfunction(agen)"],
    steps=[
        step(
            {
                "m.py": """
        async def agen(n):
            for i in range(n):
                yield i * 10
            yield -1
        """
            }
        )
    ],
)

sync_to_async = scenario(
    "function_becomes_async",
    """A plain function turned into ``async def``: calling it now gives a coroutine.""",
    before={
        "m.py": """
        def f():
            return 1
        """
    },
    setup="import m\nfrom m import f",
    probes=["inspect.iscoroutinefunction(f)", "asyncio.run(f())"],
    steps=[
        step(
            {
                "m.py": """
        async def f():
            return 2
        """
            }
        )
    ],
)

recursion = scenario(
    "recursive_function_body",
    """A recursive function edited: the recursion (looked up by name) runs the new body too.""",
    before={
        "m.py": """
        def count(n):
            return 0 if n == 0 else 1 + count(n - 1)
        """
    },
    setup="import m\nfrom m import count",
    probes=["count(3)", "m.count(4)"],
    steps=[
        step(
            {
                "m.py": """
        def count(n):
            return 0 if n == 0 else 2 + count(n - 1)
        """
            }
        )
    ],
)

several = scenario(
    "several_functions_one_save",
    """Three functions in one save: one edited, one unchanged, one added; each is right.""",
    before={
        "m.py": """
        def a():
            return "a1"

        def b():
            return "b1"
        """
    },
    setup="import m\nfrom m import a, b",
    probes=["a()", "b()", "m.c()", "[fn() for fn in (m.a, m.b)]"],
    steps=[
        step(
            {
                "m.py": """
        def a():
            return "a2"

        def b():
            return "b1"

        def c():
            return a() + b()
        """
            },
            expect={"b is m.b": True, "a is m.a": True},
        )
    ],
)

twice_defined = scenario(
    "function_defined_twice_last_wins",
    """A module defines ``f`` twice (the second shadows the first); editing the first
    definition changes nothing visible: ``m.f`` is still the second one, as in a fresh run.""",
    before={
        "m.py": """
        def f():
            return "first"

        def f():  # noqa: F811
            return "second"
        """
    },
    setup="import m\nfrom m import f",
    probes=["m.f()", "f()"],
    steps=[
        step(
            {
                "m.py": """
            def f():
                return "first edited"

            def f():  # noqa: F811
                return "second"
            """
            }
        ),
        step(
            {
                "m.py": """
            def f():
                return "first edited"

            def f():  # noqa: F811
                return "second edited"
            """
            },
            doc="now the second definition is edited",
        ),
    ],
)

becomes_constant = scenario(
    "function_name_becomes_constant",
    """A name that was a function becomes a constant, and a constant becomes a function.""",
    before={
        "m.py": """
        def f():
            return 1

        G = "constant"
        """
    },
    setup="import m",
    probes=["m.f", "m.G()", "callable(m.f)"],
    steps=[
        step(
            {
                "m.py": """
        f = 3

        def G():
            return "function"
        """
            }
        )
    ],
)

module_getattr = scenario(
    "module_getattr_edited",
    """A module-level ``__getattr__`` (PEP 562) is edited: missing attributes resolve the new
    way.""",
    before={
        "m.py": """
        def __getattr__(name):
            if name.startswith("dyn_"):
                return name[4:]
            raise AttributeError(name)
        """
    },
    setup="import m",
    probes=["m.dyn_abc", "hasattr(m, 'other')"],
    steps=[
        step(
            {
                "m.py": """
        def __getattr__(name):
            if name.startswith("dyn_"):
                return name[4:].upper()
            if name == "other":
                return "other"
            raise AttributeError(name)
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    body,
    signature,
    defaults,
    kwdefaults,
    docstring,
    added,
    removed,
    renamed,
    helper,
    global_read,
    lambda_,
    varargs,
    attribute,
    annotated,
    generator,
    becomes_generator,
    async_function,
    async_generator,
    sync_to_async,
    recursion,
    several,
    twice_defined,
    becomes_constant,
    module_getattr,
    variant(body, "after", reloader="after"),
    variant(signature, "after", reloader="after"),
    variant(body, "full", strategy="full"),
    variant(docstring, "full", strategy="full"),
    variant(removed, "full", strategy="full"),
    variant(renamed, "full", strategy="full"),
]
