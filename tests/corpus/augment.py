"""Statements that touch an object after it was made: methods set on a class after its body, a
dict or list filled by later statements, temporaries reused between them, aliases of methods.

A fresh run makes the object and then runs every statement that touches it, in source order,
each seeing the module's names as they stand at its line. After a save the live module must be
left the same way: a class patched in place gets back what later statements set on it, an
object whose filling statement went away is made again without it, and the report names every
statement that ran again.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

AUGMENTED = """
class C:
    \"\"\"{doc}\"\"\"
    def __init__(self, x):
        self.x = x

def _eq(self, other):
    return self.x == other.x
C.__eq__ = _eq
C.__hash__ = lambda self: hash(self.x)
for _n in ("a", "b"):
    setattr(C, "get_" + _n, lambda self, _n=_n: _n)
"""

docstring_keeps_set_dunders = scenario(
    "class_docstring_edit_keeps_methods_set_after_body",
    """A class whose ``__eq__``/``__hash__`` and ``get_*`` methods are set by statements after
    its body: editing only its docstring keeps them, equality and hashing work as before, and
    the report names the statements that ran again (the class lost nothing).""",
    before={"m.py": AUGMENTED.format(doc="doc")},
    setup="import m\nold = m.C(1)",
    probes=[
        "m.C(1) == m.C(1)",
        "old == m.C(1)",
        "hash(m.C(1)) == hash(1)",
        "(m.C(1).get_a(), old.get_b())",
        "m.C.__doc__",
        "m.C.__eq__ is m._eq",
    ],
    steps=[
        step(
            {"m.py": AUGMENTED.format(doc="doc2")},
            says=["patched C", "rerun C.__eq__, C.__hash__, for _n in ('a', 'b')"],
        )
    ],
)

LOOP = """
SIDES = {sides}

class Shape:
    sides = SIDES

for _name in ("area", "perimeter"):
    setattr(Shape, _name, lambda self, _name=_name: _name + ":" + str(self.sides))
del _name
"""

loop_adds_methods = scenario(
    "loop_adding_methods_runs_again_after_class_edit",
    """A loop after a class adds methods with ``setattr``: when the class body runs again (a
    constant it reads changed), the loop runs again too, and the methods it adds work on
    instances made before the edit.""",
    before={"m.py": LOOP.format(sides=3)},
    setup="import m\nold = m.Shape()",
    probes=["old.area()", "m.Shape().perimeter()", "hasattr(m, '_name')", "m.Shape.sides"],
    steps=[
        step(
            {"m.py": LOOP.format(sides=4)},
            expect={"type(old) is m.Shape": True},
            says=["for _name in ('area', 'perimeter'), del _name", "patched Shape"],
        )
    ],
)

HELPER = """
def add_methods(cls):
    cls.double = lambda self: self.value * 2
    cls.__repr__ = lambda self: "V(" + str(self.value) + ")"
    return cls

class V:
    {extra}
    def __init__(self, value):
        self.value = value

add_methods(V)
"""

helper_adds_methods = scenario(
    "helper_function_adding_methods_runs_again",
    """``add_methods(V)`` after the class adds ``double`` and ``__repr__``; a class-level
    change that makes the body run again keeps both on old and new instances.""",
    before={"m.py": HELPER.format(extra='"""values"""')},
    setup="import m\nold = m.V(2)",
    probes=["repr(old)", "old.double()", "repr(m.V(5))", "getattr(m.V, 'unit', None)"],
    steps=[
        step(
            {"m.py": HELPER.format(extra='"""values, with a unit"""\n    unit = "cm"')},
            says=["rerun add_methods(V)"],
        )
    ],
)

DELETED = """
class Config:
    \"\"\"{doc}\"\"\"
    debug = True
    level = 1

del Config.debug
"""

del_after_body = scenario(
    "attribute_deleted_after_class_body_stays_deleted",
    """``del Config.debug`` after the body: when the class body runs again, the attribute is
    deleted again, as a fresh run leaves it.""",
    before={"m.py": DELETED.format(doc="settings")},
    setup="import m",
    probes=["hasattr(m.Config, 'debug')", "m.Config.level", "m.Config.__doc__"],
    steps=[
        step(
            {"m.py": DELETED.format(doc="all settings")},
            says=["rerun del Config.debug"],
        )
    ],
)

TEMPORARY = """
class A:
    \"\"\"{doc}\"\"\"

class B:
    \"\"\"b\"\"\"

