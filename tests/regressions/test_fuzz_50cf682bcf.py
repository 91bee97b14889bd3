# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_50cf682bcf.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (change_kind; wrote fzb.py):
        sorted(k for k in vars(fzb) if not k.startswith('__')): live ['C3', 'C8', 'K6', 'deco4', 'f1', 'f5', 'f7', 'functools'] != fresh ['C3', 'C8', 'K2', 'K6', 'deco4', 'f1', 'f5', 'f7', 'functools']
        fzb.C8(3): live raises NameError != fresh 0
      str(report): 'hotswap: reloaded fzb: added functools, K6, deco4, f1, f5, f7; removed K2'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K2 = 0
K6 = 0
def deco4(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f1(x):
    return x
def f5(x):
    return 0
def f7(x):
    return 0
''',
    'fzb.py': '''\
from fza import K2
class C3:
    pass
class C8(C3):
    def m9(self, x):
        return K2
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
    from fza import K2
except Exception:
    pass
try:
    from fza import f5
    CB['f5'] = fza.f5
    P_f5 = functools.partial(fza.f5, 3)
except Exception:
    pass
try:
    from fza import K6
except Exception:
    pass
try:
    from fza import f7
    CB['f7'] = fza.f7
    P_f7 = functools.partial(fza.f7, 3)
except Exception:
    pass
try:
    from fzb import C3
    I_C3 = fzb.C3()
    class S_C3(fzb.C3):
        pass
except Exception:
    pass
try:
    from fzb import C8
    I_C8 = fzb.C8()
    class S_C8(fzb.C8):
        pass
except Exception:
    pass
try:
    B_C8_m9 = I_C8.m9
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
from fza import *
def C8(x):
    return K2
class C3:
    pass
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
            'fza.K2',
            'K2',
            'fza.deco4(abs)(-3)',
            'fza.deco4(abs).__name__',
            'fza.f5(3)',
            'fza.f5.__name__',
            'fza.f5.__doc__',
            '_line(fza.f5)',
            'inspect.getsource(fza.f5)',
            'f5(4)',
            "CB['f5'](5)",
            'P_f5()',
            'f5 is fza.f5',
            'fza.K6',
            'K6',
            'fza.f7(3)',
            'fza.f7.__name__',
            'fza.f7.__doc__',
            '_line(fza.f7)',
            'inspect.getsource(fza.f7)',
            'f7(4)',
            "CB['f7'](5)",
            'P_f7()',
            'f7 is fza.f7',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            '[c.__name__ for c in fzb.C3.__mro__]',
            "sorted(k for k in vars(fzb.C3) if not k.startswith('__'))",
            'isinstance(I_C3, fzb.C3)',
            '[c.__name__ for c in S_C3.__mro__]',
            'C3 is fzb.C3',
            'fzb.C8(3)',
            'fzb.C8.__name__',
            'fzb.C8.__doc__',
            '_line(fzb.C8)',
            'inspect.getsource(fzb.C8)',
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='change_kind',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_50cf682bcf(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
