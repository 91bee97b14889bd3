"""What a branch checkout of a large real project changed that a fresh import sees differently.

Each scenario is the smallest shape of a difference ``benchmarks/checkouts.py`` found checking
out sympy 1.12.1 -> 1.13.0 in one live session (420 files at once), compared name by name with
a fresh import of 1.13.0.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

TABLE = """
_funcs = {FUNCS}

class Base:
    _kf = dict(_funcs)

class Printer(Base):
    def a(self):
        return 1

def _known(self, e):
    return "known"

for k in Printer._kf:
    setattr(Printer, "_print_%s" % k, _known)
"""

loop_over_an_inherited_table = scenario(
    "loop_over_a_table_a_subclass_inherits_runs_again_when_the_table_grows",
    """A base class builds ``_kf`` from a module table; a top-level loop adds a ``_print_<k>``
    method to a subclass for each key of ``Printer._kf`` (read through the subclass). A key
    added to the table gives the subclass the new method, as a fresh run does (sympy's
    ``PythonCodePrinter._print_isnan``: the loop did not run again).""",
    before={"m.py": TABLE.replace("{FUNCS}", "{'cos': 'cos'}")},
    setup="import m\np = m.Printer()",
    probes=[
        "sorted(n for n in vars(m.Printer) if n.startswith('_print'))",
        "p._print_isnan(0) if hasattr(p, '_print_isnan') else None",
        "m.k",
    ],
    steps=[step({"m.py": TABLE.replace("{FUNCS}", "{'cos': 'cos', 'isnan': 'isnan'}")})],
)

lazy_import_of_a_name_the_same_save_adds = scenario(
    "value_computed_through_a_lazy_import_of_a_name_the_same_save_adds",
    """One save edits ``asolve.compute`` to import ``det_bird`` inside the function, and adds
    ``det_bird`` to ``zdet``; ``doc`` (unchanged) computes ``T = compute()`` at import. ``doc``
    gets the new value, as in a fresh run: its re-run waits for ``zdet`` to apply, where it
    failed with ``ImportError`` because ``asolve`` applied first (sympy's
    ``meijerint_doc``: ``cannot import name '_det_bird'``).""",
    before={
        "zdet.py": """
            def det_old():
                return "old"
            """,
        "asolve.py": """
            def compute():
                from zdet import det_old
                return det_old()
            """,
        "doc.py": """
            from asolve import compute

            T = compute()
            """,
    },
    setup="import doc, asolve, zdet",
    probes=["doc.T", "asolve.compute()"],
    steps=[
        step(
            {
                "zdet.py": """
            def det_old():
                return "old"

            def det_bird():
                return "bird"
            """,
                "asolve.py": """
            def compute():
                from zdet import det_bird
                return det_bird()
            """,
            },
            reloaded=["doc"],
        )
    ],
)

HOOKED = """
class Basic:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        explicit = {}
        for base in reversed(cls.__bases__):
            explicit.update(getattr(base, "_explicit", {}))
        if "is_hermitian" in cls.__dict__:
            explicit["hermitian"] = cls.__dict__["is_hermitian"]
        cls._explicit = explicit
        for fact, value in explicit.items():
            setattr(cls, "is_" + fact, value)


class Operator(Basic):
    def name(self):
        return "op"
{ADDED}

class Unitary(Operator):
    pass