_f = lambda self: "an A"
A.__repr__ = _f
_f = lambda self: "a B"
B.__repr__ = _f
"""

reused_temporary = scenario(
    "reused_temporary_gives_each_class_its_own_method",
    """A temporary ``_f`` set to one method for ``A``, then to another for ``B``: when ``A``'s
    body runs again, ``A.__repr__ = _f`` runs with ``_f`` as it stands at that line, so ``A``
    does not get ``B``'s method.""",
    before={"m.py": TEMPORARY.format(doc="a")},
    setup="import m\na, b = m.A(), m.B()",
    probes=["repr(a)", "repr(b)", "repr(m.A())", "m._f(None)"],
    steps=[step({"m.py": TEMPORARY.format(doc="the a")})],
)

config_item_removed = scenario(
    "removed_config_item_assignment_leaves_the_dict",
    """``CONFIG["debug"] = True`` is deleted from the source: the dict no longer has the key
    (the report does not say "nothing changed"), the session's from-import sees it too.""",
    before={
        "m.py": """
        CONFIG = {"name": "app"}
        CONFIG["debug"] = True
        CONFIG["level"] = 2
        """
    },
    setup="import m\nfrom m import CONFIG",
    probes=["m.CONFIG", "CONFIG"],
    steps=[
        step(
            {
                "m.py": """
        CONFIG = {"name": "app"}
        CONFIG["level"] = 2
        """
            },
            says=["rerun CONFIG, CONFIG['level']"],
        )
    ],
)

append_removed = scenario(
    "removed_append_leaves_the_list",
    """``PLUGINS.append("a")`` is deleted: the list is made again with the appends that
    remain, in their order.""",
    before={
        "m.py": """
        PLUGINS = []
        PLUGINS.append("a")
        PLUGINS.append("b")
        PLUGINS.extend(["c"])
        """
    },
    setup="import m",
    probes=["m.PLUGINS"],
    steps=[
        step(
            {
                "m.py": """
        PLUGINS = []
        PLUGINS.append("b")
        PLUGINS.extend(["c"])
        """
            },
            says=["rerun PLUGINS, PLUGINS.append('b'), PLUGINS.extend(['c'])"],
        )
    ],
)

append_changed = scenario(
    "changed_append_replaces_the_item",
    """``PLUGINS.append("a")`` becomes ``PLUGINS.append("z")``: the list holds ``z`` where
    ``a`` was, not both.""",
    before={
        "m.py": """
        PLUGINS = ["first"]
        PLUGINS.append("a")
        PLUGINS.append("b")
        """
    },
    setup="import m",
    probes=["m.PLUGINS"],
    steps=[
        step(
            {
                "m.py": """
        PLUGINS = ["first"]
        PLUGINS.append("z")
        PLUGINS.append("b")
        """
            },
        )
    ],
)

bare_call_removed = scenario(
    "removed_setup_call_leaves_the_state_it_filled",
    """A bare ``setup()`` call whose body fills ``STATE`` is deleted: ``STATE`` is made again
    without what it set, as a fresh run leaves it.""",
    before={
        "m.py": """
        STATE = {}

        def setup():
            STATE["ready"] = True

        setup()
        """
    },
    setup="import m\nfrom m import STATE",
    probes=["m.STATE", "STATE", "callable(m.setup)"],
    steps=[
        step(
            {
                "m.py": """
        STATE = {}

        def setup():
            STATE["ready"] = True
        """
            },
            says=["rerun STATE"],
        )
    ],
)

unknown_call_removed = scenario(
    "removed_call_with_unknown_effects_is_named_in_a_warning",
    """A bare call of a function from another module is deleted: what it did cannot be known
    or undone, so the reload applies and a warning names the statement.""",
    before={
        "helpers.py": """
        CALLS = []

        def setup():
            CALLS.append(1)
        """,
        "m.py": """
        from helpers import setup

        setup()
        VALUE = 1
        """,
    },
    setup="import m",
    probes=["m.VALUE"],
    steps=[
        step(
            {
                "m.py": """
        from helpers import setup

        VALUE = 1
        """
            },
            warns=True,
            says=["`setup()` was removed (line 3 before the edit)"],
        )
    ],
)

