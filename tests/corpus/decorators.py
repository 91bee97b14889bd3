"""Decorated functions and classes: ``functools.wraps``, closure decorators, decorators with
arguments, registering decorators, caches.

Editing only the body must patch the innermost function and must not run the decorator again
(a registering decorator would register twice); changing the decorator line re-decorates.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

LOGGED = """
import functools

def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return ("logged", fn(*args, **kwargs))
    return wrapper
"""


def _logged_module(body: str) -> str:
    return LOGGED + "\n" + body


wraps_body = scenario(
    "wraps_decorated_body",
    """A function decorated with a ``functools.wraps`` decorator: only its body changes; the
    module attribute, a from-import, a partial, a callback list and ``__wrapped__`` all run the
    new body through the same wrapper object.""",
    before={
        "m.py": _logged_module("""
@logged
def f(x):
    return x + 1
""")
    },
    setup="""
        import m
        from m import f
        p = functools.partial(m.f, 1)
        cbs = [m.f]
        """,
    probes=["f(1)", "m.f(1)", "p()", "cbs[0](1)", "m.f.__wrapped__(1)", "m.f.__name__"],
    steps=[
        step(
            {
                "m.py": _logged_module("""
@logged
def f(x):
    return x + 2
""")
            },
            expect={"m.f is f": True, "p.func is f": True},
        )
    ],
)

wraps_docstring = scenario(
    "wraps_decorated_docstring",
    """Only the docstring of a ``wraps``-decorated function changes: ``help(f)`` on the held
    wrapper shows the new docstring, as a fresh import would.""",
    before={
        "m.py": _logged_module('''
@logged
def f(x):
    """Old doc."""
    return x
''')
    },
    setup="import m\nfrom m import f",
    probes=["f.__doc__", "m.f.__doc__", "m.f.__wrapped__.__doc__", "f(1)"],
    steps=[
        step(
            {
                "m.py": _logged_module('''
@logged
def f(x):
    """New doc."""
    return x
''')
            }
        )
    ],
)

closure_decorator = scenario(
    "closure_decorator_body",
    """A custom decorator without ``wraps`` (the wrapper closes over ``fn``): editing the
    decorated function's body changes what the wrapper calls.""",
    before={
        "m.py": """
        def twice(fn):
            def wrapper(x):
                return fn(fn(x))
            return wrapper

        @twice
        def inc(x):
            return x + 1
        """
    },
    setup="import m\nfrom m import inc\nops = {'inc': m.inc}",
    probes=["inc(1)", "m.inc(1)", "ops['inc'](1)"],
    steps=[
        step(
            {
                "m.py": """
        def twice(fn):
            def wrapper(x):
                return fn(fn(x))
            return wrapper

        @twice
        def inc(x):
            return x + 10
        """
            },
            expect={"inc is m.inc": True},
        )
    ],
)

decorator_args_changed = scenario(
    "decorator_line_changed",
    """The decorator line itself changes (``@times(2)`` → ``@times(3)``): the function is
    re-decorated, and the session's from-import sees the new decoration.""",
    before={
        "m.py": """
        def times(n):
            def deco(fn):
                def wrapper(x):
                    return fn(x) * n
                return wrapper
            return deco

        @times(2)
        def f(x):
            return x + 1
        """
    },
    setup="import m\nfrom m import f\ncbs = [m.f]",
    probes=["f(1)", "m.f(1)", "cbs[0](1)"],
    steps=[
        step(
            {
                "m.py": """
        def times(n):
            def deco(fn):
                def wrapper(x):
                    return fn(x) * n
                return wrapper
            return deco

        @times(3)
        def f(x):
            return x + 1
        """
            }
        )
    ],
)

