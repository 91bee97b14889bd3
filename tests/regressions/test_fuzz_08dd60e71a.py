# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_08dd60e71a.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 4 (add_class + change_class; wrote fza.py, fzb.py):
        I_C1.m6(5): live raises TypeError != fresh 0
      str(report): 'hotswap: reloaded fza: added C16\\nhotswap: reloaded fzb: patched C1.m4, C1.m5, C1; removed functools'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
def make7(k):
    def add(x):
        return k + x
    return add
def make10(k):
    def add(x):
        return k + 0
    return add
ADD8 = make7(0)
''',
    'fzb.py': '''\
import functools
from fza import make7
class C1:
    A2 = (0 + 0)
    A3 = 0
    def m4(self, x):
        return x
    def m5(self, x):
        return 0
    @functools.cached_property
    def m6(self):
        x = 2
        return 0
class C11:
    A12 = 0
    A13 = 0
ADD9 = make7(0)
''',
}

SETUP = '''\
import functools, inspect


def _line(obj):
    """First line of the function behind a descriptor or a wrapper."""
    for attr in ("fget", "func", "__func__"):
        obj = getattr(obj, attr, obj)
    return inspect.unwrap(obj).__code__.co_firstlineno

import fza, fzb
CB = {}
try:
    H_make7 = fza.make7(1)
except Exception:
    pass
try:
    H_make10 = fza.make10(1)
except Exception:
    pass
try:
    from fzb import C1
    I_C1 = fzb.C1()
    class S_C1(fzb.C1):
        pass
except Exception:
    pass
try:
    B_C1_m4 = I_C1.m4
except Exception:
    pass
try:
    B_C1_m5 = I_C1.m5
except Exception:
    pass
try:
    from fzb import C11
    I_C11 = fzb.C11()
    class S_C11(fzb.C11):
        pass
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
import functools
from fza import make7
@functools.lru_cache(maxsize=None)
def f14(x):
    return x
class C1:
    A2 = (0 + 0)
    A3 = 0
    def m4(self, x):
        return x
    def m5(self, x):
        return 0
    @functools.cached_property
    def m6(self):
        x = 2
        return 0
class C11:
    A12 = 0
    A13 = 0
