"""Values that travel: ``from a import X`` and ``from a import *`` elsewhere, what those modules
computed from the value at import time, dependency order within one save, and files that appear
or disappear.

When ``a`` rebinds ``X``, every module (and the session) that bound the old value by a
from-import or a star import is rebound, and statements there that read it at import time
(derived constants, default arguments, class bodies) re-run as a fresh import would. Several
modules saved together reload in dependency order; a module that failed because a dependency
was broken is retried when the dependency changes.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

# -- from-imports and what was computed from them ---------------------------------------------

from_import_dependents = scenario(
    "from_import_constant_reruns_dependents",
    """``b`` did ``from a import X`` and computed ``Y = X * 2``, ``def g(y=X)`` and a class
    body from it; ``a.X`` changes: ``b.X``, ``b.Y``, the defaults (also of a method on an old
    instance), the class attribute and the session's ``from a import X`` all follow; ``b.K``
    keeps its identity.""",
    before={
        "a.py": """
            X = 2
            """,
        "b.py": """
            from a import X

            Y = X * 2

            def g(y=X):
                return y

            def read():
                return X

            class K:
                SIZE = X + 1

                def size(self, n=X):
                    return n
            """,
    },
    setup="import a, b\nfrom a import X\nK = b.K\nk = b.K()",
    probes=["b.X", "b.Y", "b.g()", "b.read()", "b.K.SIZE", "k.size()", "k.SIZE", "X"],
    steps=[
        step(
            {
                "a.py": """
            X = 5
            """
            },
            expect={"b.K is K": True},
            reloaded=["a"],
        )
    ],
)

within_module_to_session = scenario(
    "derived_value_reaches_session_from_import",
    """Inside ``a``, ``Y = X * 2`` and ``def g(y=Y)`` re-run when ``X`` changes, and the
    session's ``from a import Y, g`` sees the new ``Y`` and the new default.""",
    before={
        "a.py": """
        X = 1
        Y = X * 2

        def g(y=Y):
            return y
        """
    },
    setup="import a\nfrom a import Y, g",
    probes=["Y", "g()", "a.Y", "a.g()"],
    steps=[
        step(
            {
                "a.py": """
            X = 7
            Y = X * 2

            def g(y=Y):
                return y
            """
            },
            expect={"g is a.g": True},
        )
    ],
)

two_hops = scenario(
    "from_import_chain_two_hops",
    """``b`` derives ``Y`` from ``a.X`` and ``c`` derives ``Z`` from ``b.Y`` (both by
    from-import): changing ``a.X`` re-runs both derivations, in dependency order.""",
    before={
        "a.py": """
            X = 1
            """,
        "b.py": """
            from a import X

            Y = X + 1
            """,
        "c.py": """
            from b import Y

            Z = Y * 10

            def z():
                return Z
            """,
    },
    setup="import a, b, c\nfrom c import z",
    probes=["b.Y", "c.Y", "c.Z", "z()"],
    steps=[
        step(
            {
                "a.py": """
            X = 4
            """
            }
        )
    ],
)

aliased_from_import = scenario(
    "aliased_from_import_dependent",
    """``from a import X as LIMIT`` and ``DOUBLE = LIMIT * 2`` in ``b``: both follow a change
    of ``a.X``.""",
    before={
        "a.py": """
            X = 3
            """,
        "b.py": """
            from a import X as LIMIT

            DOUBLE = LIMIT * 2

            def limit():
                return LIMIT
            """,
    },
    setup="import a, b",
    probes=["b.LIMIT", "b.DOUBLE", "b.limit()"],
    steps=[
        step(
            {
                "a.py": """
            X = 8
            """
            }
        )
    ],
)

attribute_read_at_import = scenario(
    "module_attribute_read_at_import",
    """``b`` did ``import a`` and computed ``Y = a.X * 3`` at import: a fresh run gives the new
    product, so the statement re-runs when ``a.X`` changes.""",
    before={
        "a.py": """
            X = 1
            """,
        "b.py": """
            import a

            Y = a.X * 3

            def y():
                return Y
            """,
    },
    setup="import a, b",
    probes=["b.Y", "b.y()"],
    steps=[
        step(
            {
                "a.py": """
            X = 5
            """
            }
        )
    ],
)

class_alias_rebound = scenario(
    "name_rebound_to_another_class",
    """``Default = A`` becomes ``Default = B`` (both classes unchanged): ``m.Default`` is now
    ``B``; class ``A`` itself is untouched, so ``m.A().who()`` still says ``A``, and the
    session's ``from m import Default`` follows.""",
    before={
        "m.py": """
        class A:
            def who(self):
                return "A"

        class B:
            def who(self):
                return "B"

        Default = A
        """
    },
    setup="import m\nfrom m import Default\na = m.A()",
    probes=["m.A().who()", "m.Default is m.B", "m.Default().who()", "Default().who()", "a.who()"],
    steps=[
        step(
            {
                "m.py": """
            class A:
                def who(self):
                    return "A"

            class B:
                def who(self):
                    return "B"

            Default = B
            """
            }
        )
    ],
)

