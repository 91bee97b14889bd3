"""Values a module computes at import from another module's functions, after saves of either.

``class C: A = fza.f(0)``, ``T = f(2)`` or ``V = mod.deco_made(1)`` run at import: when the
function they call changes, a fresh run computes them anew, so the live module must too, however
the importer names the function (``from fza import f``, ``fza.f``, a star import), whatever
decorates it (``functools.lru_cache``, a decorator of a third module), and whether or not the
importer itself was saved since it was first imported (after that, hotswap knows what its
import-time code calls from its parse, not from the code object the import hook saw).
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

CACHED = """
import functools

@functools.lru_cache(maxsize=None)
def f1(x):
    return ("{V}", x)
"""

cached_value_after_importer_restyled = scenario(
    "class_attribute_from_cached_function_after_importer_restyled",
    """A class attribute is computed at import from an ``lru_cache`` function of another module
    (``A3 = f1(0)``); the importer is saved with ``import fza`` / ``fza.f1(0)`` instead of the
    from-import, then the function's module is edited: the class attribute is the new
    function's value, as in a fresh run (it kept the old one).""",
    before={
        "fza.py": CACHED.replace("{V}", "v1"),
        "fzb.py": "from fza import f1\n\nclass C2:\n    A3 = f1(0)\n",
    },
    setup="import fza, fzb\nobj = fzb.C2()",
    probes=["fzb.C2.A3", "obj.A3", "fza.f1(0)"],
    steps=[
        step(
            {"fzb.py": "import fza\n\nclass C2:\n    A3 = fza.f1(0)\n"},
            doc="the importer restyled: same value",
        ),
        step({"fza.py": CACHED.replace("{V}", "v2")}, doc="the cached function edited"),
        step({"fza.py": CACHED.replace("{V}", "v3")}, doc="and again"),
    ],
)

DECO = """
def twice(fn):
    def inner(*args):
        return ("{V}", fn(*args))
    return inner
"""

decorated_value_after_importer_saved = scenario(
    "value_from_decorated_function_after_importer_saved",
    """``T = fzb.f2(2)`` and ``class K: B = fzb.f2(1)`` are computed at import in ``fzc`` from a
    function of ``fzb`` decorated by a decorator of ``fza``. After an unrelated save of
    ``fzc`` (a constant added), editing the decorator, then the function, gives both values
    as a fresh run computes them.""",
    before={
        "fza.py": DECO.replace("{V}", "d1"),
        "fzb.py": "import fza\n\n@fza.twice\ndef f2(x):\n    return x + 1\n",
        "fzc.py": "import fzb\n\nT = fzb.f2(2)\n\nclass K:\n    B = fzb.f2(1)\n",
    },
    setup="import fza, fzb, fzc\nfrom fzc import K",
    probes=["fzc.T", "fzc.K.B", "K.B", "fzb.f2(0)"],
    steps=[
        step(
            {"fzc.py": "import fzb\n\nLIMIT = 3\nT = fzb.f2(2)\n\nclass K:\n    B = fzb.f2(1)\n"},
            doc="an unrelated save of the importer",
        ),
        step({"fza.py": DECO.replace("{V}", "d2")}, doc="the decorator edited"),
        step(
            {"fzb.py": "import fza\n\n@fza.twice\ndef f2(x):\n    return x + 10\n"},
            doc="the decorated function edited",
        ),
    ],
)

constant_read_through_module = scenario(
    "import_time_value_follows_a_constant_read_through_import_a",
    """``V = f(0)`` is computed at import in ``fzc``, where ``f`` returns ``fza.K`` (read through
    ``import fza``). Saving ``fza`` with a new ``K`` gives ``fzc.V`` the new value, as in a
    fresh run (it kept the old one: ``f``'s code did not change, but what it reads did).""",
    before={
        "fza.py": "K = 0\n",
        "fzc.py": "import fza\n\ndef f(x):\n    return fza.K\n\nV = f(0)\n",
    },
    setup="import fza, fzc",
    probes=["fzc.V", "fzc.f(0)"],
    steps=[step({"fza.py": "K = 1\n"}, doc="the constant rebound")],
)

DOUBLE = """
def deco(fn):
    def inner(*args):
        return fn(*args) * {N}
    return inner
"""

value_from_redecorated_function = scenario(
    "class_attribute_from_a_decorated_function_follows_its_decorators_edit",
    """``class C: A = f(0)`` in ``fzb`` calls ``f``, decorated by ``fza.deco`` (a wrapper without
    ``wraps``). After a save of ``f``'s body, editing the decorator (``* 2`` to ``* 3``) gives
    ``C.A`` the new decorator's value, as in a fresh run (it kept the old one: patching the
    decorator had already moved its wrapper onto the new code, so nothing looked changed).""",
    before={
        "fza.py": DOUBLE.replace("{N}", "2"),
        "fzb.py": "from fza import deco\n\n@deco\ndef f(x):\n    return x\n\nclass C:\n"
        "    A = f(0)\n",
    },
    setup="import fza, fzb",
    probes=["fzb.C.A", "fzb.f(1)"],
    steps=[
        step(
            {
                "fzb.py": "from fza import deco\n\n@deco\ndef f(x):\n    return x + 1\n\n"
                "class C:\n    A = f(0)\n"
            },
            doc="the decorated function edited",
        ),
        step({"fza.py": DOUBLE.replace("{N}", "3")}, doc="the decorator edited"),
    ],
)

