"""Zero-argument ``super()``, subclasses defined elsewhere, and ``isinstance``/``issubclass``/
``except`` against kept classes.

``super()`` reads the ``__class__`` cell of the method; a method added or edited by a reload must
get a cell that points at the kept class, or calls on old instances fail with
``TypeError: super(type, obj): obj must be an instance or subtype of type``.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

FAMILY = """
class Base:
    def f(self):
        return "base"

class Child(Base):
    def f(self):
        return super().f() + "+child1"
"""

super_edited = scenario(
    "super_in_edited_method",
    """A method calling ``super()`` is edited: an instance made before the edit runs it.""",
    before={"m.py": FAMILY},
    setup="import m\nchild = m.Child()\nf = child.f",
    probes=["child.f()", "m.Child().f()", "f()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base"

        class Child(Base):
            def f(self):
                return super().f() + "+child2"
        """
            }
        )
    ],
)

super_added_method = scenario(
    "super_in_added_method",
    """A method added by the edit uses ``super()``: it works on an instance made before.""",
    before={"m.py": FAMILY},
    setup="import m\nchild = m.Child()",
    probes=["child.g()", "m.Child().g()", "child.f()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base"

            def g(self):
                return "base-g"

        class Child(Base):
            def f(self):
                return super().f() + "+child1"

            def g(self):
                return super().g() + "+child-g"
        """
            }
        )
    ],
)

gains_super = scenario(
    "method_gains_super_call",
    """A method that did not use ``super()`` starts to (it gains the ``__class__`` free
    variable), then stops again.""",
    before={
        "m.py": """
        class Base:
            def f(self):
                return "base"

        class Child(Base):
            def f(self):
                return "plain"
        """
    },
    setup="import m\nchild = m.Child()\nbound = child.f\nfrom m import Child",
    probes=[
        "child.f()",
        "bound()",
        "Child.f(child)",
        "m.Child.f.__code__.co_freevars",
        "(gc.collect(), [k.__name__ for k in m.Base.__subclasses__()])[1]",
    ],
    steps=[
        step(
            {
                "m.py": """
            class Base:
                def f(self):
                    return "base"

            class Child(Base):
                def f(self):
                    return super().f() + "+super"
            """
            }
        ),
        step(
            {
                "m.py": """
            class Base:
                def f(self):
                    return "base"

            class Child(Base):
                def f(self):
                    return "plain again"
            """
            },
            doc="super() removed again",
        ),
    ],
)

super_classmethod = scenario(
    "super_in_classmethod",
    """A classmethod using ``super()`` is edited and one is added.""",
    before={
        "m.py": """
        class Base:
            @classmethod
            def create(cls):
                return ["base", cls.__name__]

        class Child(Base):
            @classmethod
            def create(cls):
                return super().create() + ["child1"]
        """
    },
    setup="import m\nchild = m.Child()\nmk = m.Child.create",
    probes=["m.Child.create()", "child.create()", "mk()", "m.Child.other()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            @classmethod
            def create(cls):
                return ["base", cls.__name__]

        class Child(Base):
            @classmethod
            def create(cls):
                return super().create() + ["child2"]

            @classmethod
            def other(cls):
                return super().create() + ["other"]
        """
            }
        )
    ],
)

super_init = scenario(
    "super_in_init_changed",
    """``__init__`` calling ``super().__init__`` changes: new instances get the new fields, old
    instances keep theirs.""",
    before={
        "m.py": """
        class Base:
            def __init__(self, x):
                self.x = x

        class Child(Base):
            def __init__(self, x):
                super().__init__(x)
                self.kind = "v1"
        """
    },
    setup="import m\nold = m.Child(1)",
    probes=["vars(m.Child(2))"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def __init__(self, x):
                self.x = x

        class Child(Base):
            def __init__(self, x):
                super().__init__(x * 10)
                self.kind = "v2"
                self.extra = True
        """
            },
            expect={"vars(old)": {"x": 1, "kind": "v1"}},
        )
    ],
)

super_property = scenario(
    "super_in_property",
    """A property override calling ``super().label`` is edited.""",
    before={
        "m.py": """
        class Base:
            @property
            def label(self):
                return "base"

        class Child(Base):
            @property
            def label(self):
                return super().label + "!"
        """
    },
    setup="import m\nchild = m.Child()",
    probes=["child.label", "m.Child().label"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            @property
            def label(self):
                return "BASE"

        class Child(Base):
            @property
            def label(self):
                return super().label + "?"
        """
            }
        )
    ],
)

