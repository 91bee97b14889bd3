"""Generated classes: dataclasses, named tuples, enums, metaclasses and class decorators,
``__init_subclass__``, ABCs and protocols, ``__slots__``, caches, annotations, pydantic models.

These classes get members from machinery that runs when the class statement runs (the
``dataclass`` decorator, ``EnumMeta``, ``ABCMeta``, ``namedtuple``...). After a save the kept
class (``m.C`` is still the object the session imported) must carry what a fresh run of that
machinery would give; instances made before the edit keep their own data. Where the runtime
forbids an exact update (a new ``__slots__`` layout, a named tuple that cannot grow, an
``IntEnum`` member whose value changed) the step allows the one warning that says so.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

# -- dataclasses ------------------------------------------------------------------------------

DC_HOLD = "import dataclasses, m\nfrom m import Point\nold = Point(1, 2)\n"
DC_SHAPE = [
    "[f.name for f in dataclasses.fields(m.Point)]",
    "m.Point.__match_args__",
    "str(inspect.signature(m.Point))",
]

dataclass_field_added = scenario(
    "dataclass_field_added",
    """A dataclass gains a field with a default: ``__init__``, ``__repr__``, ``__eq__``,
    ``__match_args__`` and ``dataclasses.fields()`` list it; ``m.Point`` is the class the
    session imported, and an instance made before keeps its data (and gets the new default).""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int
            y: int = 0
        """
    },
    setup=DC_HOLD,
    probes=[
        "m.Point(3)",
        "m.Point(1, 2, 3) == m.Point(1, 2, 3)",
        "m.Point(1, 2, 3) == m.Point(1, 2, 4)",
        "Point(1, 2, 3)",
        *DC_SHAPE,
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Point:
                x: int
                y: int = 0
                z: int = 5
            """
            },
            expect={
                "m.Point is Point": True,
                "(old.x, old.y)": (1, 2),
                "repr(old)": "Point(x=1, y=2, z=5)",
                "isinstance(old, m.Point)": True,
            },
            reloaded=["m"],
        )
    ],
)

dataclass_field_removed = scenario(
    "dataclass_field_removed",
    """A dataclass field is deleted: ``Point(1, 2)`` now raises TypeError, ``repr`` and ``==``
    ignore it; an old instance keeps the attribute in its ``__dict__`` but compares and prints
    by the remaining fields.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int
            y: int = 0
        """
    },
    setup="import dataclasses, m\nfrom m import Point\nold = Point(1)\nold.y = 2",
    probes=["m.Point(1)", "m.Point(1, 2)", "m.Point(1) == m.Point(1)", *DC_SHAPE],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Point:
                x: int
            """
            },
            expect={
                "m.Point is Point": True,
                "vars(old)": {"x": 1, "y": 2},
                "repr(old)": "Point(x=1)",
                "old == m.Point(1)": True,
            },
        )
    ],
)

dataclass_fields_reordered = scenario(
    "dataclass_fields_reordered_match_and_order",
    """Fields of an ``order=True`` dataclass swap places: positional construction, ``repr``,
    ordering, ``__match_args__`` and a ``match`` statement in the session follow the new
    order; an old instance is destructured by the new order too.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass(order=True)
        class Point:
            x: int
            y: int
        """
    },
    setup="""
        import dataclasses, m
        from m import Point
        old = Point(1, 2)

        def destructure(p):
            match p:
                case m.Point(a, b):
                    return (a, b)
            return None
        """,
    probes=[
        "m.Point(1, 2)",
        "destructure(m.Point(1, 2))",
        "m.Point(1, 2) < m.Point(2, 1)",
        "sorted([m.Point(1, 2), m.Point(2, 1), m.Point(0, 3)])",
        *DC_SHAPE,
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass(order=True)
            class Point:
                y: int
                x: int
            """
            },
            expect={"destructure(old)": (2, 1), "old < m.Point(3, 0)": True, "old.x": 1},
        )
    ],
)

dataclass_defaults_changed = scenario(
    "dataclass_defaults_and_default_factory_changed",
    """A field default and a ``field(default_factory=...)`` change: new instances get the new
    defaults (a fresh list per instance), ``__init__``'s signature shows them; an old instance
    keeps the values it was built with.""",
    before={
        "m.py": """
        from dataclasses import dataclass, field

        @dataclass
        class Job:
            name: str
            retries: int = 1
            tags: list = field(default_factory=list)
        """
    },
    setup="import dataclasses, m\nfrom m import Job\nold = m.Job('a')",
    probes=[
        "m.Job('b')",
        "Job('b').retries",
        "m.Job('b').tags is m.Job('c').tags",
        "m.Job.retries",
        "str(inspect.signature(m.Job))",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass, field

            @dataclass
            class Job:
                name: str
                retries: int = 3
                tags: list = field(default_factory=lambda: ["new"])
            """
            },
            expect={"repr(old)": "Job(name='a', retries=1, tags=[])", "m.Job is Job": True},
        )
    ],
)

dataclass_frozen_toggled = scenario(
    "dataclass_frozen_toggled",
    """``@dataclass`` becomes ``@dataclass(frozen=True)``: assigning a field raises
    ``FrozenInstanceError`` (on old instances too) and instances become hashable; turning
    ``frozen`` off again makes them mutable and unhashable, as a fresh run would.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass
        class Cfg:
            name: str = "a"
        """
    },
    setup="""
        import m
        from m import Cfg
        old = Cfg()

        def assign(obj):
            try:
                obj.name = "changed"
            except Exception as exc:
                return type(exc).__name__
            return obj.name
        """,
    probes=[
        "assign(m.Cfg())",
        "hash(m.Cfg('x')) == hash(m.Cfg('x'))",
        "m.Cfg.__dataclass_params__.frozen",
        "m.Cfg('x') == m.Cfg('x')",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass(frozen=True)
            class Cfg:
                name: str = "a"
            """
            },
            expect={"assign(old)": "FrozenInstanceError", "m.Cfg is Cfg": True},
        ),
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Cfg:
                name: str = "a"
            """
            },
            expect={"assign(old)": "changed", "m.Cfg is Cfg": True},
            doc="frozen turned off again",
        ),
    ],
)

dataclass_order_toggled = scenario(
    "dataclass_order_added_and_removed",
    """``order=True`` is added: ``<`` and ``sorted()`` work, old instances included; removed
    again: ``<`` raises TypeError as in a fresh run.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass
        class Version:
            major: int
            minor: int = 0
        """
    },
    setup="import m\nfrom m import Version\nold = Version(1, 5)",
    probes=[
        "m.Version(1) < m.Version(2)",
        "sorted([m.Version(2), m.Version(1, 9), m.Version(1)])",
        "m.Version(1) >= m.Version(1)",
        "'__lt__' in vars(m.Version)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass(order=True)
            class Version:
                major: int
                minor: int = 0
            """
            },
            expect={"old < m.Version(2)": True, "Version is m.Version": True},
        ),
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Version:
                major: int
                minor: int = 0
            """
            },
            doc="order removed",
        ),
    ],
)

dataclass_kw_only = scenario(
    "dataclass_kw_only_toggled",
    """``kw_only=True`` is added: positional construction raises TypeError, keywords work,
    ``__match_args__`` is empty; then one field goes back to positional with
    ``field(kw_only=False)``.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass
        class Opts:
            a: int
            b: int = 2
        """
    },
    setup="import m\nfrom m import Opts",
    probes=[
        "m.Opts(1)",
        "m.Opts(a=1)",
        "Opts(a=1, b=5)",
        "m.Opts.__match_args__",
        "str(inspect.signature(m.Opts))",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass(kw_only=True)
            class Opts:
                a: int
                b: int = 2
            """
            }
        ),
        step(
            {
                "m.py": """
            from dataclasses import dataclass, field

            @dataclass(kw_only=True)
            class Opts:
                a: int = field(kw_only=False)
                b: int = 2
            """
            },
            doc="one field positional again",
        ),
    ],
)

