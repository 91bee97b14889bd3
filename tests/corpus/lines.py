"""Line numbers, ``inspect`` and ``linecache`` after edits that move code, and saves that change
nothing that runs (comments, blank lines, a bare touch).

Modules define ``boom()`` (raises) and ``boom_line()`` (catches and returns the traceback line
of the ``raise``), so a probe reads the line a user would see in a traceback.
"""

from __future__ import annotations

from ._model import Scenario, scenario, src, step

BOOM = """
def boom():
    raise ValueError("boom")

def boom_line():
    try:
        boom()
    except ValueError as e:
        tb = e.__traceback__.tb_next
        return tb.tb_lineno, tb.tb_frame.f_code.co_name
"""

LINE_PROBES = [
    "m.boom_line()",
    "inspect.getsourcelines(m.boom)[1]",
    "m.boom.__code__.co_firstlineno",
    "inspect.getsource(m.boom)",
    "traceback.extract_tb(m.boom_tb())[-1][1:]",
]

TB_HELPER = """

def boom_tb():
    try:
        boom()
    except ValueError as e:
        return e.__traceback__
"""


def _with_prefix(prefix: str) -> str:
    return prefix + BOOM + TB_HELPER


inserted_above = scenario(
    "lines_inserted_above_unchanged_function",
    """Lines are inserted above an unchanged function that raises: the traceback, ``inspect``
    and ``co_firstlineno`` report its new line; the source text at that line is right.""",
    before={"m.py": _with_prefix("")},
    setup="import m\nfrom m import boom_line",
    probes=[*LINE_PROBES, "boom_line()"],
    steps=[
        step(
            {
                "m.py": _with_prefix("""
import os


def new_helper():
    return os.sep
""")
            }
        ),
        step({"m.py": _with_prefix("")}, doc="lines removed again"),
    ],
)

below_edited = scenario(
    "function_below_grown_function_moves",
    """A function grows by three lines; the unchanged function below it moves down, and its
    traceback line and ``inspect`` line follow.""",
    before={
        "m.py": src("""
        def grows():
            return 1
        """)
        + BOOM
        + TB_HELPER
    },
    setup="import m",
    probes=[*LINE_PROBES, "m.grows()"],
    steps=[
        step(
            {
                "m.py": src("""
        def grows():
            a = 1
            b = 2
            c = 3
            return a + b + c
        """)
                + BOOM
                + TB_HELPER
            }
        )
    ],
)

method_moves = scenario(
    "method_moves_inside_class",
    """A method above another grows; the unchanged method below reports its new line in a
    traceback and in ``inspect``; so does the class.""",
    before={
        "m.py": """
        class C:
            def first(self):
                return 1

            def fails(self):
                raise KeyError("k")

        def fail_line():
            try:
                C().fails()
            except KeyError as e:
                return e.__traceback__.tb_next.tb_lineno
        """
    },
    setup="import m\nobj = m.C()",
    probes=[
        "m.fail_line()",
        "inspect.getsourcelines(m.C.fails)[1]",
        "inspect.getsource(m.C)",
        "inspect.getsourcelines(m.C)[1]",
        "obj.first()",
    ],
    steps=[
        step(
            {
                "m.py": """
        import math


        class C:
            def first(self):
                x = 1
                y = 2
                return x + y

            def fails(self):
                raise KeyError("k")

        def fail_line():
            try:
                C().fails()
            except KeyError as e:
                return e.__traceback__.tb_next.tb_lineno
        """
            }
        )
    ],
)

edited_source = scenario(
    "inspect_getsource_of_edited_function",
    """``inspect.getsource`` of an edited function shows the new text; ``linecache`` holds the
    new file.""",
    before={
        "m.py": """
        def f():
            return 1
        """
    },
    setup="import m\nfrom m import f",
    probes=[
        "inspect.getsource(f)",
        "inspect.getsourcelines(m.f)",
        "linecache.getline(m.__file__, 3)",
        "linecache.getline(m.__file__, 1)",
    ],
    steps=[
        step(
            {
                "m.py": """
        def f():
            # added comment
            return 2
        """
            }
        )
    ],
)

nested_lines = scenario(
    "nested_function_lines_after_move",
    """A closure made at import and a nested function both move down; their code objects and
    tracebacks report the new lines.""",
    before={
        "m.py": """
        def outer():
            def inner():
                raise RuntimeError("x")
            return inner

        handler = outer()

        def handler_line():
            try:
                handler()
            except RuntimeError as e:
                return e.__traceback__.tb_next.tb_lineno
        """
    },
    setup="import m",
    probes=[
        "m.handler_line()",
        "m.outer().__code__.co_firstlineno",
        "m.handler.__code__.co_firstlineno",
    ],
    steps=[
        step(
            {
                "m.py": """
        # a header comment
        # that pushes everything down


        def outer():
            def inner():
                raise RuntimeError("x")
            return inner

        handler = outer()

        def handler_line():
            try:
                handler()
            except RuntimeError as e:
                return e.__traceback__.tb_next.tb_lineno
        """
            }
        )
    ],
)

