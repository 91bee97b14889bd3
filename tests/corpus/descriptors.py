"""``classmethod``, ``staticmethod`` and ``property`` edits, and swaps between them and plain
methods or class attributes: the descriptor itself must be replaced, not only its inner code.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

HOLD_C = """
import m
from m import C
obj = m.C()
"""

classmethod_body = scenario(
    "classmethod_body",
    """A classmethod body changes: through the class, an old instance and a bound classmethod
    held before the edit.""",
    before={
        "m.py": """
        class C:
            @classmethod
            def make(cls):
                return cls.__name__ + "1"
        """
    },
    setup=HOLD_C + "mk = m.C.make\n",
    probes=["m.C.make()", "obj.make()", "mk()", "C.make()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            @classmethod
            def make(cls):
                return cls.__name__ + "2"
        """
            }
        )
    ],
)

staticmethod_body = scenario(
    "staticmethod_body",
    """A staticmethod body changes: through the class, an instance, and the plain function
    fetched from the class before the edit.""",
    before={
        "m.py": """
        class C:
            @staticmethod
            def util(x):
                return x + 1
        """
    },
    setup=HOLD_C + "u = m.C.util\n",
    probes=["m.C.util(1)", "obj.util(1)", "u(1)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            @staticmethod
            def util(x):
                return x + 2
        """
            }
        )
    ],
)

property_getter = scenario(
    "property_getter_changed",
    """A property getter changes: old instances compute the new value; a property object held
    before the edit also runs the new getter.""",
    before={
        "m.py": """
        class C:
            def __init__(self):
                self.w, self.h = 2, 3

            @property
            def area(self):
                return self.w * self.h
        """
    },
    setup=HOLD_C + "prop = m.C.area\n",
    probes=["obj.area", "m.C().area", "prop.fget(obj)", "prop.__get__(obj)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __init__(self):
                self.w, self.h = 2, 3

            @property
            def area(self):
                return self.w + self.h
        """
            }
        )
    ],
)

property_setter = scenario(
    "property_setter_changed",
    """A property setter changes: assigning on an old instance runs the new setter.""",
    before={
        "m.py": """
        class C:
            def __init__(self):
                self._v = 0

            @property
            def v(self):
                return self._v

            @v.setter
            def v(self, value):
                self._v = value * 2
        """
    },
    setup=HOLD_C,
    probes=["(setattr(obj, 'v', 5), obj._v)[1]", "obj.v"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __init__(self):
                self._v = 0

            @property
            def v(self):
                return self._v

            @v.setter
            def v(self, value):
                self._v = value * 3
        """
            }
        )
    ],
)

property_gains_setter = scenario(
    "property_gains_and_loses_setter",
    """A read-only property gains a setter (assignment starts working on old instances), then
    loses it again (assignment raises AttributeError).""",
    before={
        "m.py": """
        class C:
            @property
            def v(self):
                return getattr(self, "_v", 0)
        """
    },
    setup=HOLD_C,
    probes=["(setattr(obj, 'v', 5), obj.v)[1]", "m.C().v"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                @property
                def v(self):
                    return getattr(self, "_v", 0)

                @v.setter
                def v(self, value):
                    self._v = value + 1
            """
            }
        ),
        step(
            {
                "m.py": """
            class C:
                @property
                def v(self):
                    return getattr(self, "_v", 0) * 10
            """
            },
            probes=["(setattr(m.C(), 'v', 5), 1)[1]", "m.C().v"],
        ),
    ],
)

method_to_static = scenario(
    "method_becomes_staticmethod",
    """A plain method becomes a staticmethod: ``C.f(3)`` and ``obj.f(3)`` follow the new
    descriptor; then it becomes a classmethod.""",
    before={
        "m.py": """
        class C:
            def f(self, x):
                return ("method", x)
        """
    },
    setup=HOLD_C,
    probes=["m.C.f(3)", "obj.f(3)", "type(vars(m.C)['f']).__name__"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                @staticmethod
                def f(x):
                    return ("static", x)
            """
            }
        ),
        step(
            {
                "m.py": """
            class C:
                @classmethod
                def f(cls, x):
                    return ("class", cls.__name__, x)
            """
            },
            doc="staticmethod becomes classmethod",
        ),
        step(
            {
                "m.py": """
            class C:
                def f(self, x):
                    return ("method again", x)
            """
            },
            probes=["obj.f(3)", "type(vars(m.C)['f']).__name__"],
            doc="classmethod becomes a plain method",
        ),
    ],
)

method_to_classmethod = scenario(
    "method_becomes_classmethod",
    """A plain method becomes a classmethod: callable on the class without an instance.""",
    before={
        "m.py": """
        class C:
            def f(self):
                return "method"
        """
    },
    setup=HOLD_C,
    probes=["m.C.f()", "obj.f()"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            @classmethod
            def f(cls):
                return "class " + cls.__name__
        """
            }
        )
    ],
)