three_levels = scenario(
    "super_chain_three_levels",
    """A → B → C with ``super()`` at each level; the middle class is edited.""",
    before={
        "m.py": """
        class A:
            def f(self):
                return ["A"]

        class B(A):
            def f(self):
                return super().f() + ["B1"]

        class C(B):
            def f(self):
                return super().f() + ["C"]
        """
    },
    setup="import m\nc = m.C()\nb = m.B()",
    probes=["c.f()", "b.f()", "m.C().f()", "[k.__name__ for k in m.C.__mro__]"],
    steps=[
        step(
            {
                "m.py": """
        class A:
            def f(self):
                return ["A"]

        class B(A):
            def f(self):
                return ["B2"] + super().f()

        class C(B):
            def f(self):
                return super().f() + ["C"]
        """
            }
        )
    ],
)

session_subclass = scenario(
    "base_edited_subclass_in_session",
    """The user subclassed ``m.Base`` in the session before the edit: the subclass's
    ``super()`` call reaches the new base method; issubclass still holds.""",
    before={
        "m.py": """
        class Base:
            def f(self):
                return "base1"

            def run(self):
                return "run:" + self.hook()

            def hook(self):
                return "base-hook"
        """
    },
    setup="""
        import m

        class Sub(m.Base):
            def f(self):
                return super().f() + "+sub"

            def hook(self):
                return "sub-hook"

        s = Sub()
        """,
    probes=[
        "s.f()",
        "Sub().f()",
        "s.run()",
        "issubclass(Sub, m.Base)",
        "isinstance(s, m.Base)",
        "s.extra()",
    ],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return "base2"

            def run(self):
                return "RUN:" + self.hook()

            def hook(self):
                return "base-hook"

            def extra(self):
                return "inherited " + type(self).__name__
        """
            },
            expect={"Sub.__bases__[0] is m.Base": True},
        )
    ],
)

module_subclass = scenario(
    "base_edited_subclass_in_other_module",
    """``other.Sub`` subclasses ``m.Base``; editing ``m.Base`` is seen by ``other.Sub`` (new and
    old instances), and the subclass link survives.""",
    before={
        "m.py": """
            class Base:
                def f(self):
                    return 1
            """,
        "other.py": """
            from m import Base

            class Sub(Base):
                def f(self):
                    return super().f() + 100
            """,
    },
    setup="import m, other\nsub = other.Sub()",
    probes=[
        "sub.f()",
        "other.Sub().f()",
        "issubclass(other.Sub, m.Base)",
        "other.Base is m.Base",
        "m.Base.__subclasses__() == [other.Sub]",
    ],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def f(self):
                return 2
        """
            },
            expect={"other.Base is m.Base": True},
        )
    ],
)

subclass_module_edited = scenario(
    "subclass_module_edited_adds_super_method",
    """The subclass's own module is edited to add a ``super()``-calling method; old instances
    of the subclass can call it.""",
    before={
        "m.py": """
            class Base:
                def f(self):
                    return "base"
            """,
        "other.py": """
            from m import Base

            class Sub(Base):
                pass
            """,
    },
    setup="import m, other\nsub = other.Sub()\nSub = other.Sub",
    probes=["sub.f()", "other.Sub().f()", "issubclass(Sub, m.Base)"],
    steps=[
        step(
            {
                "other.py": """
        from m import Base

        class Sub(Base):
            def f(self):
                return super().f() + "+sub"
        """
            },
            expect={"other.Sub is Sub": True},
        )
    ],
)

except_old_reference = scenario(
    "except_with_old_class_reference",
    """The session caught ``m.Error`` through a reference taken before the edit; after editing
    the module (new message, new subclass) ``except Err`` still catches what ``m`` raises.""",
    before={
        "m.py": """
        class Error(Exception):
            pass

        def fail():
            raise Error("v1")
        """
    },
    setup="""
        import m
        Err = m.Error

        def catch(fn):
            try:
                fn()
            except Err as e:
                return type(e).__name__ + ":" + str(e)
            return "not raised"
        """,
    probes=[
        "catch(m.fail)",
        "catch(m.fail_more)",
        "issubclass(m.NotFound, Err)",
        "str(m.Error('x'))",
    ],
    steps=[
        step(
            {
                "m.py": """
        class Error(Exception):
            def __str__(self):
                return "error: " + super().__str__()

        class NotFound(Error):
            pass

        def fail():
            raise Error("v2")

        def fail_more():
            raise NotFound("nf")
        """
            },
            expect={"m.Error is Err": True},
        )
    ],
)

