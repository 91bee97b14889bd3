"""The script of ``python -m hotswap demo``: the package it writes, the session's imports and the
references it holds, and the edits it saves, each :class:`Step` with the claims it checks.

Data only; :mod:`hotswap._front.demo` plays it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PACKAGE = "shop"

# The package as first written. Imports inside it are relative, so the demo can run under any
# package name (an in-process test uses a unique one).
FILES: dict[str, str] = {
    "__init__.py": '"""A tiny shop: the package the hotswap demo edits."""\n',
    "pricing.py": '''"""Prices and discounts."""

LOADS = 0


def _load_rates():
    """Stands for slow import-time work (a database query, a model load)."""
    global LOADS
    LOADS += 1
    return {"book": 12.0, "pen": 1.5, "mug": 8.0}


RATES = _load_rates()


def price(item, qty=1):
    return RATES[item] * qty


def discount(total):
    return total
''',
    "models.py": '''"""The cart."""

from .pricing import discount, price


class Cart:
    def __init__(self):
        self.items = []

    def add(self, item, qty=1):
        self.items.append((item, qty))

    def total(self):
        return discount(sum(price(item, qty) for item, qty in self.items))
''',
    "vip.py": '''"""Carts for members."""

from .models import Cart


class VipCart(Cart):
    """A cart for members."""
''',
}


FILE_NOTES: dict[str, str] = {
    "pricing.py": "price(), discount() and a rate table that is slow to load",
    "models.py": "class Cart",
    "vip.py": "class VipCart(Cart)",
}


# What the session types, one statement per line; `{pkg}` is the package name.
SESSION: tuple[str, ...] = (
    "from {pkg} import pricing",
    "from {pkg}.pricing import price",
    "from {pkg}.models import Cart",
    "from {pkg}.vip import VipCart",
    "hooks = [pricing.discount]",
    'cart = Cart(); cart.add("book", 2); cart.add("pen")',
    'vip = VipCart(); vip.add("mug", 3)',
)


# Every reference the session holds: expression, repr of its value before any edit, what it is.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ('price("book", 2)', "24.0", "a from-import in the session"),
    ("hooks[0](100.0)", "100.0", "pricing.discount, held in a callback list"),
    ("cart.total()", "25.5", "an instance made before any edit"),
    ("vip.total()", "24.0", "an instance of the subclass from vip.py"),
    ("isinstance(cart, Cart)", "True", "the class keeps its identity"),
    ("pricing.LOADS", "1", "times the slow rate table was loaded"),
    ("cart.items", "[('book', 2), ('pen', 1)]", "the data the instance holds"),
)


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur exactly once) by ``new`` in the package file ``path``."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Step:
    """One save and one checkpoint, with the claims the demo checks afterwards.

    ``expect`` maps reference expressions to the repr they must show now (references not named
    keep their previous value). ``changes`` lists ``(module suffix, qualname, action)`` entries the
    report must contain. ``rejected_line`` is set for an edit that must be rolled back: the text of
    the line the error must point at.
    """

    title: str
    edits: tuple[Edit, ...]
    expect: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[tuple[str, str, str], ...] = ()
    rejected_line: str | None = None


_VIP_DOC = '    """A cart for members."""\n'


_TEN_OFF = "    return round(total * 0.9, 2)\n"


_TYPO = "    return round(total * 0.8, 2\n"


_FIXED = "    return round(total * 0.8, 2)\n"


_SUPER_METHOD = "\n    def total(self):\n        return round(super().total() * 0.95, 2)\n"


STEPS: tuple[Step, ...] = (
    Step(
        title="Change a function body: discount() takes 10% off",
        edits=(Edit("pricing.py", "    return total\n", _TEN_OFF),),
        expect={"hooks[0](100.0)": "90.0", "cart.total()": "22.95", "vip.total()": "21.6"},
        changes=(("pricing", "discount", "patched"),),
    ),
    Step(
        title="Add a method that calls super(): members get 5% more off",
        edits=(Edit("vip.py", _VIP_DOC, _VIP_DOC + _SUPER_METHOD),),
        expect={"vip.total()": "20.52"},
        changes=(("vip", "VipCart.total", "added"),),
    ),
    Step(
        title="Save a typo: the reload is rejected and nothing changes",
        edits=(Edit("pricing.py", _TEN_OFF, _TYPO),),
        rejected_line=_TYPO,
    ),
    Step(
        title="Fix the typo: discount() takes 20% off",
        edits=(Edit("pricing.py", _TYPO, _FIXED),),
        expect={"hooks[0](100.0)": "80.0", "cart.total()": "20.4", "vip.total()": "18.24"},
        changes=(("pricing", "discount", "patched"),),
    ),
    Step(
        title="Edit price(), which reads the slow table: the table is not loaded again",
        edits=(
            Edit(
                "pricing.py",
                "    return RATES[item] * qty\n",
                "    return round(RATES[item] * qty * 1.1, 2)  # with tax\n",
            ),
        ),
        expect={'price("book", 2)': "26.4", "cart.total()": "22.44", "vip.total()": "20.06"},
        changes=(("pricing", "price", "patched"),),
    ),
)