builtin_alias_rebound = scenario(
    "name_rebound_from_one_builtin_type_to_another",
    """``Number = int`` becomes ``Number = float``: ``m.Number`` and ``other``'s
    ``from m import Number`` follow, while every other reference to ``int`` (``m.KIND``,
    ``other``'s ``from m import KIND``, a list holding ``int``) stays ``int``; nothing
    warns.""",
    before={
        "m.py": """
            Number = int
            KIND = int
            """,
        "other.py": """
            from m import KIND, Number

            TYPES = [int, str]

            def convert(x):
                return Number(x)
            """,
    },
    setup="import m, other\nfrom m import Number",
    probes=[
        "m.Number",
        "m.KIND",
        "other.Number",
        "other.KIND",
        "other.TYPES",
        "other.convert('2')",
        "Number",
    ],
    steps=[
        step(
            {
                "m.py": """
            Number = float
            KIND = int
            """
            }
        )
    ],
)

replaced_class_elsewhere = scenario(
    "replaced_class_rebound_and_reread_elsewhere",
    """A ``__slots__`` layout change replaces ``m.P`` by a new class (one warning): ``other``'s
    ``from m import P`` is rebound, its factory makes new-layout instances, and
    ``DEFAULT = P(0)`` (which read ``P`` at import) re-runs, as in a fresh run.""",
    before={
        "m.py": """
            class P:
                __slots__ = ("x",)

                def __init__(self, x):
                    self.x = x
            """,
        "other.py": """
            from m import P

            DEFAULT = P(0)

            def make():
                return P(1)
            """,
    },
    setup="import m, other",
    probes=[
        "other.P is m.P",
        "isinstance(other.make(), m.P)",
        "isinstance(other.DEFAULT, m.P)",
        "m.P.__slots__",
        "other.make().y",
    ],
    steps=[
        step(
            {
                "m.py": """
            class P:
                __slots__ = ("x", "y")

                def __init__(self, x):
                    self.x = x
                    self.y = -x
            """
            },
            warns=True,
            says=["P: instance layout"],
        )
    ],
)

enum_member_elsewhere = scenario(
    "enum_member_bound_elsewhere",
    """``other`` stored ``Color.RED`` in a constant and a dict at import; ``RED``'s value
    changes: the member keeps its identity, so ``other``'s constant and dict key still are
    ``m.Color.RED`` and report the new value.""",
    before={
        "m.py": """
            from enum import Enum

            class Color(Enum):
                RED = 1
                GREEN = 2
            """,
        "other.py": """
            from m import Color

            DEFAULT = Color.RED
            LOOKUP = {Color.RED: "r", Color.GREEN: "g"}
            """,
    },
    setup="import m, other",
    probes=[
        "other.DEFAULT.value",
        "other.DEFAULT is m.Color.RED",
        "other.LOOKUP[m.Color.RED]",
        "other.LOOKUP",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum

            class Color(Enum):
                RED = 100
                GREEN = 2
            """
            }
        )
    ],
)

intenum_member_elsewhere = scenario(
    "intenum_member_recreated_bound_elsewhere",
    """An ``IntEnum`` member's value changes, so the member is a new object (one warning):
    ``other``'s ``DEFAULT = Level.HIGH`` and ``THRESHOLD = Level.HIGH + 1`` follow, as in a
    fresh run.""",
    before={
        "m.py": """
            from enum import IntEnum

            class Level(IntEnum):
                LOW = 1
                HIGH = 2
            """,
        "other.py": """
            from m import Level

            DEFAULT = Level.HIGH
            THRESHOLD = Level.HIGH + 1
            """,
    },
    setup="import m, other",
    probes=[
        "other.DEFAULT is m.Level.HIGH",
        "int(other.DEFAULT)",
        "other.THRESHOLD",
        "other.Level is m.Level",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import IntEnum

            class Level(IntEnum):
                LOW = 1
                HIGH = 20
            """
            },
            warns=True,
        )
    ],
)

# -- star imports -----------------------------------------------------------------------------

STAR_A = """
__all__ = ["one", "two"]

def one():
    return 1

def two():
    return 2

def three():
    return 3
"""

