"""Classes: methods, class attributes, ``__init__``, nested classes, dunders, added/removed members.

The session holds the class, instances created before the edit, and bound methods; after the
save old instances run the new methods while keeping their own data, and ``m.C`` is the same
class object as before.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

HOLD_C = """
import m
from m import C
obj = m.C()
bound = obj.method
"""

method_body = scenario(
    "method_body",
    """A method body changes: an instance made before the edit, a bound method held before the
    edit, a new instance and ``C.method(obj)`` all run the new body; ``m.C`` keeps its identity.""",
    before={
        "m.py": """
        class C:
            def method(self):
                return "old"
        """
    },
    setup=HOLD_C,
    probes=["obj.method()", "bound()", "m.C().method()", "C.method(obj)", "isinstance(obj, m.C)"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                def method(self):
                    return "new"
            """
            },
            expect={"m.C is C": True, "type(obj) is m.C": True, "bound.__self__ is obj": True},
            reloaded=["m"],
            says=["hotswap: reloaded m", "patched C.method"],
        )
    ],
)

method_added = scenario(
    "method_added",
    """A method added to a class is callable on instances created before the edit.""",
    before={
        "m.py": """
        class C:
            def method(self):
                return 1
        """
    },
    setup=HOLD_C,
    probes=["obj.extra(2)", "hasattr(obj, 'extra')", "obj.method()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def method(self):
                return self.extra(1)

            def extra(self, n):
                return n * 10
        """
            },
            expect={"m.C is C": True},
            says=["added C.extra"],
        )
    ],
)

method_removed = scenario(
    "method_removed",
    """A method deleted from the source is gone from the class: old instances raise
    AttributeError, ``hasattr(C, name)`` is False.""",
    before={
        "m.py": """
        class C:
            def method(self):
                return 1

            def gone(self):
                return 2
        """
    },
    setup=HOLD_C,
    probes=[
        "hasattr(m.C, 'gone')",
        "hasattr(obj, 'gone')",
        "obj.method()",
        "sorted(k for k in vars(m.C) if not k.startswith('__'))",
    ],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def method(self):
                return 1
        """
            },
            says=["removed C.gone"],
        )
    ],
)

method_renamed = scenario(
    "method_renamed",
    """A method renamed: the new name works on old instances, the old name is gone.""",
    before={
        "m.py": """
        class C:
            def method(self):
                return self.old_name()

            def old_name(self):
                return "x"
        """
    },
    setup=HOLD_C,
    probes=["hasattr(obj, 'old_name')", "obj.new_name()", "obj.method()", "bound()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def method(self):
                return self.new_name()

            def new_name(self):
                return "y"
        """
            }
        )
    ],
)

class_attr_changed = scenario(
    "class_attribute_value_changed",
    """A class attribute's value changes: the class, old instances and methods reading
    ``self.LIMIT`` see the new value.""",
    before={
        "m.py": """
        class C:
            LIMIT = 10

            def method(self):
                return self.LIMIT * 2
        """
    },
    setup=HOLD_C,
    probes=["m.C.LIMIT", "obj.LIMIT", "obj.method()", "bound()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            LIMIT = 25

            def method(self):
                return self.LIMIT * 2
        """
            }
        )
    ],
)

class_registry_survives = scenario(
    "class_level_registry_survives_method_edit",
    """A class-level list that instances append to at runtime keeps its contents when another
    method of the class is edited (the class body does not reset it).""",
    before={
        "m.py": """
        class C:
            registry = []

            def add(self, item):
                self.registry.append(item)

            def method(self):
                return len(self.registry)
        """
    },
    setup=HOLD_C + "obj.add('a')\nm.C().add('b')\nkeep = m.C.registry\n",
    probes=["m.C.registry", "obj.method()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            registry = []

            def add(self, item):
                self.registry.append(item)

            def method(self):
                return len(self.registry) * 100
        """
            },
            expect={"m.C.registry is keep": True, "m.C.registry": ["a", "b"]},
        )
    ],
)

init_changed = scenario(
    "init_changed_old_instances_keep_data",
    """``__init__`` gains a field: new instances have it, instances made before the edit keep
    exactly their old attributes (nothing re-runs ``__init__`` on them).""",
    before={
        "m.py": """
        class C:
            def __init__(self, x=1):
                self.x = x

            def method(self):
                return getattr(self, "y", "no y")
        """
    },
    setup=HOLD_C + "obj.x = 5\n",
    probes=["vars(m.C(2))", "m.C(2).method()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __init__(self, x=1):
                self.x = x * 10
                self.y = "y"

            def method(self):
                return getattr(self, "y", "no y")
        """
            },
            expect={"vars(obj)": {"x": 5}, "obj.method()": "no y"},
        )
    ],
)