registry_from_table = scenario(
    "registry_filled_from_changed_table_is_filled_again",
    """``REGISTRY`` is filled by an unchanged loop over ``TABLE``; a key leaves ``TABLE``: the
    registry is made again and holds exactly the table's keys.""",
    before={
        "m.py": """
        TABLE = {"a": 1, "b": 2}
        REGISTRY = {}
        for _k, _v in TABLE.items():
            REGISTRY[_k] = _v * 10
        """
    },
    setup="import m\nfrom m import REGISTRY",
    probes=["m.REGISTRY", "REGISTRY", "(m._k, m._v)"],
    steps=[
        step(
            {
                "m.py": """
        TABLE = {"a": 1, "c": 3}
        REGISTRY = {}
        for _k, _v in TABLE.items():
            REGISTRY[_k] = _v * 10
        """
            },
            says=["rerun TABLE, REGISTRY, for _k, _v in TABLE.items()"],
        )
    ],
)

ALIAS = """
import functools

class Foo:
    @classmethod
    {deco}
    def foo(cls, x):
        return (cls.__name__, x)

foo = Foo.foo
"""

classmethod_alias = scenario(
    "alias_of_classmethod_follows_decorator_change",
    """``foo = Foo.foo`` binds a classmethod at import; when the decorators of ``Foo.foo``
    change, ``m.foo`` and the session's ``from m import foo`` behave as a fresh run's.""",
    before={"m.py": ALIAS.format(deco="")},
    setup="import m\nfrom m import foo",
    probes=["m.foo(1)", "foo(2)", "m.Foo.foo(3)", "hasattr(m.foo, 'cache_info')"],
    steps=[step({"m.py": ALIAS.format(deco="@functools.lru_cache")})],
)

attribute_statement_removed = scenario(
    "removed_attribute_statement_leaves_the_class",
    """``C.extra = 1`` after the body is deleted: the class no longer has ``extra`` (old
    instances neither), and ``C.tag = ...`` that remains is set again.""",
    before={
        "m.py": """
        class C:
            pass

        C.extra = 1
        C.tag = "t"
        """
    },
    setup="import m\nold = m.C()",
    probes=["hasattr(m.C, 'extra')", "hasattr(old, 'extra')", "m.C.tag"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            pass

        C.tag = "t"
        """
            },
            expect={"type(old) is m.C": True},
            says=["removed C.extra"],
        )
    ],
)

NAMES_LOOP = """
class C:
    pass

for _n in {names}:
    setattr(C, "get_" + _n, lambda self, _n=_n: _n)
"""

loop_names_changed = scenario(
    "loop_adding_methods_by_computed_names_changes_its_names",
    """A loop sets ``get_a``, ``get_b`` on a class by computed names; it now sets ``get_a``,
    ``get_c``: the class has exactly those, as a fresh run gives it.""",
    before={"m.py": NAMES_LOOP.format(names='("a", "b")')},
    setup="import m\nold = m.C()",
    probes=[
        "sorted(k for k in vars(m.C) if k.startswith('get_'))",
        "(old.get_a(), old.get_c())",
    ],
    steps=[step({"m.py": NAMES_LOOP.format(names='("a", "c")')}, says=["removed C.get_b"])],
)

DEF_TEMPORARY = """
class A:
    \"\"\"{doc}\"\"\"

class B:
    pass

def _show(self):
    return "an A"
A.show = _show

def _show(self):
    return "a B"
B.show = _show
"""

reused_def_temporary = scenario(
    "reused_def_name_gives_each_class_its_own_method",
    """``def _show`` is defined twice, once for ``A`` and once for ``B``: when ``A``'s body runs
    again, ``A.show`` is the first one, ``B.show`` the second.""",
    before={"m.py": DEF_TEMPORARY.format(doc="a")},
    setup="import m\na, b = m.A(), m.B()",
    probes=["a.show()", "b.show()", "m.A().show()", "m._show(None)"],
    steps=[step({"m.py": DEF_TEMPORARY.format(doc="the a")})],
)

later_rebinding_wins = scenario(
    "edited_binding_before_a_later_one_keeps_the_later_value",
    """``LIMIT = 1`` is edited while a later ``LIMIT = 2`` binds the name again: the module
    keeps ``2``, and what read ``LIMIT`` in between sees the edited value.""",
    before={
        "m.py": """
        LIMIT = 1
        HALF = LIMIT / 2
        LIMIT = 2
        """
    },
    setup="import m",
    probes=["(m.LIMIT, m.HALF)"],
    steps=[
        step(
            {
                "m.py": """
        LIMIT = 10
        HALF = LIMIT / 2
        LIMIT = 2
        """
            },
        )
    ],
)

FAILING = """
class C:
    \"\"\"{doc}\"\"\"

def _eq(self, other):
    return True

C.__eq__ = _eq
C.__hash__ = lambda self: 0
PLUGINS = ["x"]
PLUGINS.append("y")
{tail}
"""

failure_after_rerun_writers = scenario(
    "failure_after_rerun_writers_leaves_class_and_list",
    """The class body runs again and the statements that set its methods run again, then a
    later statement raises: the reload is undone, ``==`` and ``hash`` work as before and the
    list keeps its items; fixing the error applies everything.""",
    before={"m.py": FAILING.format(doc="doc", tail="")},
    setup="import m\nplugins = m.PLUGINS",
    probes=["m.C() == m.C()", "hash(m.C())", "m.PLUGINS", "m.C.__doc__"],
    steps=[
        step(
            {"m.py": FAILING.format(doc="doc2", tail='PLUGINS.remove("z")')},
            ok=False,
            error_path="m.py",
            error_line=11,
            expect={"m.PLUGINS is plugins": True},
        ),
        step({"m.py": FAILING.format(doc="doc2", tail='PLUGINS.remove("x")')}),
    ],
)

DECORATED = """
import functools

def twice(f):
    @functools.wraps(f)
    def inner(*a):
        return f(*a) * 2
    return inner

def f(x):
    return x + {n}

f = twice(f)
"""

decorated_by_assignment = scenario(
    "function_wrapped_by_a_later_assignment_is_wrapped_once",
    """``f = twice(f)`` after ``def f``: when ``f``'s body changes, ``f`` is wrapped once, as in
    a fresh run, through the module and a held from-import.""",
    before={"m.py": DECORATED.format(n=1)},
    setup="import m\nfrom m import f",
    probes=["m.f(1)", "f(1)"],
    steps=[step({"m.py": DECORATED.format(n=2)})],
)

print_removed = scenario(
    "removed_print_call_changes_nothing_and_warns_nothing",
    """A ``print(...)`` at top level is deleted: nothing a fresh run would lack stays, so no
    warning; a method set on a class by a new statement works at once.""",
    before={
        "m.py": """
        class C:
            pass

        print("loaded")
        """
    },
    setup="import m\nold = m.C()",
    probes=["old.tag"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            pass

        C.tag = "t"
        """
            },
            says=["rerun C.tag"],
        )
    ],
)