dataclass_post_init = scenario(
    "dataclass_post_init_and_method_edited",
    """``__post_init__`` and a method of a dataclass are edited: new instances run the new
    ``__post_init__``; an old instance runs the new method on its old data and is not
    re-initialised.""",
    before={
        "m.py": """
        from dataclasses import dataclass, field

        @dataclass
        class Order:
            qty: int
            total: int = field(init=False, default=0)

            def __post_init__(self):
                self.total = self.qty * 10

            def label(self):
                return f"{self.qty} for {self.total}"
        """
    },
    setup="import m\nold = m.Order(2)",
    probes=["m.Order(3)", "m.Order(3).label()"],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass, field

            @dataclass
            class Order:
                qty: int
                total: int = field(init=False, default=0)

                def __post_init__(self):
                    self.total = self.qty * 100

                def label(self):
                    return f"{self.qty} cost {self.total}"
            """
            },
            expect={"old.label()": "2 cost 20", "old.total": 20},
        )
    ],
)

dataclass_slots = scenario(
    "dataclass_slots_field_added",
    """A ``@dataclass(slots=True)`` gains a field: the slot layout changes, so new instances
    (and the session's ``from m import Point``) use a new class with both slots, while the
    old instance keeps its old class and data; one warning names the class and counts the
    live instances of the old layout.""",
    before={
        "m.py": """
        from dataclasses import dataclass

        @dataclass(slots=True)
        class Point:
            x: int
        """
    },
    setup="import dataclasses, m\nfrom m import Point\nold = Point(1)",
    probes=[
        "m.Point(1)",
        "m.Point(1, 2)",
        "Point(3, 4)",
        "m.Point.__slots__",
        "hasattr(m.Point(1), '__dict__')",
        "[f.name for f in dataclasses.fields(m.Point)]",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass(slots=True)
            class Point:
                x: int
                y: int = 0
            """
            },
            expect={"Point is m.Point": True, "isinstance(old, m.Point)": False, "old.x": 1},
            warns=True,
            says=["Point", "(1 live instance(s))"],
        )
    ],
)

dataclass_subclass_elsewhere = scenario(
    "dataclass_base_gains_field_subclass_in_other_module",
    """``other.py`` defines ``@dataclass class Child(Base)``; ``Base`` (in ``m``) gains a
    field. In a fresh run ``Child`` inherits it: ``Child(1)`` has ``x``, ``w`` and ``y``.""",
    before={
        "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Base:
                x: int
            """,
        "other.py": """
            from dataclasses import dataclass
            from m import Base

            @dataclass
            class Child(Base):
                y: int = 0
            """,
    },
    setup="import dataclasses, m, other\nChild = other.Child",
    probes=[
        "other.Child(1)",
        "[f.name for f in dataclasses.fields(other.Child)]",
        "str(inspect.signature(other.Child))",
        "m.Base(1)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from dataclasses import dataclass

            @dataclass
            class Base:
                x: int
                w: int = 9
            """
            },
            expect={"other.Child is Child": True, "issubclass(other.Child, m.Base)": True},
        )
    ],
)

# -- named tuples -----------------------------------------------------------------------------

typing_namedtuple_fields = scenario(
    "typing_namedtuple_field_added",
    """A ``typing.NamedTuple`` gains a field and its method changes: new instances (built
    through ``m.Pt`` or the session's ``from m import Pt``) have three fields; ``Pt`` stays the
    class users imported; an old instance keeps its two-item tuple (a tuple cannot grow), and
    one warning says so.""",
    before={
        "m.py": """
        from typing import NamedTuple

        class Pt(NamedTuple):
            x: int
            y: int = 0

            def norm1(self):
                return abs(self.x) + abs(self.y)
        """
    },
    setup="import m\nfrom m import Pt\nold = Pt(1, 2)",
    probes=[
        "m.Pt(1)",
        "Pt(1, 2, 3)",
        "m.Pt._fields",
        "m.Pt._field_defaults",
        "m.Pt(1, 2, 3).norm1()",
        "m.Pt._make([4, 5, 6])",
        "m.Pt(1)._asdict()",
    ],
    steps=[
        step(
            {
                "m.py": """
            from typing import NamedTuple

            class Pt(NamedTuple):
                x: int
                y: int = 0
                z: int = 0

                def norm1(self):
                    return abs(self.x) + abs(self.y) + abs(self.z)
            """
            },
            expect={
                "Pt is m.Pt": True,
                "tuple(old)": (1, 2),
                "(old.x, old.y)": (1, 2),
                "isinstance(old, m.Pt)": True,
            },
            warns=True,
            says=["Pt: fields changed; 1 instance(s)"],
        )
    ],
)

