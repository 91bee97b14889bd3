"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_60d821349c.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 2 (change_const; wrote fza.py):
        I_C7.m8: live 1 != fresh 0
      str(report): 'hotswap: reloaded fza: rerun K2; rebound C4.A5, K2; patched C4'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K2 = 1
def deco12(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f9(x):
    return 0
@functools.lru_cache(maxsize=None)
def f10(x):
    return 0
@functools.lru_cache(maxsize=None)
def f11(x):
    return 0
class C4:
    A5 = K2
    def m6(self, x):
        return x
class C7(C4):
    @functools.cached_property
    def m8(self):
        x = 2
        return self.A5
''',
    'fzb.py': '''\
K1 = 0
class C3:
    pass
''',
    'fzc.py': '''\
''',
}

SETUP = '''\
import functools, inspect


def _line(obj):
    """First line of the function behind a descriptor or a wrapper."""
    for attr in ("fget", "func", "__func__"):
        obj = getattr(obj, attr, obj)
    return inspect.unwrap(obj).__code__.co_firstlineno

import fza, fzb, fzc
CB = {}
try:
    from fza import K2
except Exception:
    pass
try:
    from fza import C4
    I_C4 = fza.C4()
    class S_C4(fza.C4):
        pass
except Exception:
    pass
try:
    B_C4_m6 = I_C4.m6
except Exception:
    pass
try:
    from fza import C7
    I_C7 = fza.C7()
    class S_C7(fza.C7):
        pass
except Exception:
    pass
try:
    from fza import f9
    CB['f9'] = fza.f9
    P_f9 = functools.partial(fza.f9, 3)
except Exception:
    pass
try:
    from fza import f10
    CB['f10'] = fza.f10
    P_f10 = functools.partial(fza.f10, 3)
except Exception:
    pass
try:
    from fza import f11
    CB['f11'] = fza.f11
    P_f11 = functools.partial(fza.f11, 3)
except Exception:
    pass
try:
    from fzb import K1
except Exception:
    pass
try:
    from fzb import C3
    I_C3 = fzb.C3()
    class S_C3(fzb.C3):
        pass
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
import functools
K2 = 1
def deco12(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f9(x):
    return x
@functools.lru_cache(maxsize=None)
def f10(x):
    return 0
@functools.lru_cache(maxsize=None)
def f11(x):
    return 0
class C4:
    A5 = K2
    def m6(self, x):
        return x
class C7(C4):
    @functools.cached_property
    def m8(self):
        x = 2
        return self.A5
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.K2',
            'K2',
            '[c.__name__ for c in fza.C4.__mro__]',
            "sorted(k for k in vars(fza.C4) if not k.startswith('__'))",
            'fza.C4.A5',
            "_line(vars(fza.C4)['m6'])",
            'fza.C4().m6(3)',
            'I_C4.m6(5)',
            'S_C4().m6(6)',
            'B_C4_m6(7)',
            'isinstance(I_C4, fza.C4)',
            '[c.__name__ for c in S_C4.__mro__]',
            'C4 is fza.C4',
            '[c.__name__ for c in fza.C7.__mro__]',
            "sorted(k for k in vars(fza.C7) if not k.startswith('__'))",
            "_line(vars(fza.C7)['m8'])",
            'fza.C7().m8',
            'I_C7.m8',
            'S_C7().m8',
            'isinstance(I_C7, fza.C7)',
            '[c.__name__ for c in S_C7.__mro__]',
            'C7 is fza.C7',
            'fza.f9(3)',
            'fza.f9.__name__',
            'fza.f9.__doc__',
            '_line(fza.f9)',
            'inspect.getsource(fza.f9)',
            'f9(4)',
            "CB['f9'](5)",
            'P_f9()',
            'f9 is fza.f9',
            'fza.f10(3)',
            'fza.f10.__name__',
            'fza.f10.__doc__',
            '_line(fza.f10)',
            'inspect.getsource(fza.f10)',
            'f10(4)',
            "CB['f10'](5)",
            'P_f10()',
            'f10 is fza.f10',
            'fza.f11(3)',
            'fza.f11.__name__',
            'fza.f11.__doc__',
            '_line(fza.f11)',
            'inspect.getsource(fza.f11)',
            'f11(4)',
            "CB['f11'](5)",
            'P_f11()',
            'f11 is fza.f11',
            'fza.deco12(abs)(-3)',
            'fza.deco12(abs).__name__',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.K1',
            'K1',
            '[c.__name__ for c in fzb.C3.__mro__]',
            "sorted(k for k in vars(fzb.C3) if not k.startswith('__'))",
            'isinstance(I_C3, fzb.C3)',
            '[c.__name__ for c in S_C3.__mro__]',
            'C3 is fzb.C3',
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='change_func',
    ),
    Step(
        files={
            'fza.py': '''\
import functools
K2 = 0
def deco12(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f9(x):
    return x
@functools.lru_cache(maxsize=None)
def f10(x):
    return 0
@functools.lru_cache(maxsize=None)
def f11(x):
    return 0
class C4:
    A5 = K2
    def m6(self, x):
        return x
class C7(C4):
    @functools.cached_property
    def m8(self):
        x = 2
        return self.A5
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.K2',
            'K2',
            '[c.__name__ for c in fza.C4.__mro__]',
            "sorted(k for k in vars(fza.C4) if not k.startswith('__'))",
            'fza.C4.A5',
            "_line(vars(fza.C4)['m6'])",
            'fza.C4().m6(3)',
            'I_C4.m6(5)',
            'S_C4().m6(6)',
            'B_C4_m6(7)',
            'isinstance(I_C4, fza.C4)',
            '[c.__name__ for c in S_C4.__mro__]',
            'C4 is fza.C4',
            '[c.__name__ for c in fza.C7.__mro__]',
            "sorted(k for k in vars(fza.C7) if not k.startswith('__'))",
            "_line(vars(fza.C7)['m8'])",
            'fza.C7().m8',
            'I_C7.m8',
            'S_C7().m8',
            'isinstance(I_C7, fza.C7)',
            '[c.__name__ for c in S_C7.__mro__]',
            'C7 is fza.C7',
            'fza.f9(3)',
            'fza.f9.__name__',
            'fza.f9.__doc__',
            '_line(fza.f9)',
            'inspect.getsource(fza.f9)',
            'f9(4)',
            "CB['f9'](5)",
            'P_f9()',
            'f9 is fza.f9',
            'fza.f10(3)',
            'fza.f10.__name__',
            'fza.f10.__doc__',
            '_line(fza.f10)',
            'inspect.getsource(fza.f10)',
            'f10(4)',
            "CB['f10'](5)",
            'P_f10()',
            'f10 is fza.f10',
            'fza.f11(3)',
            'fza.f11.__name__',
            'fza.f11.__doc__',
            '_line(fza.f11)',
            'inspect.getsource(fza.f11)',
            'f11(4)',
            "CB['f11'](5)",
            'P_f11()',
            'f11 is fza.f11',
            'fza.deco12(abs)(-3)',
            'fza.deco12(abs).__name__',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.K1',
            'K1',
            '[c.__name__ for c in fzb.C3.__mro__]',
            "sorted(k for k in vars(fzb.C3) if not k.startswith('__'))",
            'isinstance(I_C3, fzb.C3)',
            '[c.__name__ for c in S_C3.__mro__]',
            'C3 is fzb.C3',
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='change_const',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_60d821349c(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
