"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_7131bf89f7.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (change_const; wrote fza.py):
        fzc.V5: live 0 != fresh 1
      str(report): 'hotswap: reloaded fza: rerun K1; rebound K1'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
K1 = 0
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
class C2:
    pass
''',
    'fzb.py': '''\
''',
    'fzc.py': '''\
import fza
def f4(x):
    return fza.K1
V5 = f4(0)
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
    from fza import K1
except Exception:
    pass
try:
    from fza import C2
    I_C2 = fza.C2()
    class S_C2(fza.C2):
        pass
except Exception:
    pass
try:
    from fzc import f4
    CB['f4'] = fzc.f4
    P_f4 = functools.partial(fzc.f4, 3)
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': '''\
K1 = 1
def deco3(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
class C2:
    pass
''',
        },
        probes=[
            'fzc.V5',
        ],
        note='change_const',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_7131bf89f7(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