decorated_lines = scenario(
    "decorated_function_lines_after_move",
    """A ``wraps``-decorated function moves down: ``inspect.getsourcelines`` (which unwraps)
    and the wrapped code report the new line.""",
    before={
        "m.py": """
        import functools

        def deco(fn):
            @functools.wraps(fn)
            def wrapper(*a):
                return fn(*a)
            return wrapper

        @deco
        def f():
            return 1
        """
    },
    setup="import m\nfrom m import f",
    probes=[
        "inspect.getsourcelines(f)[1]",
        "f.__wrapped__.__code__.co_firstlineno",
        "inspect.getsource(m.f)",
    ],
    steps=[
        step(
            {
                "m.py": """
        import functools

        VERSION = 2

        def deco(fn):
            @functools.wraps(fn)
            def wrapper(*a):
                return fn(*a)
            return wrapper

        @deco
        def f():
            return 1
        """
            }
        )
    ],
)

COUNTED = """
import log
log.EVENTS.append("m ran")
"""

comment_only = scenario(
    "comment_only_edit",
    """Comment lines are added and changed: nothing re-runs (the import side effect stays
    single) and functions below the new comments report their new lines.""",
    before={
        "log.py": "EVENTS = []\n",
        "m.py": COUNTED + BOOM + TB_HELPER,
    },
    setup="import m, log",
    probes=[*LINE_PROBES, "log.EVENTS"],
    steps=[
        step(
            {"m.py": "# a new comment\n# and another\n" + COUNTED + "# note\n" + BOOM + TB_HELPER},
            expect={"log.EVENTS": ["m ran"]},
        )
    ],
)

whitespace_only = scenario(
    "whitespace_only_edit",
    """Blank lines and trailing spaces are added: nothing re-runs; line numbers follow.""",
    before={
        "log.py": "EVENTS = []\n",
        "m.py": COUNTED + BOOM + TB_HELPER,
    },
    setup="import m, log",
    probes=[*LINE_PROBES, "log.EVENTS"],
    steps=[
        step(
            {
                "m.py": "\n\n"
                + COUNTED.replace("log\n", "log   \n")
                + "\n\n\n"
                + BOOM
                + TB_HELPER
                + "\n\n"
            },
            expect={"log.EVENTS": ["m ran"]},
        )
    ],
)

touch = scenario(
    "touch_without_change",
    """The file is saved with identical content (only its mtime changes): nothing reloads,
    the report is empty, nothing re-runs.""",
    before={
        "log.py": "EVENTS = []\n",
        "m.py": COUNTED + BOOM + TB_HELPER,
    },
    setup="import m, log\nfrom m import boom",
    probes=[*LINE_PROBES, "log.EVENTS"],
    steps=[
        step(
            {"m.py": COUNTED + BOOM + TB_HELPER},
            quiet=True,
            expect={"log.EVENTS": ["m ran"], "m.boom is boom": True},
            says=["hotswap: nothing changed"],
        ),
        step(
            {"m.py": COUNTED + BOOM + TB_HELPER},
            quiet=True,
            expect={"log.EVENTS": ["m ran"]},
            doc="touched again",
        ),
    ],
)

traceback_text = scenario(
    "traceback_shows_new_source_line",
    """After an edit that moves and changes a raising function, the traceback line text is the
    new source line (``linecache`` was refreshed).""",
    before={
        "m.py": """
        def fail():
            raise ValueError("old message")

        def where():
            try:
                fail()
            except ValueError as e:
                frame = traceback.extract_tb(e.__traceback__)[-1]
                return frame.lineno, frame.line, str(e)

        import traceback
        """
    },
    setup="import m",
    probes=["m.where()"],
    steps=[
        step(
            {
                "m.py": """
        import traceback


        def fail():
            raise ValueError("new message")

        def where():
            try:
                fail()
            except ValueError as e:
                frame = traceback.extract_tb(e.__traceback__)[-1]
                return frame.lineno, frame.line, str(e)
        """
            }
        )
    ],
)

lambda_lines = scenario(
    "lambda_and_class_lines_after_move",
    """A module-level lambda and a class move down: ``co_firstlineno`` and
    ``inspect.getsourcelines`` of the class follow.""",
    before={
        "m.py": """
        sq = lambda x: x * x  # noqa: E731

        class C:
            def f(self):
                return 1
        """
    },
    setup="import m\nfrom m import C",
    probes=[
        "m.sq.__code__.co_firstlineno",
        "inspect.getsourcelines(C)[1]",
        "inspect.getsourcelines(C.f)[1]",
    ],
    steps=[
        step(
            {
                "m.py": """
        '''Module docstring added above.

        Three lines long.
        '''

        sq = lambda x: x * x  # noqa: E731

        class C:
            def f(self):
                return 1
        """
            }
        )
    ],
)