namedtuple_method_only = scenario(
    "typing_namedtuple_method_edited",
    """Only a method of a ``NamedTuple`` changes (fields unchanged): old instances run the new
    method, nothing is replaced and there is no warning.""",
    before={
        "m.py": """
        from typing import NamedTuple

        class Pt(NamedTuple):
            x: int
            y: int = 0

            def total(self):
                return self.x + self.y
        """
    },
    setup="import m\nfrom m import Pt\nold = Pt(1, 2)",
    probes=["old.total()", "m.Pt(3).total()", "repr(old)"],
    steps=[
        step(
            {
                "m.py": """
            from typing import NamedTuple

            class Pt(NamedTuple):
                x: int
                y: int = 0

                def total(self):
                    return (self.x + self.y) * 100
            """
            },
            expect={"Pt is m.Pt": True, "type(old) is m.Pt": True},
        )
    ],
)

collections_namedtuple = scenario(
    "collections_namedtuple_fields_changed",
    """``Row = namedtuple("Row", "a b")`` gains a field: the statement re-runs, but ``m.Row``
    and the session's ``from m import Row`` stay the class users imported, and it builds
    three-field rows; an old row keeps its two items (with a warning).""",
    before={
        "m.py": """
        from collections import namedtuple

        Row = namedtuple("Row", "a b", defaults=[0])
        """
    },
    setup="import m\nfrom m import Row\nold = Row(1)",
    probes=[
        "Row(1)",
        "m.Row(1, 2, 3)",
        "Row._fields",
        "m.Row._field_defaults",
        "Row(1)._replace(c=9)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from collections import namedtuple

            Row = namedtuple("Row", "a b c", defaults=[0, 0])
            """
            },
            expect={"Row is m.Row": True, "tuple(old)": (1, 0), "isinstance(old, Row)": True},
            warns=True,
        )
    ],
)

# -- enums ------------------------------------------------------------------------------------

COLOR = """
from enum import Enum

class Color(Enum):
    RED = 1
    GREEN = 2

    def describe(self):
        return f"{self.name}={self.value}"
"""
COLOR_HOLD = """
import m
from m import Color
red = Color.RED
names = {Color.RED: "red"}
"""

enum_value_changed = scenario(
    "enum_member_value_changed",
    """``RED = 1`` becomes ``RED = 10``: ``m.Color(10)`` finds it and ``m.Color(1)`` raises;
    the member object is the one the session held (``is``, ``==``, dict keys and the
    from-imported ``Color`` all still work) and reports its new value.""",
    before={"m.py": COLOR},
    setup=COLOR_HOLD,
    probes=[
        "m.Color.RED.value",
        "m.Color(10)",
        "m.Color(1)",
        "list(m.Color)",
        "m.Color.RED.describe()",
        "m.Color['RED']",
        "Color.RED == m.Color.RED",
        "m.Color.__members__",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum

            class Color(Enum):
                RED = 10
                GREEN = 2

                def describe(self):
                    return f"{self.name}={self.value}"
            """
            },
            expect={
                "red is m.Color.RED": True,
                "names[m.Color.RED]": "red",
                "Color is m.Color": True,
                "red.value": 10,
                "m.Color(10) is red": True,
            },
        )
    ],
)

enum_members_added_removed = scenario(
    "enum_members_added_and_removed",
    """``BLUE`` is added and ``GREEN`` removed: iteration, ``len``, lookup by name and value
    follow the source; the new member is reachable on the class the session imported;
    ``RED`` keeps its identity.""",
    before={"m.py": COLOR},
    setup=COLOR_HOLD,
    probes=[
        "[c.name for c in m.Color]",
        "len(m.Color)",
        "m.Color.BLUE",
        "m.Color(3)",
        "m.Color(2)",
        "hasattr(m.Color, 'GREEN')",
        "m.Color['GREEN']",
        "m.Color.BLUE.describe()",
        "m.Color.BLUE in m.Color",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum

            class Color(Enum):
                RED = 1
                BLUE = 3

                def describe(self):
                    return f"{self.name}={self.value}"
            """
            },
            expect={
                "Color.BLUE is m.Color.BLUE": True,
                "isinstance(m.Color.BLUE, Color)": True,
                "red is m.Color.RED": True,
                "names[m.Color.RED]": "red",
            },
        )
    ],
)

enum_methods_edited = scenario(
    "enum_methods_edited",
    """An enum's method, property and classmethod are edited and a method is added: members
    the session held run the new code.""",
    before={
        "m.py": """
        from enum import Enum

        class Color(Enum):
            RED = 1
            GREEN = 2

            def describe(self):
                return "v1:" + self.name

            @property
            def lower(self):
                return self.name.lower()

            @classmethod
            def default(cls):
                return cls.RED
        """
    },
    setup=COLOR_HOLD,
    probes=["red.describe()", "red.lower", "m.Color.default()", "red.hexa()", "Color.GREEN.hexa()"],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum

            class Color(Enum):
                RED = 1
                GREEN = 2

                def describe(self):
                    return "v2:" + self.name

                @property
                def lower(self):
                    return self.name.lower() + "!"

                @classmethod
                def default(cls):
                    return cls.GREEN

                def hexa(self):
                    return hex(self.value)
            """
            },
            expect={"red is m.Color.RED": True, "m.Color.default() is Color.GREEN": True},
        )
    ],
)

