"""``@typing.overload`` stubs that come, go or stay before the real definition of a name.

A module (or a class body) may hold several ``def``s of one name: the ``@overload`` stubs
(``@overload``, ``@typing.overload``, ``@t.overload``, ``@typing_extensions.overload``) and the
real definition after them. What a fresh run leaves under the name is the last one, the real
function; references held before a save (``from m import f``, ``m.f`` kept in a list, a bound
method) must run the new real body after it, whether stubs were added above the function,
removed again or kept. Stubs pair with stubs and the real definition with the real one; a
stub added above a function never takes the function's identity.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

# -- top level -------------------------------------------------------------------------------

PLAIN = """
import typing as t

V = t.TypeVar("V")

{STUBS}
def prompt(text, default=None):
    return ("{BODY}", text, default)


def ask():
    return prompt("name?")
"""

STUB_STR = '''
@t.overload
def prompt(text: str, default: str | None = None) -> str: ...

'''

STUB_V = '''
@t.overload
def prompt(text: str, default: V | None = None) -> V: ...

'''

STUB_INT = '''
@t.overload
def prompt(text: int, default: None = None) -> int: ...

'''


def _plain(body: str, *stubs: str) -> str:
    return PLAIN.replace("{STUBS}", "".join(stubs)).replace("{BODY}", body)


overloads_added_before_function = scenario(
    "overload_stubs_added_before_function_keep_its_identity",
    """A function held by ``from m import prompt`` (and in a callback list) gains two
    ``@t.overload`` stubs above it in the same save as a body edit (click's ``prompt`` did):
    the held references run the new body and are still ``m.prompt``; the stubs are listed by
    ``typing.get_overloads``. Removing the stubs again, then adding three, keeps the same
    function object each time.""",
    before={"m.py": _plain("v1")},
    setup="import m, typing\nfrom m import prompt\ncallbacks = [m.prompt]",
    probes=[
        "prompt('a')",
        "callbacks[0]('b', 1)",
        "m.prompt('c')",
        "m.ask()",
        "m.prompt is prompt",
        "m.prompt.__name__",
    ],
    steps=[
        step(
            {"m.py": _plain("v2", STUB_STR, STUB_V)},
            expect={
                "m.prompt is callbacks[0]": True,
                "len(typing.get_overloads(m.prompt))": 2,
            },
            doc="two stubs added above the function, its body edited",
        ),
        step(
            {"m.py": _plain("v3")},
            expect={
                "m.prompt is callbacks[0]": True,
                "prompt is callbacks[0]": True,
                "len(typing.get_overloads(m.prompt))": 0,
            },
            doc="the stubs removed again, the body edited",
        ),
        step(
            {"m.py": _plain("v4", STUB_STR, STUB_V, STUB_INT)},
            expect={
                "m.prompt is callbacks[0]": True,
                "prompt is callbacks[0]": True,
                "len(typing.get_overloads(m.prompt))": 3,
            },
            doc="three stubs added, the body edited",
        ),
        step(
            {"m.py": _plain("v4", STUB_INT, STUB_V)},
            expect={
                "m.prompt is callbacks[0]": True,
                "[inspect.signature(f).parameters['text'].annotation.__name__"
                " for f in typing.get_overloads(m.prompt)]": ["int", "str"],
            },
            doc="a stub removed and the others reordered: the body as it was",
        ),
    ],
)

overloads_added_unchanged_body = scenario(
    "overload_stubs_added_before_unchanged_function",
    """Stubs added above a function whose body did not change (``from typing import
    overload``, then ``typing.overload``): the function stays what the module and the session
    hold, and it is not listed as changed.""",
    before={"m.py": "from typing import overload\nimport typing\n\n\ndef f(x):\n    return x\n"},
    setup="import m, typing\nfrom m import f\nheld = m.f",
    probes=["f(1)", "m.f('a')", "m.f is f"],
    steps=[
        step(
            {
                "m.py": (
                    "from typing import overload\nimport typing\n\n\n"
                    "@overload\ndef f(x: int) -> int: ...\n"
                    "@typing.overload\ndef f(x: str) -> str: ...\n"
                    "def f(x):\n    return x\n"
                )
            },
            expect={"m.f is held": True, "len(typing.get_overloads(m.f))": 2},
        ),
    ],
)

KEPT = """
import typing

{ABOVE}
@typing.overload
def scale(x: int) -> int: ...
@typing.overload
def scale(x: float) -> float: ...
def scale(x):
    return x * {FACTOR}
"""

overloads_kept_body_changed = scenario(
    "function_keeps_overload_stubs_while_body_changes",
    """A function with two ``@typing.overload`` stubs keeps them while its body changes, and
    again after a line is added above everything (every stub moves, one of them edited): held
    references run the new body, and ``typing.get_overloads`` lists each stub once (not once
    at its old line and once at its new one).""",
    before={"m.py": KEPT.replace("{ABOVE}", "").replace("{FACTOR}", "2")},
    setup="import m, typing\nfrom m import scale\nheld = m.scale",
    probes=["scale(2)", "m.scale(1.5)", "m.scale is scale"],
    steps=[
        step(
            {"m.py": KEPT.replace("{ABOVE}", "").replace("{FACTOR}", "3")},
            expect={"m.scale is held": True, "len(typing.get_overloads(m.scale))": 2},
        ),
        step(
            {"m.py": KEPT.replace("{ABOVE}", "LIMIT = 10\n").replace("{FACTOR}", "4")},
            expect={"m.scale is held": True, "len(typing.get_overloads(m.scale))": 2},
            doc="a line added at the top: every stub moves, the body edited",
        ),
        step(
            {
                "m.py": KEPT.replace("{ABOVE}", "LIMIT = 10\nSTEP = 1\n")
                .replace("{FACTOR}", "4")
                .replace("x: float) -> float", "x: complex) -> complex")
            },
            expect={
                "m.scale is held": True,
                "[inspect.signature(f).parameters['x'].annotation.__name__"
                " for f in typing.get_overloads(m.scale)]": ["int", "complex"],
            },
            doc="a stub edited while every stub moves: each listed once, the edited one new",
        ),
    ],
)

overloads_kept_full = variant(overloads_kept_body_changed, "full", strategy="full")

TYPEVAR = """
{ABOVE}import typing as t

V = t.TypeVar("V"{BOUND})


@t.overload
def first(x: list[V]) -> V: ...
@t.overload
def first(x: tuple[V, ...]) -> V: ...
def first(x):
    return x[0]
"""

overloads_reading_rebound_typevar = scenario(
    "overload_stubs_reading_a_rebound_typevar_listed_once",
    """Stubs whose annotations name a ``TypeVar`` run again when the ``TypeVar`` statement
    changes; saved with a line added above everything (every stub moves), each stub is listed
    once by ``typing.get_overloads``, with the new ``TypeVar``, and the function is the one
    the session holds.""",
    before={"m.py": TYPEVAR.replace("{ABOVE}", "").replace("{BOUND}", "")},
    setup="import m, typing\nfrom m import first",
    probes=["first([3])", "m.first((4,))", "m.first is first"],
    steps=[
        step(
            {"m.py": TYPEVAR.replace("{ABOVE}", "# typed\n").replace("{BOUND}", ", bound=int")},
            expect={
                "len(typing.get_overloads(m.first))": 2,
                "[str(f.__annotations__['return'].__bound__)"
                " for f in typing.get_overloads(m.first)]": ["<class 'int'>", "<class 'int'>"],
            },
        ),
    ],
)

# -- in a class body -------------------------------------------------------------------------

CLASS = """
from typing import overload

class Conv:
    {ABOVE_CONV}
    def conv(self, x):
        return ("conv {BODY}", x)

    {ABOVE_MAKE}
    @classmethod
    def make(cls, x):
        return ("make {BODY}", x)
"""

CONV_STUBS = """@overload
    def conv(self, x: int) -> int: ...

    @overload
    def conv(self, x: str) -> str: ...
"""

MAKE_STUBS = """@overload
    @classmethod
    def make(cls, x: int) -> int: ...

    @overload
    @classmethod
    def make(cls, x: str) -> str: ...
"""

MAKE_ONE_MORE = MAKE_STUBS + """
    @overload
    @classmethod
    def make(cls, x: bytes) -> bytes: ...
"""


def _class(body: str, conv: str = "", make: str = "") -> str:
    return (
        CLASS.replace("{ABOVE_CONV}", conv)
        .replace("{ABOVE_MAKE}", make)
        .replace("{BODY}", body)
    )


overloads_added_before_methods = scenario(
    "overload_stubs_added_before_methods_keep_their_identity",
    """A class's method and ``@classmethod`` gain ``@overload`` stubs above them in the same
    save as their bodies change: an instance made before, a bound method and the held function
    run the new bodies, and the class keeps its function objects. Removing the stubs again and
    adding one more keeps them too.""",
    before={"m.py": _class("v1")},
    setup=(
        "import m\nobj = m.Conv()\nbound = obj.conv\nmake = m.Conv.make\n"
        "conv_fn = m.Conv.__dict__['conv']\nmake_fn = m.Conv.__dict__['make'].__func__"
    ),
    probes=["obj.conv(1)", "bound('a')", "make(2)", "m.Conv.make('b')", "m.Conv().conv(3)"],
    steps=[
        step(
            {"m.py": _class("v2", CONV_STUBS, MAKE_STUBS)},
            expect={
                "m.Conv.__dict__['conv'] is conv_fn": True,
                "m.Conv.__dict__['make'].__func__ is make_fn": True,
                "type(obj) is m.Conv": True,
            },
            doc="stubs added above both, their bodies edited",
        ),
        step(
            {"m.py": _class("v3")},
            expect={
                "m.Conv.__dict__['conv'] is conv_fn": True,
                "m.Conv.__dict__['make'].__func__ is make_fn": True,
            },
            doc="the stubs removed again",
        ),
        step(
            {"m.py": _class("v4", CONV_STUBS, MAKE_ONE_MORE)},
            expect={
                "m.Conv.__dict__['conv'] is conv_fn": True,
                "m.Conv.__dict__['make'].__func__ is make_fn": True,
            },
            doc="stubs added again, one more for the classmethod",
        ),
    ],
)

overloads_added_before_method_only = scenario(
    "overload_stubs_added_before_unchanged_method",
    """Only stubs are added above a method (its body as it was): the class keeps its function
    and an old instance's bound method runs it.""",
    before={"m.py": _class("v1")},
    setup="import m\nobj = m.Conv()\nbound = obj.conv\nconv_fn = m.Conv.__dict__['conv']",
    probes=["obj.conv(1)", "bound('a')", "m.Conv.make(2)"],
    steps=[
        step(
            {"m.py": _class("v1", CONV_STUBS)},
            expect={"m.Conv.__dict__['conv'] is conv_fn": True},
        ),
    ],
)

SCENARIOS: list[Scenario] = [
    overloads_added_before_function,
    overloads_added_unchanged_body,
    overloads_kept_body_changed,
    overloads_kept_full,
    overloads_reading_rebound_typevar,
    overloads_added_before_methods,
    overloads_added_before_method_only,
]
