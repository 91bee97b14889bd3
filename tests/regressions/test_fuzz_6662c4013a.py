# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_6662c4013a.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (remove; wrote fzb.py):
        sorted(k for k in vars(fzc) if not k.startswith('__')): live ['C3', 'K1', 'K12', 'V9', 'f10', 'f11', 'f2', 'make7'] != fresh ['C3', 'K1', 'K12', 'V9', 'f10', 'f11', 'f2', 'functools', 'make7']
      str(report): 'hotswap: reloaded fzb: removed deco8, functools\\nhotswap: reloaded fzc: rebound deco8, functools'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K12 = 0
@functools.lru_cache(maxsize=None)
def f2(x):
    return 0
@functools.lru_cache(maxsize=None)
def f10(x):
    return 0
@functools.lru_cache(maxsize=None)
def f11(x):
    return x
def make7(k):
    def add(x):
        return k + x
    return add
''',
    'fzb.py': '''\
import functools
K1 = 0
def deco8(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
''',
    'fzc.py': '''\
from fza import *
from fzb import *
class C3:
    def m4(self, x):
        return 0
    def m5(self, x):
        return 0
    def m6(self, x):
        return (K1 + 0)
V9 = f2(0)
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
    from fza import f2
    CB['f2'] = fza.f2
    P_f2 = functools.partial(fza.f2, 3)
except Exception:
    pass
try:
    H_make7 = fza.make7(1)
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
    from fza import K12
except Exception:
    pass
try:
    from fzb import K1
except Exception:
    pass
try:
    from fzc import C3
    I_C3 = fzc.C3()
    class S_C3(fzc.C3):
        pass
except Exception:
    pass
try:
    B_C3_m4 = I_C3.m4
except Exception:
    pass
try:
    B_C3_m5 = I_C3.m5
except Exception:
    pass
try:
    B_C3_m6 = I_C3.m6
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
K1 = 0
''',
        },
        probes=[
            "sorted(k for k in vars(fzc) if not k.startswith('__'))",
        ],
        note='remove',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_6662c4013a(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