enum_auto_reordered = scenario(
    "enum_auto_members_reordered",
    """Members using ``auto()`` swap places, so their values swap: lookups by value follow;
    each member keeps its identity by name.""",
    before={
        "m.py": """
        from enum import Enum, auto

        class Step(Enum):
            FIRST = auto()
            SECOND = auto()
        """
    },
    setup="import m\nfirst = m.Step.FIRST",
    probes=["[(s.name, s.value) for s in m.Step]", "m.Step(1)", "m.Step.FIRST.value"],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum, auto

            class Step(Enum):
                SECOND = auto()
                FIRST = auto()
            """
            },
            expect={"first is m.Step.FIRST": True, "first.value": 2},
        )
    ],
)

intenum_value_changed = scenario(
    "intenum_value_changed_member_recreated",
    """An ``IntEnum`` member's value changes (2 -> 30): ints are immutable, so ``HIGH`` becomes
    a new member object of the kept class (one warning names it); ``LOW`` keeps its identity;
    comparisons and lookups follow the new value.""",
    before={
        "m.py": """
        from enum import IntEnum

        class Level(IntEnum):
            LOW = 1
            HIGH = 2
        """
    },
    setup="import m\nfrom m import Level\nlow, high = Level.LOW, Level.HIGH",
    probes=[
        "int(m.Level.HIGH)",
        "m.Level(30)",
        "m.Level(2)",
        "m.Level.HIGH == 30",
        "sorted(m.Level)",
        "Level.HIGH > Level.LOW",
        "isinstance(Level.HIGH, Level)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import IntEnum

            class Level(IntEnum):
                LOW = 1
                HIGH = 30
            """
            },
            expect={
                "low is m.Level.LOW": True,
                "Level is m.Level": True,
                "high is m.Level.HIGH": False,
                "int(high)": 2,
            },
            warns=True,
            says=["Level.HIGH: the value of a member"],
        )
    ],
)

strenum_members = scenario(
    "strenum_member_added_method_edited",
    """A ``StrEnum`` gains a member and its method changes: members the session held keep
    their identity and run the new method; then a member's string value changes, which makes
    it a new object (warning).""",
    before={
        "m.py": """
        from enum import StrEnum

        class Mode(StrEnum):
            FAST = "fast"
            SLOW = "slow"

            def shout(self):
                return self.upper()
        """
    },
    setup="import m\nfrom m import Mode\nfast = Mode.FAST",
    probes=[
        "list(m.Mode)",
        "m.Mode('safe')",
        "m.Mode.FAST.shout()",
        "f'{m.Mode.SAFE}'",
        "m.Mode.FAST == 'fast'",
        "Mode.SAFE in Mode",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import StrEnum

            class Mode(StrEnum):
                FAST = "fast"
                SLOW = "slow"
                SAFE = "safe"

                def shout(self):
                    return self.upper() + "!"
            """
            },
            expect={"fast is m.Mode.FAST": True, "fast.shout()": "FAST!"},
        ),
        step(
            {
                "m.py": """
            from enum import StrEnum

            class Mode(StrEnum):
                FAST = "quick"
                SLOW = "slow"
                SAFE = "safe"

                def shout(self):
                    return self.upper() + "!"
            """
            },
            probes=["list(m.Mode)", "m.Mode('quick')", "m.Mode('fast')", "Mode.FAST.shout()"],
            expect={"fast is m.Mode.FAST": False, "str(fast)": "fast", "Mode is m.Mode": True},
            warns=True,
            doc="a member's value changes",
        ),
    ],
)

flag_member_added = scenario(
    "flag_member_added",
    """A ``Flag`` gains a member: iteration, combinations, ``~`` and lookup of combined values
    follow the new set of bits; the members the session held keep their identity.""",
    before={
        "m.py": """
        from enum import Flag, auto

        class Perm(Flag):
            R = auto()
            W = auto()
        """
    },
    setup="""
        import m
        from m import Perm
        r, w = Perm.R, Perm.W
        rw, inv = Perm.R | Perm.W, ~Perm.R
        """,
    probes=[
        "list(m.Perm)",
        "m.Perm.R | m.Perm.X",
        "m.Perm(7)",
        "~m.Perm.R",
        "m.Perm.X in (m.Perm.R | m.Perm.X)",
        "m.Perm(3)",
        "len(m.Perm)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import Flag, auto

            class Perm(Flag):
                R = auto()
                W = auto()
                X = auto()
            """
            },
            expect={"r is m.Perm.R": True, "(r | w) == m.Perm(3)": True, "Perm is m.Perm": True},
        )
    ],
)

enum_with_init = scenario(
    "enum_tuple_values_with_init_changed",
    """An enum whose members unpack tuple values in ``__init__`` (``EARTH = (mass, radius)``)
    gets new numbers and a new method: the held member keeps its identity and carries the new
    attributes.""",
    before={
        "m.py": """
        from enum import Enum

        class Planet(Enum):
            MERCURY = (3, 2)
            EARTH = (6, 6)

            def __init__(self, mass, radius):
                self.mass = mass
                self.radius = radius

            def density(self):
                return self.mass / self.radius
        """
    },
    setup="import m\nearth = m.Planet.EARTH",
    probes=[
        "(m.Planet.EARTH.mass, m.Planet.EARTH.radius)",
        "m.Planet.EARTH.value",
        "m.Planet((60, 6))",
        "m.Planet.EARTH.density()",
        "m.Planet.EARTH.gravity()",
    ],
    steps=[
        step(
            {
                "m.py": """
            from enum import Enum

            class Planet(Enum):
                MERCURY = (3, 2)
                EARTH = (60, 6)

                def __init__(self, mass, radius):
                    self.mass = mass
                    self.radius = radius

                def density(self):
                    return self.mass / self.radius

                def gravity(self):
                    return self.mass / self.radius ** 2
            """
            },
            expect={"earth is m.Planet.EARTH": True, "earth.mass": 60, "earth.value": (60, 6)},
        )
    ],
)

# -- metaclasses, class decorators, __init_subclass__ -----------------------------------------

