"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_4433ae570b.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (change_func; wrote fza.py):
        fza.f4.__doc__: live 'changed doc' != fresh None
      str(report): 'hotswap: reloaded fza: patched f4'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K1 = 0
K5 = 0
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@deco3
def f4(x):
    return 0
@functools.lru_cache(maxsize=None)
def f6(x):
    return 0
''',
    'fzb.py': '''\
import functools
@functools.lru_cache(maxsize=None)
def f2(x):
    return x
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
    from fza import K1
except Exception:
    pass
try:
    from fza import f4
    CB['f4'] = fza.f4
    P_f4 = functools.partial(fza.f4, 3)
except Exception:
    pass
try:
    from fza import K5
except Exception:
    pass
try:
    from fza import f6
    CB['f6'] = fza.f6
    P_f6 = functools.partial(fza.f6, 3)
except Exception:
    pass
try:
    from fzb import f2
    CB['f2'] = fzb.f2
    P_f2 = functools.partial(fzb.f2, 3)
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
import functools
K1 = 0
K5 = 0
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@deco3
def f4(x):
    """changed doc"""
    return 0
@functools.lru_cache(maxsize=None)
def f6(x):
    return 0
''',
        },
        probes=[
            'fza.f4.__doc__',
        ],
        note='change_func',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_4433ae570b(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