ADD9 = make7(0)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            'H_make7(3)',
            'fza.ADD8(3)',
            '_line(fza.ADD8)',
            'fza.make10(2)(3)',
            '_line(fza.make10)',
            'H_make10(3)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C1.__mro__]',
            "sorted(k for k in vars(fzb.C1) if not k.startswith('__'))",
            'fzb.C1.A2',
            'fzb.C1.A3',
            "_line(vars(fzb.C1)['m4'])",
            'fzb.C1().m4(3)',
            'I_C1.m4(5)',
            'S_C1().m4(6)',
            'B_C1_m4(7)',
            "_line(vars(fzb.C1)['m5'])",
            'fzb.C1().m5(3)',
            'I_C1.m5(5)',
            'S_C1().m5(6)',
            'B_C1_m5(7)',
            "_line(vars(fzb.C1)['m6'])",
            'fzb.C1().m6',
            'I_C1.m6',
            'S_C1().m6',
            'isinstance(I_C1, fzb.C1)',
            '[c.__name__ for c in S_C1.__mro__]',
            'C1 is fzb.C1',
            'fzb.ADD9(3)',
            '_line(fzb.ADD9)',
            '[c.__name__ for c in fzb.C11.__mro__]',
            "sorted(k for k in vars(fzb.C11) if not k.startswith('__'))",
            'fzb.C11.A12',
            'fzb.C11.A13',
            'isinstance(I_C11, fzb.C11)',
            '[c.__name__ for c in S_C11.__mro__]',
            'C11 is fzb.C11',
            'fzb.f14(3)',
            'fzb.f14.__name__',
            'fzb.f14.__doc__',
            '_line(fzb.f14)',
            'inspect.getsource(fzb.f14)',
        ],
        note='add_func + shift',
    ),
    Step(
        files={
            'fzb.py': '''\
import functools
from fza import make7
def f14(x):
    return x
def C11(x):
    return (x + 0)
class C1:
    A2 = (0 + 0)
    A3 = 0
    def m4(self, x):
        return x
    def m5(self, x):
        return 0
    @functools.cached_property
    def m6(self):
        x = 2
        return 0
ADD9 = make7(0)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            'H_make7(3)',
            'fza.ADD8(3)',
            '_line(fza.ADD8)',
            'fza.make10(2)(3)',
            '_line(fza.make10)',
            'H_make10(3)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C1.__mro__]',
            "sorted(k for k in vars(fzb.C1) if not k.startswith('__'))",
            'fzb.C1.A2',
            'fzb.C1.A3',
            "_line(vars(fzb.C1)['m4'])",
            'fzb.C1().m4(3)',
            'I_C1.m4(5)',
            'S_C1().m4(6)',
            'B_C1_m4(7)',
            "_line(vars(fzb.C1)['m5'])",
            'fzb.C1().m5(3)',
            'I_C1.m5(5)',
            'S_C1().m5(6)',
            'B_C1_m5(7)',
            "_line(vars(fzb.C1)['m6'])",
            'fzb.C1().m6',
            'I_C1.m6',
            'S_C1().m6',
            'isinstance(I_C1, fzb.C1)',
            '[c.__name__ for c in S_C1.__mro__]',
            'C1 is fzb.C1',
            'fzb.ADD9(3)',
            '_line(fzb.ADD9)',
            'fzb.f14(3)',
            'fzb.f14.__name__',
            'fzb.f14.__doc__',
            '_line(fzb.f14)',
            'inspect.getsource(fzb.f14)',
            'fzb.C11(3)',
            'fzb.C11.__name__',
            'fzb.C11.__doc__',
            '_line(fzb.C11)',
            'inspect.getsource(fzb.C11)',
        ],
        note='change_kind + change_func',
    ),
    Step(
        files={
            'fza.py': '''\
def make7(k):
    def add(x):
        return k + x
    return add
def make10(k):
    def add(x):
        return k + 0
    return add
ADD8 = make7(0)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            'H_make7(3)',
            'fza.ADD8(3)',
            '_line(fza.ADD8)',
            'fza.make10(2)(3)',
            '_line(fza.make10)',
            'H_make10(3)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C1.__mro__]',
            "sorted(k for k in vars(fzb.C1) if not k.startswith('__'))",
            'fzb.C1.A2',
            'fzb.C1.A3',
            "_line(vars(fzb.C1)['m4'])",
            'fzb.C1().m4(3)',
            'I_C1.m4(5)',
            'S_C1().m4(6)',
            'B_C1_m4(7)',
            "_line(vars(fzb.C1)['m5'])",
            'fzb.C1().m5(3)',
            'I_C1.m5(5)',
            'S_C1().m5(6)',
            'B_C1_m5(7)',
            "_line(vars(fzb.C1)['m6'])",
            'fzb.C1().m6',
            'I_C1.m6',
            'S_C1().m6',
            'isinstance(I_C1, fzb.C1)',
            '[c.__name__ for c in S_C1.__mro__]',
            'C1 is fzb.C1',
            'fzb.ADD9(3)',
            '_line(fzb.ADD9)',
            'fzb.f14(3)',
            'fzb.f14.__name__',
            'fzb.f14.__doc__',
            '_line(fzb.f14)',
            'inspect.getsource(fzb.f14)',
            'fzb.C11(3)',
            'fzb.C11.__name__',
            'fzb.C11.__doc__',
            '_line(fzb.C11)',
            'inspect.getsource(fzb.C11)',
        ],
        note='move',
    ),
    Step(
        files={
            'fza.py': '''\
def make7(k):
    def add(x):
        return k + x
    return add
def make10(k):
    def add(x):
        return k + 0
    return add
class C16:
    def m17(self, x):
        return 0
    def m18(self, x):
        return 0
ADD8 = make7(0)
''',
            'fzb.py': '''\
from fza import make7
def f14(x):
    return x
def C11(x):
    return (x + 0)
class C1:
    A2 = (0 + 0)
    A3 = 0
    def m4(self, x):
        return x
    def m5(self, x):
        return 0
    def m6(self, x):
        return 0
ADD9 = make7(0)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            'H_make7(3)',
            'fza.ADD8(3)',
            '_line(fza.ADD8)',
            'fza.make10(2)(3)',
            '_line(fza.make10)',
            'H_make10(3)',
            '[c.__name__ for c in fza.C16.__mro__]',
            "sorted(k for k in vars(fza.C16) if not k.startswith('__'))",
            "_line(vars(fza.C16)['m17'])",
            'fza.C16().m17(3)',
            "_line(vars(fza.C16)['m18'])",
            'fza.C16().m18(3)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C1.__mro__]',
            "sorted(k for k in vars(fzb.C1) if not k.startswith('__'))",
            'fzb.C1.A2',
            'fzb.C1.A3',
            "_line(vars(fzb.C1)['m4'])",
            'fzb.C1().m4(3)',
            'I_C1.m4(5)',
            'S_C1().m4(6)',
            'B_C1_m4(7)',
            "_line(vars(fzb.C1)['m5'])",
            'fzb.C1().m5(3)',
            'I_C1.m5(5)',
            'S_C1().m5(6)',
            'B_C1_m5(7)',
            "_line(vars(fzb.C1)['m6'])",
            'fzb.C1().m6(3)',
            'I_C1.m6(5)',
            'S_C1().m6(6)',
            'isinstance(I_C1, fzb.C1)',
            '[c.__name__ for c in S_C1.__mro__]',
            'C1 is fzb.C1',
            'fzb.ADD9(3)',
            '_line(fzb.ADD9)',
            'fzb.f14(3)',
            'fzb.f14.__name__',
            'fzb.f14.__doc__',
            '_line(fzb.f14)',
            'inspect.getsource(fzb.f14)',
            'fzb.C11(3)',
            'fzb.C11.__name__',
            'fzb.C11.__doc__',
            '_line(fzb.C11)',
            'inspect.getsource(fzb.C11)',
        ],
        note='add_class + change_class',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_08dd60e71a(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