metaclass_changed = scenario(
    "metaclass_definition_changed",
    """The metaclass's ``__new__`` and a metaclass method change: classes built by it (in
    ``m`` and in ``other``) carry what the new metaclass gives, and stay the classes the
    session holds.""",
    before={
        "m.py": """
            class Meta(type):
                def __new__(mcls, name, bases, ns):
                    cls = super().__new__(mcls, name, bases, ns)
                    cls.tag = name.lower() + "-v1"
                    return cls

                def describe(cls):
                    return "meta1:" + cls.__name__

            class Model(metaclass=Meta):
                def f(self):
                    return 1
            """,
        "other.py": """
            from m import Meta

            class Other(metaclass=Meta):
                pass
            """,
    },
    setup="import m, other\nfrom m import Model\nobj = Model()\nOther = other.Other",
    probes=[
        "m.Model.tag",
        "m.Model.describe()",
        "other.Other.tag",
        "other.Other.describe()",
        "obj.f()",
        "type(m.Model).__name__",
    ],
    steps=[
        step(
            {
                "m.py": """
            class Meta(type):
                def __new__(mcls, name, bases, ns):
                    cls = super().__new__(mcls, name, bases, ns)
                    cls.tag = name.lower() + "-v2"
                    return cls

                def describe(cls):
                    return "meta2:" + cls.__name__

            class Model(metaclass=Meta):
                def f(self):
                    return 1
            """
            },
            expect={
                "Model is m.Model": True,
                "Other is other.Other": True,
                "type(m.Model) is m.Meta": True,
                "isinstance(obj, m.Model)": True,
            },
        )
    ],
)

metaclass_switched = scenario(
    "class_switches_metaclass",
    """``class C(metaclass=A)`` becomes ``class C(metaclass=B)``: ``type(m.C)`` is ``B`` and
    what ``B`` adds is there, as in a fresh run.""",
    before={
        "m.py": """
        class A(type):
            def kind(cls):
                return "A"

        class B(type):
            def kind(cls):
                return "B"

        class C(metaclass=A):
            def f(self):
                return "f"
        """
    },
    setup="import m\nobj = m.C()",
    probes=["type(m.C).__name__", "m.C.kind()", "m.C().f()", "isinstance(m.C, m.B)"],
    steps=[
        step(
            {
                "m.py": """
            class A(type):
                def kind(cls):
                    return "A"

            class B(type):
                def kind(cls):
                    return "B"

            class C(metaclass=B):
                def f(self):
                    return "f"
            """
            },
            expect={"obj.f()": "f"},
        )
    ],
)

class_decorator_changed = scenario(
    "class_decorator_changed_reapplied",
    """The body of a class decorator changes: it is applied again, so the attribute and method
    it adds carry the new values on the kept class (and old instances); when the decorator
    line is removed, what it added is gone, as in a fresh run.""",
    before={
        "m.py": """
        def stamp(cls):
            cls.stamp = "v1"
            cls.hello = lambda self: "hello v1"
            return cls

        @stamp
        class C:
            def f(self):
                return "f"
        """
    },
    setup="import m\nfrom m import C\nobj = C()",
    probes=["m.C.stamp", "obj.hello()", "m.C().hello()", "hasattr(m.C, 'stamp')", "obj.f()"],
    steps=[
        step(
            {
                "m.py": """
            def stamp(cls):
                cls.stamp = "v2"
                cls.hello = lambda self: "hello v2"
                return cls

            @stamp
            class C:
                def f(self):
                    return "f"
            """
            },
            expect={"C is m.C": True},
        ),
        step(
            {
                "m.py": """
            def stamp(cls):
                cls.stamp = "v2"
                cls.hello = lambda self: "hello v2"
                return cls

            class C:
                def f(self):
                    return "f"
            """
            },
            probes=["hasattr(m.C, 'stamp')", "hasattr(obj, 'hello')", "obj.f()"],
            expect={"C is m.C": True},
            doc="decorator line removed",
        ),
    ],
)

total_ordering_added = scenario(
    "total_ordering_decorator_added",
    """``@functools.total_ordering`` is added above a class that defines ``__eq__`` and
    ``__lt__``: ``<=``, ``>`` and ``>=`` work, on instances made before the edit too.""",
    before={
        "m.py": """
        import functools

        class V:
            def __init__(self, n):
                self.n = n

            def __eq__(self, other):
                return self.n == other.n

            def __lt__(self, other):
                return self.n < other.n
        """
    },
    setup="import m\nold = m.V(1)",
    probes=["m.V(1) <= m.V(2)", "m.V(3) > m.V(2)", "m.V(2) >= m.V(2)", "old <= m.V(0)"],
    steps=[
        step(
            {
                "m.py": """
            import functools

            @functools.total_ordering
            class V:
                def __init__(self, n):
                    self.n = n

                def __eq__(self, other):
                    return self.n == other.n

                def __lt__(self, other):
                    return self.n < other.n
            """
            },
            expect={"old <= m.V(1)": True, "type(old) is m.V": True},
        )
    ],
)

init_subclass_hook_changed = scenario(
    "init_subclass_hook_changed",
    """``Plugin.__init_subclass__`` changes what it sets on subclasses: subclasses in ``m``
    and in ``other`` carry what the new hook sets, as a fresh run would; they stay the same
    class objects.""",
    before={
        "m.py": """
            class Plugin:
                def __init_subclass__(cls, **kw):
                    super().__init_subclass__(**kw)
                    cls.label = "v1:" + cls.__name__

            class Local(Plugin):
                pass
            """,
        "other.py": """
            from m import Plugin

            class Remote(Plugin):
                pass
            """,
    },
    setup="import m, other\nLocal, Remote = m.Local, other.Remote",
    probes=["m.Local.label", "other.Remote.label"],
    steps=[
        step(
            {
                "m.py": """
            class Plugin:
                def __init_subclass__(cls, **kw):
                    super().__init_subclass__(**kw)
                    cls.label = "v2:" + cls.__name__.lower()

            class Local(Plugin):
                pass
            """
            },
            expect={"Local is m.Local": True, "Remote is other.Remote": True},
        )
    ],
)

init_subclass_keyword = scenario(
    "init_subclass_keyword_changed_and_subclass_added",
    """A subclass header's class keyword changes (``kind="a1"`` -> ``"a2"``) and a new
    subclass appears: ``__init_subclass__`` runs as in a fresh run, so the class attribute and
    the name-keyed registry hold the new kinds; the edited subclass keeps its identity.""",
    before={
        "m.py": """
        REGISTRY = {}

        class Plugin:
            def __init_subclass__(cls, kind="plain", **kw):
                super().__init_subclass__(**kw)
                cls.kind = kind
                REGISTRY[cls.__name__] = kind

        class A(Plugin, kind="a1"):
            def run(self):
                return "run"
        """
    },
    setup="import m\nA = m.A\nobj = A()",
    probes=["m.A.kind", "m.REGISTRY", "obj.kind", "obj.run()"],
    steps=[
        step(
            {
                "m.py": """
            REGISTRY = {}

            class Plugin:
                def __init_subclass__(cls, kind="plain", **kw):
                    super().__init_subclass__(**kw)
                    cls.kind = kind
                    REGISTRY[cls.__name__] = kind

            class A(Plugin, kind="a2"):
                def run(self):
                    return "run"

            class B(Plugin, kind="b"):
                pass
            """
            },
            expect={"m.A is A": True},
        )
    ],
)