decorator_itself_changed = scenario(
    "decorator_definition_changed",
    """The decorator's own wrapper body changes: functions it decorated at import (unchanged
    statements) use the new wrapper code.""",
    before={
        "m.py": _logged_module("""
@logged
def f(x):
    return x + 1
""")
    },
    setup="import m\nfrom m import f",
    probes=["f(1)", "m.f(1)", "m.f.__wrapped__(1)"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return ("LOGGED v2", fn(*args, **kwargs))
            return wrapper

        @logged
        def f(x):
            return x + 1
        """
            }
        )
    ],
)

register_once = scenario(
    "registering_decorator_not_rerun",
    """``@register`` appends to a module-level list; editing only the decorated function's body
    must not register it again (the list keeps one entry per function); a new decorated function
    registers once.""",
    before={
        "m.py": """
        REGISTRY = []

        def register(fn):
            REGISTRY.append(fn.__name__)
            return fn

        @register
        def a():
            return 1

        @register
        def b():
            return 2
        """
    },
    setup="import m\nfrom m import a\nkeep = m.REGISTRY",
    probes=["m.REGISTRY", "a()", "m.b()"],
    steps=[
        step(
            {
                "m.py": """
            REGISTRY = []

            def register(fn):
                REGISTRY.append(fn.__name__)
                return fn

            @register
            def a():
                return 10

            @register
            def b():
                return 2
            """
            },
            expect={"m.REGISTRY": ["a", "b"], "m.REGISTRY is keep": True},
        ),
        step(
            {
                "m.py": """
            REGISTRY = []

            def register(fn):
                REGISTRY.append(fn.__name__)
                return fn

            @register
            def a():
                return 10

            @register
            def b():
                return 2

            @register
            def c():
                return 3
            """
            },
            expect={"m.REGISTRY": ["a", "b", "c"]},
            doc="a new registered function",
        ),
    ],
)

routes = scenario(
    "route_decorator_in_other_module",
    """A web-style ``@route("/x")`` registers handlers in another module's dict; editing a
    handler body updates what the registry calls, without registering again.""",
    before={
        "registry.py": """
            ROUTES = {}

            def route(path):
                def deco(fn):
                    ROUTES[path] = fn
                    return fn
                return deco
            """,
        "app.py": """
            from registry import route

            @route("/x")
            def x_handler():
                return "x1"
            """,
    },
    setup="import registry, app\nhandler = registry.ROUTES['/x']",
    probes=["registry.ROUTES['/x']()", "handler()", "sorted(registry.ROUTES)", "app.x_handler()"],
    steps=[
        step(
            {
                "app.py": """
            from registry import route

            @route("/x")
            def x_handler():
                return "x2"
            """
            },
            expect={"registry.ROUTES['/x'] is app.x_handler": True},
        ),
        step(
            {
                "app.py": """
            from registry import route

            @route("/x")
            def x_handler():
                return "x2"

            @route("/y")
            def y_handler():
                return "y"
            """
            },
            probes=["registry.ROUTES['/y']()", "sorted(registry.ROUTES)", "handler()"],
            doc="a second route added",
        ),
    ],
)

lru_cache = scenario(
    "lru_cache_cleared_on_edit",
    """``@functools.lru_cache`` results computed by the old body are not served after the edit.""",
    before={
        "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(x):
            return x * 2
        """
    },
    setup="import m\nfrom m import f\nf(2), m.f(3)",
    probes=["f(2)", "m.f(3)", "m.f(4)"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(x):
            return x * 3
        """
            },
            expect={"f is m.f": True},
        )
    ],
)

decorator_added = scenario(
    "decorator_added_and_removed",
    """A plain function gains a decorator (the session's from-import gets the decorated
    behaviour), then loses it again.""",
    before={
        "m.py": """
        def twice(fn):
            def wrapper(x):
                return fn(fn(x))
            return wrapper

        def inc(x):
            return x + 1
        """
    },
    setup="import m\nfrom m import inc",
    probes=["inc(1)", "m.inc(1)"],
    steps=[
        step(
            {
                "m.py": """
            def twice(fn):
                def wrapper(x):
                    return fn(fn(x))
                return wrapper

            @twice
            def inc(x):
                return x + 1
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

            def inc(x):
                return x + 5
            """
            },
            doc="decorator removed, body changed",
        ),
    ],
)

class_decorator = scenario(
    "registering_class_decorator_not_rerun",
    """A class decorator that registers the class: editing a method does not register it
    again, and old instances run the new method.""",
    before={
        "m.py": """
        CLASSES = []

        def register(cls):
            CLASSES.append(cls.__name__)
            return cls

        @register
        class C:
            def f(self):
                return 1
        """
    },
    setup="import m\nobj = m.C()",
    probes=["m.CLASSES", "obj.f()", "m.C().f()"],
    steps=[
        step(
            {
                "m.py": """
        CLASSES = []

        def register(cls):
            CLASSES.append(cls.__name__)
            return cls

        @register
        class C:
            def f(self):
                return 2
        """
            },
            expect={"m.CLASSES": ["C"]},
        )
    ],
)

decorated_methods = scenario(
    "decorated_methods_in_class",
    """Methods decorated with a ``wraps`` decorator (plain and under ``staticmethod``) are
    edited; old instances and bound methods run the new bodies.""",
    before={
        "m.py": _logged_module("""
class C:
    @logged
    def f(self, x):
        return x

    @staticmethod
    @logged
    def s(x):
        return -x
""")
    },
    setup="import m\nobj = m.C()\nbound = obj.f",
    probes=["obj.f(1)", "bound(1)", "m.C.s(1)", "obj.s(1)"],
    steps=[
        step(
            {
                "m.py": _logged_module("""
class C:
    @logged
    def f(self, x):
        return x * 100

    @staticmethod
    @logged
    def s(x):
        return -x * 100
""")
            }
        )
    ],
)

cached_property = scenario(
    "cached_property_recomputed",
    """A ``functools.cached_property`` whose getter changed: the value cached on an old instance
    by the old getter is dropped, so the next access computes the new value.""",
    before={
        "m.py": """
        import functools

        class C:
            @functools.cached_property
            def value(self):
                return "v1"
        """
    },
    setup="import m\nobj = m.C()\nobj.value",
    probes=["obj.value", "m.C().value"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        class C:
            @functools.cached_property
            def value(self):
                return "v2"
        """
            }
        )
    ],
)

