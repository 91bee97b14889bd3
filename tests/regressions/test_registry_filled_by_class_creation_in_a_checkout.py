"""A class patched in place registers its fresh twin while its module reloads (a metaclass or
``__init_subclass__`` keeping a registry): a module later in the same save that reads the
registry gets the kept class, not the twin.

Found checking out sympy 1.12.1 -> 1.13.0: every class of ``sympy.core.numbers`` runs again,
and its metaclass, ``Singleton``, puts the fresh class in ``S``'s table of classes to install
(``S.Infinity`` is made from it on first use). Holders of such a fresh class get the kept one
back at the end of the checkpoint; modules of the same save that ran before that made
``S.Infinity`` from the fresh class, whose ``__hash__`` (patched into the kept class, its
``super()`` cell pointing at it) then raised "super(type, obj): obj must be an instance or
subtype of type": 20 modules failed where a fresh interpreter imports them, and
``exp(2*x)`` printed ``exp(2*x**1)`` afterwards. A registry that the code run by the class
statement can reach is given the kept class at once; the checkpoint's one heap scan still
finds the others."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

REGISTRY = '''\
class Registry:
    """Classes to install by name; an instance is made on first use (as sympy's ``S``)."""

    def __init__(self):
        self._to_install = {}

    def register(self, cls):
        if cls.__name__ in self.__dict__:
            delattr(self, cls.__name__)
        self._to_install[cls.__name__] = cls

    def __getattr__(self, name):
        try:
            cls = self._to_install.pop(name)
        except KeyError:
            raise AttributeError(name) from None
        value = cls()
        setattr(self, name, value)
        return value


S = Registry()


class Singleton(type):
    def __init__(cls, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cls._instance = obj = object.__new__(cls)
        cls.__new__ = lambda cls: obj
        S.register(cls)
'''

NUMBERS = '''\
from {registry} import Singleton


class Number:
    def __hash__(self):
        return 7


class Infinity(Number, metaclass=Singleton):
    def __hash__(self):
        return super().__hash__() + {delta}

    def __repr__(self):
        return "oo"
'''

USER = '''\
from {registry} import S
import {numbers}

VALUE = hash(S.Infinity) + {delta}
'''


def test_a_later_module_of_the_save_reads_the_registry_with_the_kept_class(
    workspace: Workspace,
) -> None:
    """``numbers`` and ``user`` saved together (``user`` after it): ``user`` computes with
    ``S.Infinity`` without error, as a fresh interpreter does, and ``S.Infinity`` is an
    instance of the class the module holds."""
    registry, numbers, user = (workspace.name(p) for p in ("reg", "num", "usr"))
    workspace.write(f"{registry}.py", REGISTRY)
    workspace.write(f"{numbers}.py", NUMBERS.format(registry=registry, delta=0))
    workspace.write(f"{user}.py", USER.format(registry=registry, numbers=numbers, delta=0))
    with hotswap.Reloader() as r:
        reg = importlib.import_module(registry)
        num = importlib.import_module(numbers)
        usr = importlib.import_module(user)
        assert usr.VALUE == 7
        workspace.write(f"{numbers}.py", NUMBERS.format(registry=registry, delta=1))
        workspace.write(f"{user}.py", USER.format(registry=registry, numbers=numbers, delta=100))
        report = r.check()
        assert report.ok, report
        assert usr.VALUE == 108
        assert isinstance(reg.S.Infinity, num.Infinity)
        assert hash(reg.S.Infinity) == 8