# -- ABCs and protocols -----------------------------------------------------------------------

abc_abstract_added = scenario(
    "abc_gains_abstract_method",
    """The ABC gains an abstract method: ``__abstractmethods__`` is recomputed on the ABC and
    its subclass, so ``Square()`` raises TypeError until ``Square`` implements it (an old
    instance keeps working throughout).""",
    before={
        "m.py": """
        from abc import ABC, abstractmethod

        class Shape(ABC):
            @abstractmethod
            def area(self): ...

        class Square(Shape):
            def __init__(self, s=2):
                self.s = s

            def area(self):
                return self.s ** 2
        """
    },
    setup="""
        import m
        try:
            sq = m.Square()
        except TypeError:  # a fresh run of the edited files: Square is abstract
            sq = None
        """,
    probes=[
        "sorted(m.Shape.__abstractmethods__)",
        "sorted(m.Square.__abstractmethods__)",
        "type(m.Square()).__name__",
        "inspect.isabstract(m.Square)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from abc import ABC, abstractmethod

            class Shape(ABC):
                @abstractmethod
                def area(self): ...

                @abstractmethod
                def perimeter(self): ...

            class Square(Shape):
                def __init__(self, s=2):
                    self.s = s

                def area(self):
                    return self.s ** 2
            """
            },
            expect={"sq.area()": 4},
        ),
        step(
            {
                "m.py": """
            from abc import ABC, abstractmethod

            class Shape(ABC):
                @abstractmethod
                def area(self): ...

                @abstractmethod
                def perimeter(self): ...

            class Square(Shape):
                def __init__(self, s=2):
                    self.s = s

                def area(self):
                    return self.s ** 2

                def perimeter(self):
                    return self.s * 4
            """
            },
            probes=[
                "sorted(m.Square.__abstractmethods__)",
                "m.Square().perimeter()",
                "inspect.isabstract(m.Square)",
                "sorted(m.Shape.__abstractmethods__)",
            ],
            expect={"sq.perimeter()": 8},
            doc="the subclass implements it",
        ),
    ],
)

abc_subclasshook_cache = scenario(
    "abc_subclasshook_cache_reset",
    """An ABC's ``__subclasshook__`` changes after the session asked ``isinstance`` (so ABC
    caches hold answers): the answers follow the new hook; then a class gains the method the
    hook looks for, and the cached negative answer for it is dropped too.""",
    before={
        "m.py": """
            from abc import ABC

            class Quacks(ABC):
                @classmethod
                def __subclasshook__(cls, other):
                    return hasattr(other, "quack") or NotImplemented

            class Duck:
                def quack(self):
                    return "quack"

            class Robot:
                def beep(self):
                    return "beep"
            """
    },
    setup="""
        import m
        warm = [isinstance(m.Duck(), m.Quacks), isinstance(m.Robot(), m.Quacks)]
        warm += [issubclass(m.Duck, m.Quacks), issubclass(m.Robot, m.Quacks)]
        """,
    probes=[
        "isinstance(m.Duck(), m.Quacks)",
        "isinstance(m.Robot(), m.Quacks)",
        "issubclass(m.Robot, m.Quacks)",
        "issubclass(m.Duck, m.Quacks)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from abc import ABC

            class Quacks(ABC):
                @classmethod
                def __subclasshook__(cls, other):
                    return hasattr(other, "beep") or NotImplemented

            class Duck:
                def quack(self):
                    return "quack"

            class Robot:
                def beep(self):
                    return "beep"
            """
            }
        ),
        step(
            {
                "m.py": """
            from abc import ABC

            class Quacks(ABC):
                @classmethod
                def __subclasshook__(cls, other):
                    return hasattr(other, "beep") or NotImplemented

            class Duck:
                def quack(self):
                    return "quack"

                def beep(self):
                    return "duck beep"

            class Robot:
                def beep(self):
                    return "beep"
            """
            },
            doc="only Duck changes: it gains beep",
        ),
    ],
)

