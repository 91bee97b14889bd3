# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_4c9924b87f.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (remove; wrote fza.py):
        sorted(k for k in vars(fzd) if not k.startswith('__')): live ['C8', 'C9', 'deco1', 'deco2', 'deco3', 'deco5', 'deco6', 'f10', 'f4', 'f7', 'functools'] != fresh ['C8', 'C9', 'deco2', 'deco3', 'deco5', 'deco6', 'f10', 'f4', 'f7', 'functools']
      str(report): 'hotswap: reloaded fza: patched deco2, deco3, deco5, deco6, f4; removed deco1\\nhotswap: reloaded fzb: rebound deco1'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco2(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco5(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco6(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def f4(x):
    return 0
''',
    'fzb.py': '''\
import functools
from fza import *
@functools.lru_cache(maxsize=None)
def f10(x, d=0):
    return f4(x)
class C8:
    pass
''',
    'fzc.py': '''\
''',
    'fzd.py': '''\
from fza import f4
from fzb import *
def f7(x, d=0):
    return (f4(0) + x)
class C9(C8):
    pass
''',
}

SETUP = '''\
import functools, inspect


def _line(obj):
    """First line of the function behind a descriptor or a wrapper."""
    for attr in ("fget", "func", "__func__"):
        obj = getattr(obj, attr, obj)
    return inspect.unwrap(obj).__code__.co_firstlineno

import fza, fzb, fzc, fzd
CB = {}
try:
    from fza import f4
    CB['f4'] = fza.f4
    P_f4 = functools.partial(fza.f4, 3)
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
    from fzb import f10
    CB['f10'] = fzb.f10
    P_f10 = functools.partial(fzb.f10, 3)
except Exception:
    pass
try:
    from fzd import f7
    CB['f7'] = fzd.f7
    P_f7 = functools.partial(fzd.f7, 3)
except Exception:
    pass
try:
    from fzd import C9
    I_C9 = fzd.C9()
    class S_C9(fzd.C9):
        pass
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
def deco2(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco5(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def deco6(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
def f4(x):
    return 0
''',
        },
        probes=[
            "sorted(k for k in vars(fzd) if not k.startswith('__'))",
        ],
        note='remove',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='full')


def test_fuzz_4c9924b87f(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
