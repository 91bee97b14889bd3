"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_4145d31694.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 2 (change_class; wrote fza.py):
        I_C9.m13: live 2 != fresh 0
      str(report): 'hotswap: reloaded fza: patched C9.m11'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K6 = 0
K7 = 0
@functools.lru_cache(maxsize=None)
def f1(x):
    return 0
class C9:
    A10 = 0
    def m11(self, x):
        return x
    def m12(self, x):
        return x
    @functools.cached_property
    def m13(self):
        x = 2
        return self.m11(x)
''',
    'fzb.py': '''\
import functools
K5 = 0
@functools.lru_cache(maxsize=None)
def f3(x):
    return 0
@functools.lru_cache(maxsize=None)
def f4(x):
    return 0
@functools.lru_cache(maxsize=None)
def f8(x):
    return 0
class C2:
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
    from fza import f1
    CB['f1'] = fza.f1
    P_f1 = functools.partial(fza.f1, 3)
except Exception:
    pass
try:
    from fza import K6
except Exception:
    pass
try:
    from fza import K7
except Exception:
    pass
try:
    from fza import C9
    I_C9 = fza.C9()
    class S_C9(fza.C9):
        pass
except Exception:
    pass
try:
    B_C9_m11 = I_C9.m11
except Exception:
    pass
try:
    B_C9_m12 = I_C9.m12
except Exception:
    pass
try:
    from fzb import C2
    I_C2 = fzb.C2()
    class S_C2(fzb.C2):
        pass
except Exception:
    pass
try:
    from fzb import f3
    CB['f3'] = fzb.f3
    P_f3 = functools.partial(fzb.f3, 3)
except Exception:
    pass
try:
    from fzb import f4
    CB['f4'] = fzb.f4
    P_f4 = functools.partial(fzb.f4, 3)
except Exception:
    pass
try:
    from fzb import K5
except Exception:
    pass
try:
    from fzb import f8
    CB['f8'] = fzb.f8
    P_f8 = functools.partial(fzb.f8, 3)
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
import functools
K6 = 0
K7 = 0
@functools.lru_cache(maxsize=None)
def f1(x):
    return 0
class C9:
    A10 = 0
    def m11(self, x):
        return x
    def m12(self, x):
        return x
    @functools.cached_property
    def m13(self):
        x = 2
        return self.m11(x)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.f1(3)',
            'fza.f1.__name__',
            'fza.f1.__doc__',
            '_line(fza.f1)',
            'inspect.getsource(fza.f1)',
            'f1(4)',
            "CB['f1'](5)",
            'P_f1()',
            'f1 is fza.f1',
            'fza.K6',
            'K6',
            'fza.K7',
            'K7',
            '[c.__name__ for c in fza.C9.__mro__]',
            "sorted(k for k in vars(fza.C9) if not k.startswith('__'))",
            'fza.C9.A10',
            "_line(vars(fza.C9)['m11'])",
            'fza.C9().m11(3)',
            'I_C9.m11(5)',
            'S_C9().m11(6)',
            'B_C9_m11(7)',
            "_line(vars(fza.C9)['m12'])",
            'fza.C9().m12(3)',
            'I_C9.m12(5)',
            'S_C9().m12(6)',
            'B_C9_m12(7)',
            "_line(vars(fza.C9)['m13'])",
            'fza.C9().m13',
            'I_C9.m13',
            'S_C9().m13',
            'isinstance(I_C9, fza.C9)',
            '[c.__name__ for c in S_C9.__mro__]',
            'C9 is fza.C9',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C2.__mro__]',
            "sorted(k for k in vars(fzb.C2) if not k.startswith('__'))",
            'isinstance(I_C2, fzb.C2)',
            '[c.__name__ for c in S_C2.__mro__]',
            'C2 is fzb.C2',
            'fzb.f3(3)',
            'fzb.f3.__name__',
            'fzb.f3.__doc__',
            '_line(fzb.f3)',
            'inspect.getsource(fzb.f3)',
            'f3(4)',
            "CB['f3'](5)",
            'P_f3()',
            'f3 is fzb.f3',
            'fzb.f4(3)',
            'fzb.f4.__name__',
            'fzb.f4.__doc__',
            '_line(fzb.f4)',
            'inspect.getsource(fzb.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fzb.f4',
            'fzb.K5',
            'K5',
            'fzb.f8(3)',
            'fzb.f8.__name__',
            'fzb.f8.__doc__',
            '_line(fzb.f8)',
            'inspect.getsource(fzb.f8)',
            'f8(4)',
            "CB['f8'](5)",
            'P_f8()',
            'f8 is fzb.f8',
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='change_func',
    ),
    Step(
        files={
            'fza.py': '''\
import functools
K6 = 0
K7 = 0
@functools.lru_cache(maxsize=None)
def f1(x):
    return 0
class C9:
    A10 = 0
    def m11(self, x):
        return 0
    def m12(self, x):
        return x
    @functools.cached_property
    def m13(self):
        x = 2
        return self.m11(x)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.f1(3)',
            'fza.f1.__name__',
            'fza.f1.__doc__',
            '_line(fza.f1)',
            'inspect.getsource(fza.f1)',
            'f1(4)',
            "CB['f1'](5)",
            'P_f1()',
            'f1 is fza.f1',
            'fza.K6',
            'K6',
            'fza.K7',
            'K7',
            '[c.__name__ for c in fza.C9.__mro__]',
            "sorted(k for k in vars(fza.C9) if not k.startswith('__'))",
            'fza.C9.A10',
            "_line(vars(fza.C9)['m11'])",
            'fza.C9().m11(3)',
            'I_C9.m11(5)',
            'S_C9().m11(6)',
            'B_C9_m11(7)',
            "_line(vars(fza.C9)['m12'])",
            'fza.C9().m12(3)',
            'I_C9.m12(5)',
            'S_C9().m12(6)',
            'B_C9_m12(7)',
            "_line(vars(fza.C9)['m13'])",
            'fza.C9().m13',
            'I_C9.m13',
            'S_C9().m13',
            'isinstance(I_C9, fza.C9)',
            '[c.__name__ for c in S_C9.__mro__]',
            'C9 is fza.C9',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C2.__mro__]',
            "sorted(k for k in vars(fzb.C2) if not k.startswith('__'))",
            'isinstance(I_C2, fzb.C2)',
            '[c.__name__ for c in S_C2.__mro__]',
            'C2 is fzb.C2',
            'fzb.f3(3)',
            'fzb.f3.__name__',
            'fzb.f3.__doc__',
            '_line(fzb.f3)',
            'inspect.getsource(fzb.f3)',
            'f3(4)',
            "CB['f3'](5)",
            'P_f3()',
            'f3 is fzb.f3',
            'fzb.f4(3)',
            'fzb.f4.__name__',
            'fzb.f4.__doc__',
            '_line(fzb.f4)',
            'inspect.getsource(fzb.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fzb.f4',
            'fzb.K5',
            'K5',
            'fzb.f8(3)',
            'fzb.f8.__name__',
            'fzb.f8.__doc__',
            '_line(fzb.f8)',
            'inspect.getsource(fzb.f8)',
            'f8(4)',
            "CB['f8'](5)",
            'P_f8()',
            'f8 is fzb.f8',
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='change_class',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_4145d31694(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