REGISTERED = """
import reg

class Model:
    \"\"\"{doc}\"\"\"

reg.site.register(Model)
"""

registered_elsewhere = scenario(
    "class_registered_with_another_modules_api_is_not_registered_twice",
    """``reg.site.register(Model)`` records the class in a registry that refuses a second
    registration: when ``Model``'s body runs again, the kept class is still the one
    registered, and the registration does not run again.""",
    before={
        "reg.py": """
        class Site:
            def __init__(self):
                self.models = {}

            def register(self, cls):
                if cls.__name__ in self.models:
                    raise ValueError(cls.__name__ + " is already registered")
                self.models[cls.__name__] = cls

        site = Site()
        """,
        "m.py": REGISTERED.format(doc="a model"),
    },
    setup="import m, reg",
    probes=["reg.site.models['Model'] is m.Model", "m.Model.__doc__", "len(reg.site.models)"],
    steps=[step({"m.py": REGISTERED.format(doc="the model")})],
)


QUIET = """
TRACK = []

def _track(func):
    TRACK.append(func.__name__)
    return func

class C:
    def method(self):
        return {value}

def _eq(self, other):
    return True

C.__eq__ = _track(_eq)
"""

method_edit_reruns_nothing = scenario(
    "method_edit_runs_no_statement_after_the_class",
    """Editing one method of a class patches that method alone: the statements after the body
    that set things on the class do not run again (their side effects do not repeat).""",
    before={"m.py": QUIET.format(value=1)},
    setup="import m\nold = m.C()",
    probes=["old.method()", "m.TRACK", "old == m.C()"],
    steps=[step({"m.py": QUIET.format(value=2)}, says=["hotswap: reloaded m: patched C.method"])],
)

SCENARIOS: list[Scenario] = [
    docstring_keeps_set_dunders,
    loop_adds_methods,
    helper_adds_methods,
    del_after_body,
    reused_temporary,
    config_item_removed,
    append_removed,
    append_changed,
    bare_call_removed,
    unknown_call_removed,
    registry_from_table,
    classmethod_alias,
    attribute_statement_removed,
    loop_names_changed,
    reused_def_temporary,
    later_rebinding_wins,
    failure_after_rerun_writers,
    decorated_by_assignment,
    print_removed,
    registered_elsewhere,
    method_edit_reruns_nothing,
]
