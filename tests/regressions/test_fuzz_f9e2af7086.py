# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_f9e2af7086.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 1 (raise; wrote fza.py):
        fza.f1(3) changed by a failed save: 0 -> 7
        P_f1() changed by a failed save: 0 -> 7
      str(report): 'hotswap: fza failed at /tmp/hotswap-fuzz-g2pn5d5z/slim2/live/fza.py:6: RuntimeError: broken at import (kept the previous version)'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
import functools
@functools.lru_cache(maxsize=None)
def f1(x, d=0):
    return d
''',
    'fzb.py': '''\
K2 = 0
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
    from fzb import K2
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fza.py': b'import functools\n@functools.lru_cache(maxsize=None)\ndef f1(x):\n    return 7\nV3 = f1(3)\nraise RuntimeError("broken at import")\n',
        },
        probes=[
            'fza.f1(3)',
            'P_f1()',
        ],
        ok=False, error_path='fza.py',
        error_line=6,
        note='raise',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_f9e2af7086(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