reordered = scenario(
    "functions_reordered",
    """Two functions swap places without other changes: nothing re-runs, both keep their
    identity, and each reports its new line.""",
    before={
        "log.py": "EVENTS = []\n",
        "m.py": COUNTED + BOOM + TB_HELPER,
    },
    setup="import m, log\nfrom m import boom, boom_line",
    probes=[*LINE_PROBES, "inspect.getsourcelines(m.boom_tb)[1]", "log.EVENTS"],
    steps=[
        step(
            {"m.py": COUNTED + TB_HELPER + "\n" + BOOM},
            expect={
                "m.boom is boom": True,
                "m.boom_line is boom_line": True,
                "log.EVENTS": ["m ran"],
            },
        )
    ],
)

CRLF = (BOOM + TB_HELPER).replace("\n", "\r\n")

crlf = scenario(
    "crlf_line_endings",
    """A file with Windows line endings gets lines inserted at the top: line numbers and
    ``inspect`` agree with a fresh import.""",
    before={"m.py": CRLF},
    setup="import m",
    probes=LINE_PROBES,
    steps=[step({"m.py": "import os\r\n\r\nSEP = os.sep\r\n" + CRLF})],
)

no_newline = scenario(
    "no_trailing_newline",
    """The file's last line has no newline and the edit changes that last function.""",
    before={"m.py": "def f():\n    return 1"},
    setup="import m\nfrom m import f",
    probes=["f()", "inspect.getsource(m.f)", "inspect.getsourcelines(m.f)[1]"],
    steps=[
        step({"m.py": "X = 1\n\ndef f():\n    return 2"}),
        step({"m.py": "X = 1\n\ndef f():\n    return X + 2\n"}, doc="newline added back"),
    ],
)

non_ascii = scenario(
    "non_ascii_source",
    """Non-ASCII identifiers, strings and comments (UTF-8 source): the edit applies and line
    numbers stay right.""",
    before={
        "m.py": """
        # Größe: façade
        def grüße(name="wörld"):
            return "hällo " + name

        def boom():
            raise ValueError("ß")
        """
    },
    setup="import m\nfrom m import grüße",
    probes=["grüße()", "m.grüße('ünï')", "inspect.getsourcelines(m.boom)[1]"],
    steps=[
        step(
            {
                "m.py": """
        # Größe: façade — ein längerer Kommentar
        # über zwei Zeilen
        def grüße(name="wörld"):
            return "grüß dich, " + name

        def boom():
            raise ValueError("ß")
        """
            }
        )
    ],
)

class_metadata = scenario(
    "class_firstlineno_and_static_attributes",
    """Class metadata that newer Pythons record at class creation (``__firstlineno__``,
    ``__static_attributes__`` on 3.13) follows an edit that moves the class and adds
    ``self.y`` in a method; ``inspect.getsource`` of the class is the new text.""",
    before={
        "m.py": """
        class C:
            def __init__(self):
                self.x = 1
        """
    },
    setup="import m\nobj = m.C()",
    probes=[
        "getattr(m.C, '__firstlineno__', None)",
        "getattr(m.C, '__static_attributes__', None)",
        "inspect.getsource(m.C)",
        "inspect.getsourcelines(m.C)[1]",
    ],
    steps=[
        step(
            {
                "m.py": """
        import os

        SEP = os.sep


        class C:
            def __init__(self):
                self.x = 1
                self.y = 2

            def reset(self):
                self.z = 0
        """
            }
        )
    ],
)

CACHED_BELOW = """
import functools
K = 0
K2 = K
@functools.lru_cache(maxsize=None)
def f(x):
    return 0
"""

comments_above_a_cached_function = scenario(
    "comment_lines_added_at_the_top_move_a_cached_function_below",
    """After a save that adds ``K2 = K``, a save that only adds two comment lines at the top of
    the module: ``inspect.getsource(m.f)`` of the ``lru_cache`` function below shows ``f``
    from its decorator line, as in a fresh run (it showed the module from line 1: the
    statements above the edit were taken as unchanged, lines and all).""",
    before={"m.py": CACHED_BELOW.replace("K2 = K\n", "")},
    setup="import m",
    probes=["inspect.getsourcelines(m.f)[1]", "inspect.getsource(m.f)", "m.f(1)"],
    steps=[
        step({"m.py": CACHED_BELOW}, doc="a constant added"),
        step({"m.py": "# (edited)\n# (edited)\n" + src(CACHED_BELOW)}, doc="comments on top"),
    ],
)

SCENARIOS: list[Scenario] = [
    inserted_above,
    below_edited,
    method_moves,
    edited_source,
    nested_lines,
    decorated_lines,
    comment_only,
    whitespace_only,
    touch,
    traceback_text,
    lambda_lines,
    reordered,
    crlf,
    no_newline,
    non_ascii,
    class_metadata,
    comments_above_a_cached_function,
]
