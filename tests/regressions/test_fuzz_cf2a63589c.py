# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_cf2a63589c.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (change_deco; wrote fza.py):
        fzb.f4.__name__: live 'inner' != fresh 'f4'
        _line(fzb.f4): live 4 != fresh 2
        inspect.getsource(fzb.f4): live '    @functools.wraps(fn)\\n    def inner(*args, **kwargs):\\n        return fn(*args, **kwargs) * 2\\n' != fresh '@fza.deco1\\ndef f4(x):\\n    return 0\\n'
      str(report): 'hotswap: reloaded fza: patched deco1'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K2 = 0
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f3(x):
    return 0
def f6(x):
    return 0
def make5(k):
    def add(x):
        return k + x
    return add
''',
    'fzb.py': '''\
import fza
@fza.deco1
def f4(x):
    return 0
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
    from fza import K2
except Exception:
    pass
try:
    from fza import f3
    CB['f3'] = fza.f3
    P_f3 = functools.partial(fza.f3, 3)
except Exception:
    pass
try:
    H_make5 = fza.make5(1)
except Exception:
    pass
try:
    from fza import f6
    CB['f6'] = fza.f6
    P_f6 = functools.partial(fza.f6, 3)
except Exception:
    pass
try:
    from fzb import f4
    CB['f4'] = fzb.f4
    P_f4 = functools.partial(fzb.f4, 3)
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
import functools
K2 = 0
def deco1(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f3(x):
    return 0
def f6(x):
    return 0
def make5(k):
    def add(x):
        return k + x
    return add
''',
        },
        probes=[
            'fzb.f4.__name__',
            '_line(fzb.f4)',
            'inspect.getsource(fzb.f4)',
        ],
        note='change_deco',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_cf2a63589c(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