nested_class = scenario(
    "nested_class_method",
    """A class nested in another class: its method is edited; old instances of the inner class
    run the new method and still pass ``isinstance`` against ``m.Outer.Inner``.""",
    before={
        "m.py": """
        class Outer:
            class Inner:
                def f(self):
                    return "inner1"

            def make(self):
                return self.Inner()
        """
    },
    setup="import m\ninner = m.Outer().make()\nInner = m.Outer.Inner",
    probes=[
        "inner.f()",
        "m.Outer.Inner().f()",
        "isinstance(inner, m.Outer.Inner)",
        "m.Outer.Inner.__qualname__",
    ],
    steps=[
        step(
            {
                "m.py": """
        class Outer:
            class Inner:
                def f(self):
                    return "inner2"

                def g(self):
                    return "g"

            def make(self):
                return self.Inner()
        """
            },
            expect={"m.Outer.Inner is Inner": True, "inner.g()": "g"},
        )
    ],
)

method_nested_function = scenario(
    "method_with_nested_function",
    """A helper function defined inside a method is edited: old instances use the new helper.""",
    before={
        "m.py": """
        class C:
            def method(self):
                def helper(v):
                    return v + 1
                return helper(1)
        """
    },
    setup=HOLD_C,
    probes=["obj.method()", "bound()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def method(self):
                def helper(v):
                    return v * 50
                return helper(2)
        """
            }
        )
    ],
)

dunder_added = scenario(
    "dunder_added_updates_type_slot",
    """Adding ``__len__`` and ``__eq__`` to a class makes ``len(obj)`` and ``==`` work on old
    instances (the type's slots are refreshed, not only the class dict).""",
    before={
        "m.py": """
        class C:
            def method(self):
                return 1
        """
    },
    setup=HOLD_C,
    probes=["len(obj)", "obj == m.C()", "bool(obj)"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                def method(self):
                    return 1

                def __len__(self):
                    return 3

                def __eq__(self, other):
                    return isinstance(other, C)

                __hash__ = None
            """
            }
        ),
        step(
            {
                "m.py": """
            class C:
                def method(self):
                    return 1
            """
            },
            doc="and removed again: len() raises TypeError",
        ),
    ],
)

dunder_changed = scenario(
    "dunder_repr_and_call_changed",
    """``__repr__`` and ``__call__`` bodies change: ``repr(obj)`` and ``obj()`` follow.""",
    before={
        "m.py": """
        class C:
            def __repr__(self):
                return "C()"

            def __call__(self, x):
                return x
        """
    },
    setup="import m\nobj = m.C()",
    probes=["repr(obj)", "obj(3)", "str(obj)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __repr__(self):
                return "C<v2>"

            def __call__(self, x):
                return x * 3
        """
            }
        )
    ],
)

class_docstring = scenario(
    "class_docstring_changed",
    """The class docstring changes: ``C.__doc__`` and ``inspect.getdoc`` show the new text.""",
    before={
        "m.py": '''
        class C:
            """Old."""

            def method(self):
                """Method old."""
                return 1
        '''
    },
    setup=HOLD_C,
    probes=["m.C.__doc__", "inspect.getdoc(obj)", "m.C.method.__doc__"],
    steps=[
        step(
            {
                "m.py": '''
        class C:
            """New."""

            def method(self):
                """Method new."""
                return 1
        '''
            }
        )
    ],
)

