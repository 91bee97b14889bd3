"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_00b3824078.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 2 (change_func; wrote fza.py):
        fzb.C6.A7: live 1 != fresh 0
      str(report): 'hotswap: reloaded fza: patched f1; added V5\\nhotswap: reloaded fzb'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
@functools.lru_cache(maxsize=None)
def f1(x):
    return 1
def make4(k):
    def add(x):
        return k + x
    return add
''',
    'fzb.py': '''\
import functools
from fza import f1
K2 = 0
@functools.lru_cache(maxsize=None)
def f3(x, d=0):
    return f1(f1(x))
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
    from fza import f1
    CB['f1'] = fza.f1
    P_f1 = functools.partial(fza.f1, 3)
except Exception:
    pass
try:
    H_make4 = fza.make4(1)
except Exception:
    pass
try:
    from fzb import K2
except Exception:
    pass
try:
    from fzb import f3
    CB['f3'] = fzb.f3
    P_f3 = functools.partial(fzb.f3, 3)
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
import functools
from fza import f1
K2 = 0
@functools.lru_cache(maxsize=None)
def f3(x, d=0):
    return f1(f1(x))
class C6:
    A7 = f3(K2)
''',
        },
        probes=[
        ],
        note='add_class',
    ),
    Step(
        files={
            'fza.py': '''\
import functools
@functools.lru_cache(maxsize=None)
def f1(x):
    return 0
def make4(k):
    def add(x):
        return k + x
    return add
V5 = f1(0)
''',
        },
        probes=[
            'fzb.C6.A7',
        ],
        note='change_func',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_00b3824078(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