dunder_all_star = scenario(
    "dunder_all_change_reaches_star_imports",
    """``__all__`` gains ``three``, then drops ``two``: the session's and ``b``'s earlier
    ``from a import *`` gain the new name and lose the removed one, as a fresh run would.""",
    before={
        "a.py": STAR_A,
        "b.py": """
            from a import *

            def total():
                return one() + two()
            """,
    },
    mode="complete",
    setup="import a, b\nfrom a import *",
    probes=[
        "'three' in globals()",
        "'two' in globals()",
        "hasattr(b, 'three')",
        "hasattr(b, 'two')",
        "three()",
        "b.total()",
    ],
    steps=[
        step(
            {
                "a.py": """
            __all__ = ["one", "two", "three"]

            def one():
                return 1

            def two():
                return 2

            def three():
                return 3
            """
            },
            expect={"three is a.three": True},
        ),
        step(
            {
                "a.py": """
            __all__ = ["one", "three"]

            def one():
                return 1

            def two():
                return 2

            def three():
                return 3
            """
            },
            doc="two leaves __all__ (still defined in a)",
        ),
    ],
)

star_without_all = scenario(
    "star_import_without_dunder_all",
    """``a`` has no ``__all__``: a new public function and constant appear in the session and
    in ``b`` after their earlier ``from a import *``; a removed function disappears; a new
    ``_private`` name is not exported.""",
    before={
        "a.py": """
            def old():
                return "old"

            def kept():
                return "kept"
            """,
        "b.py": """
            from a import *
            """,
    },
    mode="complete",
    setup="import a, b\nfrom a import *",
    probes=[
        "'new' in globals()",
        "'old' in globals()",
        "'_private' in globals()",
        "new()",
        "LIMIT",
        "kept()",
        "hasattr(b, 'new')",
        "hasattr(b, 'old')",
        "hasattr(b, '_private')",
    ],
    steps=[
        step(
            {
                "a.py": """
            LIMIT = 10

            def kept():
                return "kept2"

            def new():
                return "new"

            def _private():
                return "hidden"
            """
            }
        )
    ],
)

star_dependent = scenario(
    "star_import_dependent_reruns",
    """``b`` did ``from a import *`` and computed ``Y = X * 2`` and a default from ``X``; when
    ``a.X`` changes, ``b.X``, ``b.Y`` and the default follow.""",
    before={
        "a.py": """
            X = 2
            """,
        "b.py": """
            from a import *

            Y = X * 2

            def g(v=X):
                return v
            """,
    },
    setup="import a, b\nfrom a import *",
    probes=["b.X", "b.Y", "b.g()", "X"],
    steps=[
        step(
            {
                "a.py": """
            X = 9
            """
            }
        )
    ],
)

package_star_chain = scenario(
    "package_star_reexport_gains_name",
    """``pkg/__init__.py`` does ``from .sub import *``; ``sub``'s ``__all__`` gains ``extra``:
    ``pkg.extra`` appears, and so does ``extra`` in the session's ``from pkg import *``.""",
    before={
        "pkg/__init__.py": """
            from .sub import *
            """,
        "pkg/sub.py": """
            __all__ = ["api"]

            def api():
                return "api"

            def extra():
                return "extra"
            """,
    },
    mode="complete",
    setup="import pkg\nfrom pkg import *",
    probes=["hasattr(pkg, 'extra')", "'extra' in globals()", "extra()", "api()"],
    steps=[
        step(
            {
                "pkg/sub.py": """
            __all__ = ["api", "extra"]

            def api():
                return "api"

            def extra():
                return "extra2"
            """
            }
        )
    ],
)

# -- dependency order and retries -------------------------------------------------------------

dependency_order = scenario(
    "one_save_importer_sorts_before_provider",
    """One save edits ``b`` to define ``Z`` and ``a`` to do ``from b import Z`` (``a`` sorts,
    and was imported, first): ``b`` reloads before ``a`` and the save applies in one step.""",
    before={
        "a.py": """
            def use():
                return "none"
            """,
        "b.py": """
            def other():
                return 1
            """,
    },
    setup="import a, b",
    probes=["a.use()", "a.Z", "b.Z"],
    steps=[
        step(
            {
                "a.py": """
            from b import Z

            def use():
                return Z
            """,
                "b.py": """
            Z = "zed"

            def other():
                return 1
            """,
            },
            reloaded=["a", "b"],
        )
    ],
)