class_added_removed = scenario(
    "class_added_and_removed",
    """A new class appears; a class deleted from the source disappears from the module.""",
    before={
        "m.py": """
        class Old:
            pass

        def make():
            return Old()
        """
    },
    setup="import m",
    probes=["hasattr(m, 'Old')", "hasattr(m, 'New')", "type(m.make()).__name__"],
    steps=[
        step(
            {
                "m.py": """
        class New:
            pass

        def make():
            return New()
        """
            }
        )
    ],
)

class_annotations = scenario(
    "class_annotations_changed",
    """Class-level annotations change: ``C.__annotations__`` follows the new source.""",
    before={
        "m.py": """
        class C:
            x: int
            y: str = "y"

            def method(self):
                return 1
        """
    },
    setup=HOLD_C,
    probes=["m.C.__annotations__", "m.C.y", "hasattr(m.C, 'z')"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            x: float
            z: list = []

            def method(self):
                return 1
        """
            }
        )
    ],
)

bases_changed = scenario(
    "class_gains_mixin_base",
    """``class C(Base)`` becomes ``class C(Base, Mixin)``: old instances get the mixin's methods
    and pass isinstance against it (a layout-compatible ``__bases__`` change).""",
    before={
        "m.py": """
        class Base:
            pass

        class Mixin:
            def hello(self):
                return "hello"

        class C(Base):
            def method(self):
                return 1
        """
    },
    setup=HOLD_C,
    probes=[
        "obj.hello()",
        "isinstance(obj, m.Mixin)",
        "[k.__name__ for k in m.C.__mro__]",
        "isinstance(obj, m.C)",
    ],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            pass

        class Mixin:
            def hello(self):
                return "hello"

        class C(Base, Mixin):
            def method(self):
                return 1
        """
            }
        )
    ],
)

attribute_of_instance_method = scenario(
    "method_reads_instance_data_set_before_edit",
    """An edited method reads data an old instance stored before the edit.""",
    before={
        "m.py": """
        class Account:
            def __init__(self):
                self.balance = 0

            def deposit(self, n):
                self.balance += n
                return self.balance
        """
    },
    setup="import m\nacct = m.Account()\nacct.deposit(5)\ndep = acct.deposit",
    probes=["m.Account().deposit(1)"],
    steps=[
        step(
            {
                "m.py": """
        class Account:
            def __init__(self):
                self.balance = 0

            def deposit(self, n):
                self.balance += n * 2
                return self.balance
        """
            },
            expect={"dep(1)": 7, "acct.balance": 7},
        )
    ],
)

override_removed = scenario(
    "override_removed_falls_back_to_base",
    """A subclass method overriding the base (and its ``__repr__``) is deleted: old instances
    fall back to the base class's method.""",
    before={
        "m.py": """
        class Base:
            def f(self):
                return "base"

        class C(Base):
            def f(self):
                return "override"

            def __repr__(self):
                return "C!"
        """
    },
    setup="import m\nobj = m.C()",
    probes=["obj.f()", "'f' in vars(m.C)", "type(obj).__repr__ is object.__repr__"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base"

        class C(Base):
            pass
        """
            }
        )
    ],
)

class_becomes_function = scenario(
    "class_name_becomes_function",
    """A name that was a class becomes a factory function (and the module keeps working).""",
    before={
        "m.py": """
        class Thing:
            def __init__(self):
                self.kind = "class"
        """
    },
    setup="import m",
    probes=["m.Thing()", "isinstance(m.Thing, type)"],
    steps=[
        step(
            {
                "m.py": """
        def Thing():
            return {"kind": "function"}
        """
            }
        )
    ],
)

async_methods = scenario(
    "async_and_generator_methods",
    """An ``async def`` method and a generator method are edited: old instances run the new
    bodies.""",
    before={
        "m.py": """
        class C:
            async def fetch(self):
                return "fetch1"

            def items(self):
                yield 1
        """
    },
    setup="import m\nobj = m.C()",
    probes=["asyncio.run(obj.fetch())", "list(obj.items())"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            async def fetch(self):
                return "fetch2"

            def items(self):
                yield 1
                yield 2
        """
            }
        )
    ],
)