isinstance_kept = scenario(
    "isinstance_and_dict_keys_with_kept_class",
    """Old instances pass ``isinstance`` against the edited class; the class still works as a
    dict key held before the edit; a subclass added by the edit is a subclass.""",
    before={
        "m.py": """
        class C:
            def f(self):
                return 1
        """
    },
    setup="import m\nobj = m.C()\nkinds = {m.C: 'c'}\nC0 = m.C",
    probes=[
        "isinstance(obj, m.C)",
        "kinds.get(m.C)",
        "type(obj) is m.C",
        "issubclass(m.D, m.C)",
        "isinstance(m.D(), C0)",
        "obj.f()",
    ],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def f(self):
                return 2

        class D(C):
            pass
        """
            },
            expect={"C0 is m.C": True, "type(obj) is C0": True},
        )
    ],
)

base_gains_method = scenario(
    "base_gains_method_seen_by_subclass_instance",
    """A base class gains a method: instances of a subclass (another module) made before the
    edit inherit it.""",
    before={
        "m.py": """
            class Base:
                pass
            """,
        "other.py": """
            import m

            class Sub(m.Base):
                def name(self):
                    return "sub"
            """,
    },
    setup="import m, other\nsub = other.Sub()",
    probes=["sub.describe()", "other.Sub().describe()"],
    steps=[
        step(
            {
                "m.py": """
        class Base:
            def describe(self):
                return "I am " + self.name()
        """
            }
        )
    ],
)

init_subclass = scenario(
    "init_subclass_registry_not_repeated",
    """``Base.__init_subclass__`` registers each subclass; editing a method of a subclass (or
    of the base) must not register anything again, and the registry keeps its contents.""",
    before={
        "m.py": """
        REGISTRY = []

        class Base:
            def __init_subclass__(cls, **kwargs):
                super().__init_subclass__(**kwargs)
                REGISTRY.append(cls.__name__)

            def f(self):
                return "base"

        class Child(Base):
            def f(self):
                return "child1"
        """
    },
    setup="import m\nchild = m.Child()",
    probes=["m.REGISTRY", "child.f()"],
    steps=[
        step(
            {
                "m.py": """
            REGISTRY = []

            class Base:
                def __init_subclass__(cls, **kwargs):
                    super().__init_subclass__(**kwargs)
                    REGISTRY.append(cls.__name__)

                def f(self):
                    return "base"

            class Child(Base):
                def f(self):
                    return "child2"
            """
            },
            expect={"m.REGISTRY": ["Child"]},
        ),
        step(
            {
                "m.py": """
            REGISTRY = []

            class Base:
                def __init_subclass__(cls, **kwargs):
                    super().__init_subclass__(**kwargs)
                    REGISTRY.append(cls.__name__)

                def f(self):
                    return "BASE"

            class Child(Base):
                def f(self):
                    return super().f() + "+child3"
            """
            },
            expect={"m.REGISTRY": ["Child"]},
            doc="base and child both edited",
        ),
    ],
)

pickle_roundtrip = scenario(
    "pickle_roundtrip_after_edit",
    """An instance made before the edit pickles and unpickles after it: pickle finds the class
    at ``m.C`` (the same object), and the copy runs the new methods.""",
    before={
        "m.py": """
        class C:
            def __init__(self):
                self.data = [1, 2]

            def f(self):
                return "f1"
        """
    },
    setup="import m, pickle\nobj = m.C()",
    probes=[
        "type(pickle.loads(pickle.dumps(obj))) is m.C",
        "pickle.loads(pickle.dumps(obj)).f()",
        "pickle.loads(pickle.dumps(obj)).data",
    ],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def __init__(self):
                self.data = [1, 2]

            def f(self):
                return "f2:" + str(len(self.data))
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    super_edited,
    super_added_method,
    gains_super,
    super_classmethod,
    super_init,
    super_property,
    three_levels,
    session_subclass,
    module_subclass,
    subclass_module_edited,
    except_old_reference,
    isinstance_kept,
    base_gains_method,
    init_subclass,
    pickle_roundtrip,
    variant(super_added_method, "after", reloader="after"),
    variant(super_edited, "full", strategy="full"),
    variant(session_subclass, "full", strategy="full"),
]
