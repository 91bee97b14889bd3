# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_1499720ac9.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (change_func + change_deco; wrote fza.py, fzb.py):
        fzb.f2.__name__: live 'inner' != fresh 'f2'
        _line(fzb.f2): live 5 != fresh 2
        inspect.getsource(fzb.f2): live '    @functools.wraps(fn)\\n    def inner(*args, **kwargs):\\n        return fn(*args, **kwargs) * 2\\n' != fresh '@deco1\\ndef f2(x):\\n    return 0\\n'
      str(report): 'hotswap: reloaded fza: patched deco1, f5\\nhotswap: reloaded fzb: patched f2'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
K3 = 0
K4 = K3
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f5(x):
    return 0
''',
    'fzb.py': '''\
from fza import deco1
@deco1
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
    from fza import K3
except Exception:
    pass
try:
    from fza import K4
except Exception:
    pass
try:
    from fza import f5
    CB['f5'] = fza.f5
    P_f5 = functools.partial(fza.f5, 3)
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
K3 = 0
K4 = K3
def deco1(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
@functools.lru_cache(maxsize=None)
def f5(x):
    return x
''',
            'fzb.py': '''\
from fza import deco1
@deco1
def f2(x):
    return 0
''',
        },
        probes=[
            'fzb.f2.__name__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
        ],
        note='change_func + change_deco',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_1499720ac9(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