contextmanager = scenario(
    "contextmanager_generator_body",
    """A ``@contextlib.contextmanager`` generator is edited: ``with`` through a held reference
    yields the new value.""",
    before={
        "m.py": """
        import contextlib

        @contextlib.contextmanager
        def ctx():
            yield 1
        """
    },
    setup="""
        import m
        from m import ctx

        def use(cm):
            with cm as value:
                return value
        """,
    probes=["use(ctx())", "use(m.ctx())"],
    steps=[
        step(
            {
                "m.py": """
        import contextlib

        @contextlib.contextmanager
        def ctx():
            yield 2
        """
            }
        )
    ],
)

singledispatch = scenario(
    "singledispatch_implementation_body",
    """A ``singledispatch`` implementation registered for ``int`` is edited: dispatch runs the
    new body; the generic function keeps its identity.""",
    before={
        "m.py": """
        import functools

        @functools.singledispatch
        def show(x):
            return "object"

        @show.register
        def _(x: int):
            return "int1"
        """
    },
    setup="import m\nfrom m import show",
    probes=["show(1)", "show('s')", "m.show(2)"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        @functools.singledispatch
        def show(x):
            return "object"

        @show.register
        def _(x: int):
            return "int2"
        """
            },
            expect={"show is m.show": True},
        )
    ],
)

decorator_other_module = scenario(
    "decorator_in_other_module_changed",
    """The decorator lives in ``deco.py`` and its wrapper body changes there: functions that
    ``m`` decorated at import (``m`` is not edited) run the new wrapper code.""",
    before={
        "deco.py": """
            def tagged(fn):
                def wrapper(*args):
                    return ("tag1", fn(*args))
                return wrapper
            """,
        "m.py": """
            from deco import tagged

            @tagged
            def f(x):
                return x
            """,
    },
    setup="import m\nfrom m import f",
    probes=["f(1)", "m.f(1)"],
    steps=[
        step(
            {
                "deco.py": """
        def tagged(fn):
            def wrapper(*args):
                return ("tag2", fn(*args))
            return wrapper
        """
            },
            reloaded=["deco"],
        )
    ],
)

overloads = scenario(
    "typing_overload_implementation_edited",
    """``@typing.overload`` stubs followed by the implementation: editing the implementation
    body keeps ``m.f`` the implementation and does not duplicate the registered overloads.""",
    before={
        "m.py": """
        from typing import overload

        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x):
            return x
        """
    },
    setup="import m, typing\nfrom m import f",
    probes=["f('a')", "m.f(2)", "len(typing.get_overloads(m.f))"],
    steps=[
        step(
            {
                "m.py": """
        from typing import overload

        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x):
            return x * 2
        """
            }
        )
    ],
)

docstring_under_plain_decorator = scenario(
    "docstring_added_under_a_decorator_without_wraps_stays_off_the_wrapper",
    """A function decorated by a decorator that does not use ``functools.wraps`` gains a
    docstring: ``help(m.f)`` shows the wrapper, whose ``__doc__`` stays None as in a fresh run
    (the new docstring is the inner function's, not copied onto the wrapper).""",
    before={
        "m.py": """
        def twice(fn):
            def inner(*args):
                return fn(*args) * 2
            return inner

        @twice
        def f(x):
            return x
        """
    },
    setup="import m\nfrom m import f",
    probes=["m.f.__doc__", "f.__doc__", "m.f.__name__", "f(2)"],
    steps=[
        step(
            {
                "m.py": """
        def twice(fn):
            def inner(*args):
                return fn(*args) * 2
            return inner

        @twice
        def f(x):
            \"\"\"changed doc\"\"\"
            return x
        """
            }
        )
    ],
)

wraps_added_with_the_function = scenario(
    "decorator_gains_wraps_in_the_save_that_edits_the_function",
    """One save edits a decorator (it starts using ``functools.wraps``) and the body of a
    function it decorates in another module: ``fzb.f.__name__`` is ``'f'`` and
    ``inspect.getsource(fzb.f)`` shows ``f``, as in a fresh run (the function was patched body
    only, keeping the old wrapper, which showed ``inner``).""",
    before={
        "fza.py": """
        import functools

        def deco(fn):
            def inner(*args):
                return fn(*args) * 2
            return inner
        """,
        "fzb.py": "from fza import deco\n\n@deco\ndef f(x):\n    return x\n",
    },
    setup="import fza, fzb",
    probes=["fzb.f.__name__", "inspect.getsource(fzb.f)", "fzb.f(1)"],
    steps=[
        step(
            {
                "fza.py": """
        import functools

        def deco(fn):
            @functools.wraps(fn)
            def inner(*args):
                return fn(*args) * 2
            return inner
        """,
                "fzb.py": "from fza import deco\n\n@deco\ndef f(x):\n    return x + 1\n",
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    wraps_body,
    wraps_docstring,
    closure_decorator,
    decorator_args_changed,
    decorator_itself_changed,
    register_once,
    routes,
    lru_cache,
    decorator_added,
    class_decorator,
    decorated_methods,
    cached_property,
    contextmanager,
    singledispatch,
    decorator_other_module,
    overloads,
    variant(register_once, "after", reloader="after"),
    variant(wraps_body, "full", strategy="full"),
    docstring_under_plain_decorator,
    wraps_added_with_the_function,
]
