# ruff: noqa: E501
"""Found by the differential fuzzer (tests/test_fuzz.py): fuzz_fbd63988b6.

What a user sees (live session vs. a fresh interpreter running the same files):

    save 4 (shift; wrote fzb.py):
        _line(fzb.f2): live 4 != fresh 6
        inspect.getsource(fzb.f2): live '# (edited)\\n# (edited)\\nimport functools\\nK3 = 0\\nK5 = K3\\n@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n' != fresh '@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n'
      str(report): 'hotswap: nothing changed'
    save 6 (fix; wrote fzb.py):
        _line(fzb.f2): live 4 != fresh 6
        inspect.getsource(fzb.f2): live '# (edited)\\n# (edited)\\nimport functools\\nK3 = 0\\nK5 = K3\\n@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n' != fresh '@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n'
      str(report): 'hotswap: reloaded fzb: added f8'
    save 8 (fix; wrote fza.py):
        _line(fzb.f2): live 4 != fresh 6
        inspect.getsource(fzb.f2): live '# (edited)\\n# (edited)\\nimport functools\\nK3 = 0\\nK5 = K3\\n@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n' != fresh '@functools.lru_cache(maxsize=None)\\ndef f2(x):\\n    return 0\\n'
      str(report): 'hotswap: reloaded fza: added C9'
"""

from __future__ import annotations

from pathlib import Path

from _fuzz_harness import check_story
from _fuzz_program import Step, Story

BEFORE = {
    'fza.py': '''\
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 4
    return inner
def f4(x, d=2):
    return (d - d)
''',
    'fzb.py': '''\
import functools
K3 = 0
@functools.lru_cache(maxsize=None)
def f2(x):
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
    from fza import f4
    CB['f4'] = fza.f4
    P_f4 = functools.partial(fza.f4, 3)
except Exception:
    pass
try:
    from fzb import f2
    CB['f2'] = fzb.f2
    P_f2 = functools.partial(fzb.f2, 3)
except Exception:
    pass
try:
    from fzb import K3
except Exception:
    pass
'''

STEPS = [
    Step(
        files={
            'fzb.py': '''\
import functools
K3 = 0
K5 = K3
@functools.lru_cache(maxsize=None)
def f2(x):
    return 0
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
        ],
        note='add_const',
    ),
    Step(
        files={
            'fza.py': '''\
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 4
    return inner
def f4(x, d=2):
    return (d - d)
def make6(k):
    def add(x):
        return k + f4(4)
    return add
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
        ],
        note='add_factory',
    ),
    Step(
        files={
            'fza.py': '''\
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 4
    return inner
def f4(x, d=2):
    return (d - d)
def make6(k):
    def add(x):
        return k + f4(4)
    return add
def make7(k):
    def add(x):
        return k + 7
    return add
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
        ],
        note='shift + add_factory',
    ),
    Step(
        files={
            'fzb.py': '''\
# (edited)
# (edited)
import functools
K3 = 0
K5 = K3
@functools.lru_cache(maxsize=None)
def f2(x):
    return 0
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
        ],
        note='shift',
    ),
    Step(
        files={
            'fzb.py': b'# (edited)\n# (edited)\nimport functools\nK3 = 0\nK5 = K3\n@functools.lru_cache(maxsize=None)\ndef f2(x):\n    return 0\n_text = \'\xff\'\ndef f8(x):\n    """doc 8"""\n    return f2(K3)\n',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
        ],
        ok=False, error_path='fzb.py',
        error_line=9,
        note='bytes',
    ),
    Step(
        files={
            'fzb.py': '''\
# (edited)
# (edited)
import functools
K3 = 0
K5 = K3
@functools.lru_cache(maxsize=None)
def f2(x):
    return 0
def f8(x):
    """doc 8"""
    return f2(K3)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
            'fzb.f8(3)',
            'fzb.f8.__name__',
            'fzb.f8.__doc__',
            '_line(fzb.f8)',
            'inspect.getsource(fzb.f8)',
        ],
        note='fix',
    ),
    Step(
        files={
            'fza.py': b'raise RuntimeError("broken at import")\ndef deco1(fn):\n    def inner(*args, **kwargs):\n        return fn(*args, **kwargs) * 4\n    return inner\ndef f4(x, d=2):\n    return (d - d)\ndef make6(k):\n    def add(x):\n        return k + f4(4)\n    return add\ndef make7(k):\n    def add(x):\n        return k + 7\n    return add\nclass C9:\n    @staticmethod\n    def m10(x):\n        return x\n    @classmethod\n    def m11(cls, x):\n        return cls.m10(f4(x))\n    @classmethod\n    def m12(cls, x):\n        return (8 + x)\n',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
            'fzb.f8(3)',
            'fzb.f8.__name__',
            'fzb.f8.__doc__',
            '_line(fzb.f8)',
            'inspect.getsource(fzb.f8)',
        ],
        ok=False, error_path='fza.py',
        error_line=1,
        note='raise',
    ),
    Step(
        files={
            'fza.py': '''\
def deco1(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 4
    return inner
def f4(x, d=2):
    return (d - d)
def make6(k):
    def add(x):
        return k + f4(4)
    return add
def make7(k):
    def add(x):
        return k + 7
    return add
class C9:
    @staticmethod
    def m10(x):
        return x
    @classmethod
    def m11(cls, x):
        return cls.m10(f4(x))
    @classmethod
    def m12(cls, x):
        return (8 + x)
''',
        },
        probes=[
            "sorted(k for k in vars(fza) if not k.startswith('__'))",
            'fza.deco1(abs)(-3)',
            'fza.deco1(abs).__name__',
            'fza.f4(3)',
            'fza.f4.__name__',
            'fza.f4.__doc__',
            '_line(fza.f4)',
            'inspect.getsource(fza.f4)',
            'f4(4)',
            "CB['f4'](5)",
            'P_f4()',
            'f4 is fza.f4',
            'fza.make6(2)(3)',
            '_line(fza.make6)',
            'fza.make7(2)(3)',
            '_line(fza.make7)',
            '[c.__name__ for c in fza.C9.__mro__]',
            "sorted(k for k in vars(fza.C9) if not k.startswith('__'))",
            "_line(vars(fza.C9)['m10'])",
            'fza.C9().m10(3)',
            'fza.C9.m10(4)',
            "_line(vars(fza.C9)['m11'])",
            'fza.C9().m11(3)',
            'fza.C9.m11(4)',
            "_line(vars(fza.C9)['m12'])",
            'fza.C9().m12(3)',
            'fza.C9.m12(4)',
            "sorted(k for k in vars(fzb) if not k.startswith('__'))",
            'fzb.f2(3)',
            'fzb.f2.__name__',
            'fzb.f2.__doc__',
            '_line(fzb.f2)',
            'inspect.getsource(fzb.f2)',
            'f2(4)',
            "CB['f2'](5)",
            'P_f2()',
            'f2 is fzb.f2',
            'fzb.K3',
            'K3',
            'fzb.K5',
            'fzb.f8(3)',
            'fzb.f8.__name__',
            'fzb.f8.__doc__',
            '_line(fzb.f8)',
            'inspect.getsource(fzb.f8)',
        ],
        note='fix',
    ),
]

STORY = Story(BEFORE, SETUP, STEPS, reloader='before', strategy='incremental')


def test_fuzz_fbd63988b6(tmp_path: Path) -> None:
    """After these saves the live session agrees with a fresh interpreter (see above)."""
    check_story(STORY, tmp_path)