protocol_runtime_checkable = scenario(
    "runtime_checkable_protocol_gains_member",
    """A ``@runtime_checkable`` Protocol gains a method after the session checked
    ``isinstance`` against it: a class without the method stops matching; then that class
    gains the method and matches again (``isinstance`` and ``issubclass``).""",
    before={
        "m.py": """
        from typing import Protocol, runtime_checkable

        @runtime_checkable
        class Closer(Protocol):
            def close(self): ...

        class File:
            def close(self):
                return "closed"

        class Pipe:
            def close(self):
                return "closed"

            def flush(self):
                return "flushed"
        """
    },
    setup="""
        import m
        f = m.File()
        warm = [isinstance(f, m.Closer), issubclass(m.File, m.Closer)]
        warm.append(isinstance(m.Pipe(), m.Closer))
        """,
    probes=[
        "isinstance(f, m.Closer)",
        "isinstance(m.File(), m.Closer)",
        "issubclass(m.File, m.Closer)",
        "isinstance(m.Pipe(), m.Closer)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from typing import Protocol, runtime_checkable

            @runtime_checkable
            class Closer(Protocol):
                def close(self): ...

                def flush(self): ...

            class File:
                def close(self):
                    return "closed"

            class Pipe:
                def close(self):
                    return "closed"

                def flush(self):
                    return "flushed"
            """
            }
        ),
        step(
            {
                "m.py": """
            from typing import Protocol, runtime_checkable

            @runtime_checkable
            class Closer(Protocol):
                def close(self): ...

                def flush(self): ...

            class File:
                def close(self):
                    return "closed"

                def flush(self):
                    return "file flushed"

            class Pipe:
                def close(self):
                    return "closed"

                def flush(self):
                    return "flushed"
            """
            },
            doc="File gains flush",
        ),
    ],
)

# -- __slots__ --------------------------------------------------------------------------------

slots_layout_changed = scenario(
    "slots_layout_changed",
    """``__slots__ = ("x",)`` becomes ``("x", "y")``: new instances (also through the
    session's ``from m import P``) get both slots; the two instances made before keep the old
    class and keep working; one warning names ``P`` and says two live instances keep the old
    layout.""",
    before={
        "m.py": """
        class P:
            __slots__ = ("x",)

            def __init__(self, x, y=0):
                self.x = x

            def get(self):
                return self.x
        """
    },
    setup="import m\nfrom m import P\nold = P(1)\nalso = P(2)",
    probes=[
        "m.P(1, 2).y",
        "P(1, 5).y",
        "m.P.__slots__",
        "hasattr(m.P(1), '__dict__')",
        "m.P(3).get()",
    ],
    steps=[
        step(
            {
                "m.py": """
            class P:
                __slots__ = ("x", "y")

                def __init__(self, x, y=0):
                    self.x = x
                    self.y = y

                def get(self):
                    return (self.x, self.y)
            """
            },
            expect={
                "P is m.P": True,
                "isinstance(old, m.P)": False,
                "old.x": 1,
                "also.get()": 2,
            },
            warns=True,
            says=["P: instance layout", "(2 live instance(s))"],
        )
    ],
)

slots_method_only = scenario(
    "slots_class_method_edited",
    """A method of a ``__slots__`` class changes but the slots do not: the class is patched in
    place (old instances run the new method) and there is no warning.""",
    before={
        "m.py": """
        class P:
            __slots__ = ("x",)

            def __init__(self, x):
                self.x = x

            def get(self):
                return self.x
        """
    },
    setup="import m\nfrom m import P\nold = P(1)",
    probes=["old.get()", "m.P(2).get()"],
    steps=[
        step(
            {
                "m.py": """
            class P:
                __slots__ = ("x",)

                def __init__(self, x):
                    self.x = x

                def get(self):
                    return self.x * 100
            """
            },
            expect={"P is m.P": True, "type(old) is m.P": True},
        )
    ],
)

# -- caches -----------------------------------------------------------------------------------

cache_imported_elsewhere = scenario(
    "functools_cache_from_imported_elsewhere",
    """``@functools.cache def square`` is edited: results cached by the old body are not
    served through ``m.square``, the session's ``from m import square`` or ``other``'s
    from-import, which all stay the same object.""",
    before={
        "m.py": """
            import functools

            @functools.cache
            def square(x):
                return x * x
            """,
        "other.py": """
            from m import square

            def total():
                return square(3) + 1
            """,
    },
    setup="import m, other\nfrom m import square\nsquare(3), other.total(), m.square(4)",
    probes=["square(3)", "other.total()", "m.square(4)"],
    steps=[
        step(
            {
                "m.py": """
            import functools

            @functools.cache
            def square(x):
                return x * x * 10
            """
            },
            expect={"square is m.square": True, "other.square is m.square": True},
        )
    ],
)

cache_unrelated_edit = scenario(
    "lru_cache_kept_when_other_function_edited",
    """An ``lru_cache`` whose function did not change keeps its cached results when another
    function of the module is edited (only results computed by old code are dropped).""",
    before={
        "m.py": """
        import functools

        @functools.lru_cache(maxsize=None)
        def slow(x):
            return x + 1

        def other():
            return "o1"
        """
    },
    setup="import m\nm.slow(1), m.slow(2)",
    probes=["m.other()", "m.slow(1)"],
    steps=[
        step(
            {
                "m.py": """
            import functools

            @functools.lru_cache(maxsize=None)
            def slow(x):
                return x + 1

            def other():
                return "o2"
            """
            },
            expect={"m.slow.cache_info().hits": 1, "m.slow.cache_info().currsize": 2},
        )
    ],
)

cached_property_partial = scenario(
    "cached_property_only_changed_getter_dropped",
    """Of two ``cached_property`` values cached on an old instance, the one whose getter
    changed is recomputed by the new getter; the other keeps its cached object.""",
    before={
        "m.py": """
        import functools

        class Doc:
            @functools.cached_property
            def words(self):
                return ["a", "b"]

            @functools.cached_property
            def title(self):
                return "T1"
        """
    },
    setup="import m\nobj = m.Doc()\nwords = obj.words\nobj.title",
    probes=["obj.title", "m.Doc().title", "obj.words"],
    steps=[
        step(
            {
                "m.py": """
            import functools

            class Doc:
                @functools.cached_property
                def words(self):
                    return ["a", "b"]

                @functools.cached_property
                def title(self):
                    return "T2"
            """
            },
            expect={"obj.words is words": True},
        )
    ],
)

singledispatch_registrations = scenario(
    "singledispatch_registrations_follow_source",
    """A ``singledispatch`` function gains a registration for ``str``; then the ``int``
    implementation is re-annotated for ``float``: dispatch and ``registry`` match a fresh run
    (``int`` falls back to the generic version), and ``from m import show`` elsewhere keeps
    working.""",
    before={
        "m.py": """
            import functools

            @functools.singledispatch
            def show(x):
                return "object"

            @show.register
            def _(x: int):
                return "int"
            """,
        "other.py": """
            from m import show

            def both():
                return show(1), show("s")
            """,
    },
    setup="import m, other\nfrom m import show\nshow(1), show('s'), show(1.5)",
    probes=[
        "show(1)",
        "show('s')",
        "show(1.5)",
        "other.both()",
        "sorted(t.__name__ for t in m.show.registry)",
    ],
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
                return "int"

            @show.register
            def _(x: str):
                return "str"
            """
            },
            expect={"show is m.show": True, "other.show is m.show": True},
        ),
        step(
            {
                "m.py": """
            import functools

            @functools.singledispatch
            def show(x):
                return "object"

            @show.register
            def _(x: float):
                return "float"

            @show.register
            def _(x: str):
                return "str"
            """
            },
            expect={"show is m.show": True},
            doc="the int implementation now registers for float",
        ),
    ],
)