"""

class_attribute_a_subclass_hook_reads = scenario(
    "class_attribute_that_a_base_hook_copies_reaches_every_subclass",
    """``Basic.__init_subclass__`` copies each class's ``is_hermitian`` into ``_explicit`` and
    onto every subclass (as sympy's assumptions do). ``is_hermitian = None`` added to
    ``Operator`` reaches ``Operator._explicit`` and its subclasses in the same module and in
    another one (``vars(Boson)`` has it), as a fresh run makes them: the classes of
    ``sympy.physics.quantum`` lacked it.""",
    before={
        "base.py": HOOKED.replace("{ADDED}", ""),
        "boson.py": """
            from base import Operator

            class Boson(Operator):
                pass
            """,
    },
    setup="import base, boson\nb = boson.Boson()",
    probes=[
        "base.Operator._explicit",
        "base.Unitary._explicit",
        "boson.Boson._explicit",
        "'is_hermitian' in vars(boson.Boson)",
        "isinstance(b, base.Operator)",
        "b.name()",
    ],
    steps=[step({"base.py": HOOKED.replace("{ADDED}", "\n    is_hermitian = None")})],
)

REGISTRY = """
class Registry:
    __slots__ = ()

    def __setattr__(self, name, obj):
        setattr(self.__class__, name, obj)

    def __delattr__(self, name):
        delattr(self.__class__, name)


class SingletonRegistry(Registry):
    __slots__ = ()

    def __init__(self):
        self._classes_to_install = {}

    def register(self, cls):
        if hasattr(self, cls.__name__):
            delattr(self, cls.__name__)
        self._classes_to_install[cls.__name__] = cls

    def __getattr__(self, name):
        if name not in self._classes_to_install:
            raise AttributeError(name)
        value = self._classes_to_install.pop(name)()
        setattr(self, name, value)
        return value


S = SingletonRegistry()


class Singleton(type):
    def __init__(cls, *args, **kwargs):
        cls._instance = obj = object.__new__(cls)
        cls.__new__ = lambda cls: obj
        S.register(cls)
"""

CONSTANT = """
from core import Singleton


class Catalan(metaclass=Singleton):
    def value(self):
        return {V}
"""

singleton_keeps_its_instance = scenario(
    "singleton_made_by_its_metaclass_keeps_its_one_instance",
    """A metaclass makes each class a singleton (``cls._instance``, a ``__new__`` returning it)
    and registers it with a lazy registry ``S`` (as sympy's ``Singleton`` and ``S`` do). After
    an edit of the class, ``Catalan()`` and ``S.Catalan`` are still the one instance the
    session held, of the kept class, and run the new method: they were an instance of a
    throwaway class, and ``x is S.Catalan`` turned false.""",
    before={"core.py": REGISTRY, "consts.py": CONSTANT.replace("{V}", "0.915")},
    setup="import core, consts\nc = core.S.Catalan\nd = consts.Catalan()",
    probes=[
        "core.S.Catalan.value()",
        "type(core.S.Catalan) is consts.Catalan",
        "consts.Catalan() is core.S.Catalan",
    ],
    steps=[
        step(
            {"consts.py": CONSTANT.replace("{V}", "0.9159")},
            expect={"c is core.S.Catalan": True, "d is consts.Catalan()": True},
        )
    ],
)

importer_between_two_modules_of_a_save = scenario(
    "importer_runs_after_a_save_that_moves_a_class_to_a_new_module",
    """One save moves ``Base`` from ``amat`` (which drops its ``import math as mp``) to a new
    ``matbase``, rebases ``zdense.Matrix`` on it and edits ``bhelper.scale``; ``doc`` computes
    ``T = Matrix().make(scale(4))`` at import. ``doc`` gets the new value, as in a fresh run:
    its re-run waits for the whole save, where it ran between ``amat`` and ``zdense`` and failed
    with ``NameError: mp`` (sympy's ``hyperexpand_doc``, when ``MatrixBase`` moved to
    ``matrixbase``).""",
    before={
        "amat.py": """
            import math as mp


            class Base:
                def make(self, x):
                    return mp.sqrt(x)
            """,
        "bhelper.py": """
            def scale(x):
                return x
            """,
        "zdense.py": """
            from amat import Base


            class Matrix(Base):
                pass
            """,
        "doc.py": """
            from zdense import Matrix
            from bhelper import scale

            T = Matrix().make(scale(4))
            """,
    },
    setup="import doc, amat, bhelper, zdense",
    probes=["doc.T", "zdense.Matrix().make(1)", "hasattr(amat, 'mp')"],
    steps=[
        step(
            {
                "amat.py": "from matbase import Base\n",
                "matbase.py": """
            import math as mp


            class Base:
                def make(self, x):
                    return mp.sqrt(x) + 1
            """,
                "bhelper.py": """
            def scale(x):
                return 4 * x
            """,
                "zdense.py": """
            from matbase import Base


            class Matrix(Base):
                pass
            """,
            },
            reloaded=["doc"],
        )
    ],
)

doctest_import_is_not_an_import = scenario(
    "function_with_a_doctest_importing_its_own_name_keeps_it",
    """``pkg`` re-exports ``count`` from ``gen``, where ``count`` was a class; one save makes
    ``gen.count`` a function whose docstring shows ``>>> from pkg import count`` and makes
    ``pkg`` re-export a new ``count`` class from ``num`` (and ``half`` from ``gen``).
    ``gen.count`` is the new function, as in a fresh run: the doctest line was taken for an
    import and ``gen.count`` became ``num``'s class (sympy's ``ntheory.generate.primepi``).""",
    before={
        "pkg/__init__.py": "from .gen import count\n",
        "pkg/gen.py": """
            class count:
                def __init__(self, n):
                    self.n = n
            """,
        "pkg/num.py": "",
    },
    setup="import pkg, pkg.gen, pkg.num",
    probes=[
        "type(pkg.gen.count).__name__",
        "pkg.gen.count(3)",
        "pkg.count.__module__",
        "pkg.half(3)",
    ],
    steps=[
        step(
            {
                "pkg/__init__.py": "from .gen import half\nfrom .num import count\n",
                "pkg/gen.py": """
            def count(n):
                \"\"\"The count.

                >>> from pkg import count
                >>> count(3)
                \"\"\"
                return n - 1


            def half(n):
                return n / 2
            """,
                "pkg/num.py": """
            class count:
                def __init__(self, n):
                    self.n = n
            """,
            },
        )
    ],
)

annotation_replacing_a_value = scenario(
    "class_attribute_that_becomes_a_bare_annotation_is_gone",
    """``rows = None  # type: int`` becomes ``rows: int`` in a class body, and ``X = None`` becomes
    ``X: int`` at the top of the module: an annotation alone binds nothing, so the class and the
    module lose the names, as in a fresh run (sympy 1.14.0's ``MatrixBase.rows``/``cols``: the
    live class kept ``None``).""",
    before={
        "m.py": """
            X = None


            class M:
                rows = None  # type: int
                cols = None

                def shape(self):
                    return (self.rows, self.cols)
            """
    },
    setup="import m",
    probes=[
        "'rows' in vars(m.M), 'cols' in vars(m.M)",
        "hasattr(m, 'X')",
        "sorted(m.M.__annotations__)",
        "sorted(m.__annotations__)",
    ],
    steps=[
        step(
            {
                "m.py": """
            X: int


            class M:
                rows: int
                cols: int

                def shape(self):
                    return (self.rows, self.cols)
            """
            }
        )
    ],
)

DELETES = """
from os.path import join, split
_greek = ["alpha", "beta"]
ns{ANN} = {}
exec("x = 1", ns)
_clash = {}
while ns:
    _k, _ = ns.popitem()
    if _k in _greek:
        _clash[_k] = 1
del _greek, join, _k
"""

del_of_names_deleted_at_import = scenario(
    "del_runs_again_after_the_names_it_deletes_are_bound_again",
    """A module builds a table with helpers and temporaries, then ``del``s them (sympy's
    ``abc.py``: ``del _latin, _greek, Symbol, _k, null``). A save changes a line above (an
    annotation added to ``ns``): the loop and the ``del`` run again, and the names the ``del``
    removed at import are bound again first, so the save applies and the module ends as a
    fresh run leaves it (it failed with ``NameError: name 'Symbol' is not defined``).""",
    before={"m.py": DELETES.replace("{ANN}", "")},
    setup="import m",
    probes=[
        "sorted(k for k in vars(m) if not k.startswith('__'))",
        "m._clash",
    ],
    steps=[step({"m.py": DELETES.replace("{ANN}", ": dict")})],
)

FUTURE = """
Missing = int


def outer():
    def inner(x: Missing) -> Missing:
        return x
    return inner(1)


def plain(x: int) -> int:
    return x
"""

POSTPONED = "from __future__ import annotations\n"

future_annotations_added = scenario(
    "functions_compile_anew_when_the_module_postpones_annotations",
    """``from __future__ import annotations`` is added at the top and a name only annotations
    read is removed; the functions below are unchanged text. They run the code a fresh import
    compiles: annotations are strings, and ``outer`` (whose nested ``def`` is annotated) no
    longer evaluates ``Missing`` (sympy 1.14.0's ``polytools.lcm_list``: its old code kept
    evaluating ``Optional[Expr]`` at each call).""",
    before={"m.py": FUTURE},
    setup="import m",
    probes=["m.outer()", "m.plain.__annotations__", "hasattr(m, 'Missing')"],
    steps=[step({"m.py": POSTPONED + FUTURE.replace("Missing = int\n", "")})],
)

SCENARIOS: list[Scenario] = [
    loop_over_an_inherited_table,
    lazy_import_of_a_name_the_same_save_adds,
    class_attribute_a_subclass_hook_reads,
    singleton_keeps_its_instance,
    importer_between_two_modules_of_a_save,
    doctest_import_is_not_an_import,
    annotation_replacing_a_value,
    del_of_names_deleted_at_import,
    future_annotations_added,
]