cached_caller_in_importer = scenario(
    "class_attribute_from_a_cached_caller_follows_the_called_functions_edit",
    """``fzb`` has an ``lru_cache`` function ``g`` that calls ``fza.f`` (``from fza import f``)
    and, after a save, ``class C: A = g(0)``. Editing ``f`` gives ``C.A`` the new value, as in
    a fresh run (``g``'s cache still held the old result when ``A = g(0)`` ran again).""",
    before={
        "fza.py": "def f(x):\n    return 1\n",
        "fzb.py": "import functools\nfrom fza import f\n\n@functools.lru_cache(maxsize=None)\n"
        "def g(x):\n    return f(x)\n",
    },
    setup="import fza, fzb",
    probes=["fzb.g(0)"],
    steps=[
        step(
            {
                "fzb.py": "import functools\nfrom fza import f\n\n"
                "@functools.lru_cache(maxsize=None)\ndef g(x):\n    return f(x)\n\n"
                "class C:\n    A = g(0)\n"
            },
            probes=["fzb.C.A", "fzb.g(0)"],
            doc="the class computing A = g(0) added",
        ),
        step(
            {"fza.py": "def f(x):\n    return 0\n"},
            probes=["fzb.C.A", "fzb.g(0)"],
            doc="the called function edited",
        ),
    ],
)

HELPER = """
def helper(x):
    return ("{V}", x)
"""

VIA = """
from hlp import helper

def via(x):
    return helper(x)

STORED = via(1)
"""

# ``pick("fast")`` runs at import; ``fallback`` never does, so nothing held was computed by it.
HOLDER = """
from hlp import helper

CALLS = []

def fallback():
    return helper(0)

def pick(kind):
    CALLS.append(kind)
    return 1 if kind == "fast" else fallback()

FAST = pick("fast")
"""

helper_reached_at_import_or_not = scenario(
    "helper_edit_recomputes_what_import_time_calls_reached",
    """A helper of ``hlp`` is imported by name in two modules. ``via`` stores ``via(1)`` at
    import, and ``via`` calls the helper: after the helper is edited, the stored value is the
    new helper's, as in a fresh run. ``holder`` runs ``pick("fast")`` at import, which could
    reach the helper through ``fallback`` but did not (``fallback`` never ran): its statement
    does not run again (``CALLS`` keeps one entry, as a fresh run has), and both modules call
    the new helper.""",
    before={"hlp.py": HELPER.replace("{V}", "v1"), "via.py": VIA, "holder.py": HOLDER},
    setup="import hlp, via, holder",
    probes=["via.STORED", "holder.CALLS", "holder.FAST", "via.helper(5)", "holder.helper(6)"],
    steps=[
        step({"hlp.py": HELPER.replace("{V}", "v2")}, doc="the helper edited"),
        step({"hlp.py": HELPER.replace("{V}", "v3")}, doc="and again"),
    ],
)

moved_caller_still_recomputes = scenario(
    "helper_edit_recomputes_through_a_function_moved_by_an_earlier_save",
    """``via`` stores ``via(1)`` at import. A line added at the top of ``via.py`` moves the
    function (hotswap gives it new line numbers, so a new code object that has not run yet);
    then the helper is edited: the stored value is still the new helper's, as in a fresh
    run.""",
    before={"hlp.py": HELPER.replace("{V}", "v1"), "via.py": VIA},
    setup="import hlp, via",
    probes=["via.STORED", "via.via.__code__.co_firstlineno"],
    steps=[
        step({"via.py": "NOTE = 1\n" + VIA}, doc="a line added above the caller"),
        step({"hlp.py": HELPER.replace("{V}", "v2")}, doc="the helper edited"),
    ],
)

LIMITS = """
LIMIT = {V}

def clamp(x):
    return min(x, LIMIT)

def rarely(x):
    return clamp(x) * 2
"""

USES = """
from lim import LIMIT, clamp, rarely

DOUBLE = LIMIT * 2
CLAMPED = clamp(50)
HITS = []

def build():
    HITS.append(1)
    return "built"

BUILT = build()

def later():
    return rarely(3)
"""

constant_reaches_what_ran = scenario(
    "constant_change_recomputes_values_computed_from_it_at_import",
    """``lim.LIMIT`` is imported by name and read by ``clamp``. After it changes, the importer
    holds the new value, ``DOUBLE = LIMIT * 2`` and ``CLAMPED = clamp(50)`` (computed at import)
    are recomputed as a fresh run computes them; ``build()``, which uses nothing that changed,
    does not run again (``HITS`` keeps one entry), and ``later()`` (never run) gives the new
    result when called.""",
    before={"lim.py": LIMITS.replace("{V}", "10"), "uses.py": USES},
    setup="import lim, uses",
    probes=["uses.LIMIT", "uses.DOUBLE", "uses.CLAMPED", "uses.HITS", "uses.BUILT", "uses.later()"],
    steps=[
        step({"lim.py": LIMITS.replace("{V}", "20")}, doc="the constant changed"),
        step({"lim.py": LIMITS.replace("{V}", "5")}, doc="and again"),
    ],
)

SCENARIOS: list[Scenario] = [
    cached_value_after_importer_restyled,
    decorated_value_after_importer_saved,
    constant_read_through_module,
    value_from_redecorated_function,
    cached_caller_in_importer,
    helper_reached_at_import_or_not,
    moved_caller_still_recomputes,
    constant_reaches_what_ran,
]