# -- annotations ------------------------------------------------------------------------------

annotations_type_hints = scenario(
    "annotations_and_get_type_hints_follow_source",
    """Under ``from __future__ import annotations`` a function's, a method's and a class's
    annotations change: ``__annotations__`` and ``typing.get_type_hints`` (through the module,
    a from-import and a bound method held before) show the new ones.""",
    before={
        "m.py": """
        from __future__ import annotations

        class Node:
            value: int
            next: Node | None = None

            def push(self, value: int) -> Node:
                return self

        def walk(node: Node, depth: int = 0) -> list[int]:
            return []
        """
    },
    setup="import m, typing\nfrom m import walk\nbound = m.Node().push",
    probes=[
        "walk.__annotations__",
        "typing.get_type_hints(m.walk)",
        "typing.get_type_hints(m.Node)",
        "m.Node.__annotations__",
        "typing.get_type_hints(bound)",
    ],
    steps=[
        step(
            {
                "m.py": """
            from __future__ import annotations

            class Node:
                value: str
                weight: float = 1.0

                def push(self, value: str) -> None:
                    return None

            def walk(node: Node, limit: float = 1.0) -> tuple[int, ...]:
                return ()
            """
            },
            expect={"walk is m.walk": True},
        )
    ],
)

annotations_alias_changed = scenario(
    "annotation_alias_changed",
    """``Number = int`` becomes ``Number = float``: annotations evaluated at definition time
    (a function's and a class's) read the new alias, as a fresh run would.""",
    before={
        "m.py": """
        Number = int

        def scale(x: Number) -> Number:
            return x

        class Box:
            size: Number = 0
        """
    },
    setup="import m, typing\nfrom m import scale",
    probes=["scale.__annotations__", "m.Box.__annotations__", "typing.get_type_hints(m.Box)"],
    steps=[
        step(
            {
                "m.py": """
            Number = float

            def scale(x: Number) -> Number:
                return x

            class Box:
                size: Number = 0
            """
            },
            expect={"scale is m.scale": True},
        )
    ],
)

# -- pydantic ---------------------------------------------------------------------------------

pydantic_model = scenario(
    "pydantic_model_fields_changed",
    """A pydantic v2 model gains a field and a default changes: new instances and validation
    (``model_validate``, coercion, errors) follow; ``m.User`` is the class the session
    imported and an old instance keeps its data.""",
    before={
        "m.py": """
        from pydantic import BaseModel

        class User(BaseModel):
            name: str
            age: int = 0
        """
    },
    setup="import m\nfrom m import User\nold = User(name='x', age=5)",
    probes=[
        "m.User(name='a').model_dump()",
        "m.User(name='a', age='7').age",
        "sorted(m.User.model_fields)",
        "m.User.model_validate({'name': 'b', 'email': 'e'}).model_dump()",
        "m.User(name='a', age='x')",
        "User(name='c').model_dump()",
    ],
    requires=("pydantic",),
    steps=[
        step(
            {
                "m.py": """
            from pydantic import BaseModel

            class User(BaseModel):
                name: str
                age: int = 18
                email: str = ""
            """
            },
            expect={"User is m.User": True, "(old.name, old.age)": ("x", 5)},
        )
    ],
)

cached_property_through_self = scenario(
    "cached_property_that_calls_an_edited_method_is_recomputed",
    """A ``cached_property`` getter whose own code is unchanged calls ``self.rate(2)``; the
    method ``rate`` is edited: the value cached on an old instance is dropped and recomputed
    with the new method, as a fresh run computes it (it kept the old method's value).""",
    before={
        "m.py": """
        import functools

        class C:
            def rate(self, x):
                return x

            @functools.cached_property
            def total(self):
                return self.rate(2)
        """
    },
    setup="import m\nobj = m.C()\nobj.total",
    probes=["obj.total", "m.C().total"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        class C:
            def rate(self, x):
                return 0

            @functools.cached_property
            def total(self):
                return self.rate(2)
        """
            }
        )
    ],
)

cached_property_reading_a_rebound_attribute = scenario(
    "cached_property_reading_a_rebound_class_attribute_is_recomputed",
    """``class Base: A = K`` and a subclass whose ``cached_property`` returns ``self.A``; a save
    changes ``K``: ``Base.A`` is rebound, and the value cached on an old instance of the
    subclass is recomputed, as a fresh run computes it (it kept the old ``A``).""",
    before={
        "m.py": """
        import functools

        K = 1

        class Base:
            A = K

        class Sub(Base):
            @functools.cached_property
            def value(self):
                return self.A
        """
    },
    setup="import m\nobj = m.Sub()\nobj.value",
    probes=["obj.value", "m.Sub().value", "m.Base.A"],
    steps=[
        step(
            {
                "m.py": """
        import functools

        K = 0

        class Base:
            A = K

        class Sub(Base):
            @functools.cached_property
            def value(self):
                return self.A
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    dataclass_field_added,
    dataclass_field_removed,
    dataclass_fields_reordered,
    dataclass_defaults_changed,
    dataclass_frozen_toggled,
    dataclass_order_toggled,
    dataclass_kw_only,
    dataclass_post_init,
    dataclass_slots,
    dataclass_subclass_elsewhere,
    typing_namedtuple_fields,
    namedtuple_method_only,
    collections_namedtuple,
    enum_value_changed,
    enum_members_added_removed,
    enum_methods_edited,
    enum_auto_reordered,
    intenum_value_changed,
    strenum_members,
    flag_member_added,
    enum_with_init,
    metaclass_changed,
    metaclass_switched,
    class_decorator_changed,
    total_ordering_added,
    init_subclass_hook_changed,
    init_subclass_keyword,
    abc_abstract_added,
    abc_subclasshook_cache,
    protocol_runtime_checkable,
    slots_layout_changed,
    slots_method_only,
    cache_imported_elsewhere,
    cache_unrelated_edit,
    cached_property_partial,
    singledispatch_registrations,
    annotations_type_hints,
    annotations_alias_changed,
    pydantic_model,
    variant(dataclass_field_added, "full", strategy="full"),
    variant(enum_value_changed, "full", strategy="full"),
    cached_property_through_self,
    cached_property_reading_a_rebound_attribute,
]