three_module_chain = scenario(
    "one_save_three_module_class_chain",
    """One save makes ``c`` define ``Base``, ``b`` subclass it and ``a`` subclass that (all by
    from-import): the three reload in dependency order and ``a.Top`` has the full MRO.""",
    before={
        "a.py": """
            X = "a"
            """,
        "b.py": """
            X = "b"
            """,
        "c.py": """
            X = "c"
            """,
    },
    setup="import a, b, c",
    probes=["[k.__name__ for k in a.Top.__mro__]", "a.Top().hello()", "a.X"],
    steps=[
        step(
            {
                "a.py": """
            from b import Mid

            X = "a"

            class Top(Mid):
                def hello(self):
                    return "top+" + super().hello()
            """,
                "b.py": """
            from c import Base

            X = "b"

            class Mid(Base):
                def hello(self):
                    return "mid+" + super().hello()
            """,
                "c.py": """
            X = "c"

            class Base:
                def hello(self):
                    return "base"
            """,
            },
            reloaded=["a", "b", "c"],
        )
    ],
)

broken_dependency_retry = scenario(
    "dependent_retried_after_broken_dependency_fixed",
    """One save breaks ``b`` (SyntaxError) and makes ``a`` import a new name from it: ``b``
    fails at its line and ``a`` fails with it, both keep their previous version; fixing only
    ``b`` (now defining the name) applies both.""",
    before={
        "a.py": """
            def use():
                return "plain"
            """,
        "b.py": """
            def helper():
                return "h"
            """,
    },
    setup="import a, b",
    probes=["a.use()", "b.helper()"],
    steps=[
        step(
            {
                "a.py": """
            from b import Z

            def use():
                return "uses " + Z
            """,
                "b.py": """
            Z = "zed"

            def helper(:
                return "h"
            """,
            },
            ok=False,
            error_path="b.py",
            error_line=3,
        ),
        step(
            {
                "b.py": """
            Z = "zed"

            def helper():
                return "h2"
            """
            },
            probes=["a.use()", "b.helper()", "a.Z"],
            reloaded=["a", "b"],
            doc="only b.py is fixed; a is retried",
        ),
    ],
)

# -- files that appear or disappear -----------------------------------------------------------

submodule_added_later = scenario(
    "new_submodule_added_then_imported_and_edited",
    """A new ``pkg/extra.py`` appears (nothing imports it: nothing happens); the session then
    imports it and it is edited: the edit applies like in any watched module.""",
    before={
        "pkg/__init__.py": "",
        "pkg/core.py": """
            def core():
                return "core"
            """,
    },
    setup="import pkg.core",
    probes=["'pkg.extra' in sys.modules", "pkg.core.core()"],
    steps=[
        step(
            {
                "pkg/extra.py": """
            def hello():
                return "hello1"
            """
            },
            quiet=True,
        ),
        step(
            {
                "pkg/extra.py": """
            def hello():
                return "hello2"

            def more():
                return "more"
            """
            },
            pre="import pkg.extra\nfrom pkg.extra import hello\nfrom pkg import extra",
            probes=["hello()", "pkg.extra.hello()", "extra.more()", "extra is pkg.extra"],
            reloaded=["pkg.extra"],
            doc="the session imports it, then it is edited",
        ),
    ],
)

deleted_said_once = scenario(
    "deleted_module_kept_and_said_once",
    """The file of an imported module is deleted: it keeps its last version and the checkpoint
    warns once; the next save (of another module) does not warn again; when the file comes
    back with new content it reloads.""",
    before={
        "helper.py": """
            def f():
                return "help"
            """,
        "m.py": """
            def g():
                return "g1"
            """,
    },
    setup="""
        import m
        try:
            import helper
        except ImportError:  # a fresh run after the deletion
            helper = None
        """,
    probes=["m.g()"],
    steps=[
        step(
            delete=["helper.py"],
            expect={"helper.f()": "help", "helper.__name__": "helper"},
            warns=True,
            says=["helper", "file was deleted"],
        ),
        step(
            {
                "m.py": """
            def g():
                return "g2"
            """
            },
            expect={"helper.f()": "help"},
            doc="another module is saved: no second warning",
        ),
        step(
            {
                "helper.py": """
            def f():
                return "back"
            """
            },
            probes=["helper.f()", "m.g()"],
            doc="the file comes back",
        ),
    ],
)

SCENARIOS: list[Scenario] = [
    from_import_dependents,
    within_module_to_session,
    two_hops,
    aliased_from_import,
    attribute_read_at_import,
    class_alias_rebound,
    builtin_alias_rebound,
    replaced_class_elsewhere,
    enum_member_elsewhere,
    intenum_member_elsewhere,
    dunder_all_star,
    star_without_all,
    star_dependent,
    package_star_chain,
    dependency_order,
    three_module_chain,
    broken_dependency_retry,
    submodule_added_later,
    deleted_said_once,
    variant(from_import_dependents, "full", strategy="full"),
    variant(two_hops, "full", strategy="full"),
    variant(dependency_order, "full", strategy="full"),
]
