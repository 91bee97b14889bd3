# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_cf6ed8840e.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 2 (change_deco; wrote fza.py):
        fzb.C4.A6: live 2 != fresh 3
      str(report): 'hotswap: reloaded fza: added functools, f7; patched deco1\\nhotswap: reloaded fzb'
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
''',
    'fzb.py': '''\
from fza import deco1
@deco1
def f2(x):
    return x
def f3(x):
    return 0
class C4:
    A5 = 0
    A6 = f2(0)
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
    from fzb import f2
    CB['f2'] = fzb.f2
    P_f2 = functools.partial(fzb.f2, 3)
except Exception:
    pass
try:
    from fzb import f3
    CB['f3'] = fzb.f3
    P_f3 = functools.partial(fzb.f3, 3)
except Exception:
    pass
try:
    from fzb import C4
    I_C4 = fzb.C4()
    class S_C4(fzb.C4):
        pass
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
from fza import deco1
@deco1
def f2(x):
    return 1
def f3(x):
    return 0
class C4:
    A5 = 0
    A6 = f2(0)
''',
        },
        probes=[
        ],
        note='change_func',
    ),
    Step(
        files={
            'fza.py': '''\
import functools
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 3
    return inner
@functools.lru_cache(maxsize=None)
def f7(x):
    return x
''',
        },
        probes=[
            'fzb.C4.A6',
        ],
        note='change_deco',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_cf6ed8840e(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