custom_descriptor = scenario(
    "custom_descriptor_class_edited",
    """A descriptor class defined in the module (with ``__set_name__``) is edited: the
    descriptor instance living in another class's body runs the new ``__get__``.""",
    before={
        "m.py": """
        class Field:
            def __set_name__(self, owner, name):
                self.name = name

            def __get__(self, obj, owner=None):
                if obj is None:
                    return self
                return obj.__dict__.get(self.name, "unset")

        class C:
            x = Field()
        """
    },
    setup="import m\nobj = m.C()\nobj.__dict__['x'] = 'val'",
    probes=["obj.x", "m.C().x", "m.C.x.name"],
    steps=[
        step(
            {
                "m.py": """
        class Field:
            def __set_name__(self, owner, name):
                self.name = name

            def __get__(self, obj, owner=None):
                if obj is None:
                    return self
                return "<" + str(obj.__dict__.get(self.name, "unset")) + ">"

        class C:
            x = Field()
        """
            }
        )
    ],
)

staticmethod_lambda = scenario(
    "lambda_in_class_body",
    """``key = staticmethod(lambda x: ...)`` in a class body is edited.""",
    before={
        "m.py": """
        class C:
            key = staticmethod(lambda x: x)
        """
    },
    setup="import m\nobj = m.C()",
    probes=["m.C.key(3)", "obj.key(3)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            key = staticmethod(lambda x: -x)
        """
            }
        )
    ],
)

nested_super = scenario(
    "nested_class_gains_super_method",
    """A class nested in another class gains a method calling ``super()``: old instances of
    the nested class can call it.""",
    before={
        "m.py": """
        class Base:
            def f(self):
                return "base"

        class Outer:
            class Inner(Base):
                pass
        """
    },
    setup="import m\ninner = m.Outer.Inner()",
    probes=["inner.f()", "m.Outer.Inner().f()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base"

        class Outer:
            class Inner(Base):
                def f(self):
                    return super().f() + "+inner"
        """
            }
        )
    ],
)

decorator_added_bound = scenario(
    "bound_method_when_method_gets_decorator",
    """A method gains a ``wraps`` decorator (a new object takes its place); a bound method held
    before the edit and old instances run the decorated method.""",
    before={
        "m.py": """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return ("logged", fn(*args))
            return wrapper

        class C:
            def f(self):
                return "f"
        """
    },
    setup="import m\nobj = m.C()\nbound = obj.f",
    probes=["obj.f()", "bound()", "m.C().f()"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return ("logged", fn(*args))
            return wrapper

        class C:
            @logged
            def f(self):
                return "f"
        """
            }
        )
    ],
)

method_kind_swap = scenario(
    "method_becomes_generator_and_coroutine",
    """A method that returned a list becomes a generator, then a coroutine function: old
    instances and a bound method held before the edit follow each change.""",
    before={
        "m.py": """
        class C:
            def items(self):
                return [1, 2]
        """
    },
    setup="import m\nobj = m.C()\nbound = obj.items",
    steps=[
        step(
            {
                "m.py": """
                class C:
                    def items(self):
                        yield 1
                        yield 2
                        yield 3
                """
            },
            probes=["list(obj.items())", "list(bound())", "inspect.isgeneratorfunction(m.C.items)"],
        ),
        step(
            {
                "m.py": """
                class C:
                    async def items(self):
                        return [4]
                """
            },
            probes=["asyncio.run(obj.items())", "asyncio.run(bound())"],
            doc="now a coroutine function",
        ),
    ],
)

SCENARIOS: list[Scenario] = [
    method_body,
    method_added,
    method_removed,
    method_renamed,
    class_attr_changed,
    class_registry_survives,
    init_changed,
    nested_class,
    method_nested_function,
    dunder_added,
    dunder_changed,
    class_docstring,
    class_added_removed,
    class_annotations,
    bases_changed,
    attribute_of_instance_method,
    override_removed,
    class_becomes_function,
    async_methods,
    custom_descriptor,
    staticmethod_lambda,
    nested_super,
    decorator_added_bound,
    method_kind_swap,
    variant(method_body, "after", reloader="after"),
    variant(method_added, "full", strategy="full"),
    variant(init_changed, "full", strategy="full"),
]