classmethod_to_static = scenario(
    "classmethod_becomes_staticmethod",
    """A classmethod becomes a staticmethod and back.""",
    before={
        "m.py": """
        class C:
            @classmethod
            def f(cls, x=0):
                return (cls.__name__, x)
        """
    },
    setup=HOLD_C,
    probes=["m.C.f(1)", "obj.f(1)", "type(vars(m.C)['f']).__name__"],
    steps=[
        step(
            {
                "m.py": """
            class C:
                @staticmethod
                def f(x=0):
                    return ("static", x)
            """
            }
        ),
        step(
            {
                "m.py": """
            class C:
                @classmethod
                def f(cls, x=0):
                    return (cls.__name__, x, "again")
            """
            }
        ),
    ],
)

method_to_property = scenario(
    "method_becomes_property",
    """A method becomes a property (``obj.size`` is now a value), then a property becomes a
    method again.""",
    before={
        "m.py": """
        class C:
            def size(self):
                return 3
        """
    },
    setup=HOLD_C,
    steps=[
        step(
            {
                "m.py": """
            class C:
                @property
                def size(self):
                    return 4
            """
            },
            probes=["obj.size", "m.C().size", "type(vars(m.C)['size']).__name__"],
        ),
        step(
            {
                "m.py": """
            class C:
                def size(self):
                    return 5
            """
            },
            probes=["obj.size()", "type(vars(m.C)['size']).__name__"],
        ),
    ],
)

property_to_attribute = scenario(
    "property_becomes_class_attribute",
    """A property replaced by a plain class attribute, then by a method.""",
    before={
        "m.py": """
        class C:
            @property
            def kind(self):
                return "prop"
        """
    },
    setup=HOLD_C,
    steps=[
        step(
            {
                "m.py": """
            class C:
                kind = "attr"
            """
            },
            probes=["obj.kind", "m.C.kind"],
        ),
        step(
            {
                "m.py": """
            class C:
                def kind(self):
                    return "method"
            """
            },
            probes=["obj.kind()", "m.C.kind(obj)"],
        ),
    ],
)

attribute_to_property = scenario(
    "class_attribute_becomes_property",
    """A class attribute becomes a computed property on old instances.""",
    before={
        "m.py": """
        class C:
            label = "fixed"

            def __init__(self):
                self.n = 7
        """
    },
    setup=HOLD_C,
    probes=["obj.label", "m.C().label", "isinstance(vars(m.C)['label'], property)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __init__(self):
                self.n = 7

            @property
            def label(self):
                return f"n={self.n}"
        """
            }
        )
    ],
)

static_to_function = scenario(
    "staticmethod_moved_to_module_function",
    """A staticmethod moves out of the class to a module function; the class loses it.""",
    before={
        "m.py": """
        class C:
            @staticmethod
            def helper():
                return "in class"

            def run(self):
                return self.helper()
        """
    },
    setup=HOLD_C,
    probes=["hasattr(m.C, 'helper')", "m.helper()", "obj.run()"],
    steps=[
        step(
            {
                "m.py": """
        def helper():
            return "module level"

        class C:
            def run(self):
                return helper()
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    classmethod_body,
    staticmethod_body,
    property_getter,
    property_setter,
    property_gains_setter,
    method_to_static,
    method_to_classmethod,
    classmethod_to_static,
    method_to_property,
    property_to_attribute,
    attribute_to_property,
    static_to_function,
    variant(method_to_static, "after", reloader="after"),
    variant(property_getter, "full", strategy="full"),
]
