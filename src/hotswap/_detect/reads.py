"""What a module's import-time code reads, known without parsing: from its code object.

:func:`import_time_reads` gives the names a module's top-level code reads while it is imported
(module body, class bodies, comprehensions; not function bodies), from its code object: the
capturing import hook computes it, so that an importer whose import-time code never reads a
changed name needs neither a parse nor a transaction (see :mod:`hotswap._checkpoint.follow`).
The bytecode differs between 3.11, 3.12 and 3.13; each difference is named where it is read.
"""

from __future__ import annotations

import opcode
import sys
from types import CodeType
from typing import NamedTuple

__all__ = ["Reads", "import_time_reads"]

_OPS = opcode.opmap
_EXTENDED = _OPS["EXTENDED_ARG"]
_LOAD_NAME, _LOAD_GLOBAL = _OPS["LOAD_NAME"], _OPS["LOAD_GLOBAL"]
# (opcode, shift of its argument to get the index into co_names)
_LOADS = [(bytes([_LOAD_NAME]), 0), (bytes([_LOAD_GLOBAL]), 1)]
if "LOAD_FROM_DICT_OR_GLOBALS" in _OPS:  # 3.12+: class bodies reading a global
    _LOADS.append((bytes([_OPS["LOAD_FROM_DICT_OR_GLOBALS"]]), 0))
_BUILD_CLASS = bytes([_OPS["LOAD_BUILD_CLASS"]])
_LOAD_CONST = _OPS["LOAD_CONST"]
_CALLS = frozenset(_OPS[name] for name in ("CALL", "PRECALL") if name in _OPS)
_SKIPPED = frozenset({_OPS["CACHE"], _EXTENDED})
_CACHE = _OPS["CACHE"]
_PUSH_NULL = _OPS["PUSH_NULL"]
_NULL_AFTER = sys.version_info >= (3, 13)  # 3.13 pushes the NULL after the callable
_METHOD_LOADS = frozenset(_OPS[n] for n in ("LOAD_METHOD",) if n in _OPS)
_LOAD_ATTR = _OPS["LOAD_ATTR"]
_KEYWORD_USES = frozenset(
    _OPS[n] for n in ("BUILD_CONST_KEY_MAP", "CALL_KW", "KW_NAMES") if n in _OPS
)
_METHOD_ATTR = sys.version_info >= (3, 12)  # LOAD_ATTR's low bit: a method load
# What may follow a load that uses the value (never a callee, never a decorator).
_VALUE_NEXT = frozenset(
    _OPS[n]
    for n in (
        "STORE_NAME", "STORE_GLOBAL", "STORE_ATTR", "STORE_SUBSCR", "BUILD_TUPLE", "BUILD_LIST",
        "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "LIST_APPEND", "SET_ADD", "MAP_ADD",
        "CALL", "PRECALL", "KW_NAMES", "CALL_KW", "LIST_EXTEND", "COMPARE_OP", "IS_OP",
        "CONTAINS_OP", "BINARY_OP", "BINARY_SUBSCR", "RETURN_VALUE", "POP_TOP",
    )
    if n in _OPS
)
_NAME_LOADS = frozenset({_LOAD_NAME, _LOAD_GLOBAL})
_CO_OPTIMIZED = 0x1
_RUN_AT_ONCE = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})


class Reads(NamedTuple):
    """What a module's import-time code reads: ``names``, every name it loads; ``called``,
    what it may call, a name or an attribute chain from one (``K.m``): every load but those
    it provably uses as a value (an annotation, an argument, an item of a tuple, list or
    dict, a value stored away); and ``bases``, the names
    it uses as plain base classes (``class D(B):``), which run code of theirs while a class
    is made only through ``__init_subclass__``."""

    names: frozenset[str]
    called: frozenset[str]
    bases: frozenset[str]


def _arg(raw: bytes, ops: bytes, at: int) -> int:
    """The argument of the instruction at code unit ``at`` (with its EXTENDED_ARG prefixes)."""
    arg = raw[2 * at + 1]
    back, bits = at - 1, 8
    while back >= 0 and ops[back] == _EXTENDED:
        arg |= raw[2 * back + 1] << bits
        back, bits = back - 1, bits + 8
    return arg


def _class_loads(code: CodeType, raw: bytes, ops: bytes) -> tuple[set[int], set[int]]:
    """Code units that load a name as an argument of a class statement (after
    ``LOAD_BUILD_CLASS``, the body's function and the class name, up to the call): as plain
    bases (only name loads, no keywords), and the others (a ``metaclass=M`` is called)."""
    bases: set[int] = set()
    others: set[int] = set()
    at = ops.find(_BUILD_CLASS)
    while at >= 0:
        unit, end = at + 1, min(len(ops), at + 24)
        while unit < end and not (
            ops[unit] == _LOAD_CONST and isinstance(code.co_consts[_arg(raw, ops, unit)], str)
        ):
            unit += 1
        loads = []
        unit += 1
        while unit < len(ops) and (ops[unit] in _NAME_LOADS or ops[unit] in _SKIPPED):
            if ops[unit] in _NAME_LOADS:
                loads.append(unit)
            unit += 1
        if unit < len(ops) and ops[unit] in _CALLS:
            bases.update(loads)
        else:
            others.update(loads)  # keywords follow (or dotted bases): taken as called
        at = ops.find(_BUILD_CLASS, at + 1)
    return bases, others


def _next_instruction(ops: bytes, unit: int) -> int:
    """The code unit of the instruction after the one at ``unit`` (caches and prefixes
    skipped)."""
    unit += 1
    while unit < len(ops) and ops[unit] in _SKIPPED:
        unit += 1
    return unit


def _chain(code: CodeType, raw: bytes, ops: bytes, at: int, name: str) -> str:
    """``a.b.c`` for a load of ``a`` at code unit ``at`` followed by reads of ``b``, ``c``."""
    after = _next_instruction(ops, at)
    while after < len(ops) and (ops[after] == _LOAD_ATTR or ops[after] in _METHOD_LOADS):
        arg = _arg(raw, ops, after)
        name += "." + code.co_names[arg >> 1 if _METHOD_ATTR and ops[after] == _LOAD_ATTR else arg]
        after = _next_instruction(ops, after)
    return name


def _called_as(code: CodeType, raw: bytes, ops: bytes, at: int, load: int) -> str | None:
    """What the name load at code unit ``at`` may call: None when it provably uses the value
    (see :class:`Reads`), else the name, or the attribute chain read from it (``K.m`` for
    ``K.m(...)`` or ``@K.m``). A callee is told by its NULL (``PUSH_NULL`` beside it,
    ``LOAD_GLOBAL``'s low bit) or a method load after it; a decorator is never followed by
    what ``_VALUE_NEXT`` holds nor by a run of loads ending in a call."""
    name = code.co_names[_arg(raw, ops, at) >> (1 if load == _LOAD_GLOBAL else 0)]
    if load == _LOAD_GLOBAL and _arg(raw, ops, at) & 1:
        return name
    start = at
    while start > 0 and ops[start - 1] == _EXTENDED:
        start -= 1
    before = start - 1
    while before >= 0 and ops[before] == _CACHE:
        before -= 1
    after = _next_instruction(ops, at)
    following = ops[after] if after < len(ops) else -1
    if _NULL_AFTER and following == _PUSH_NULL:
        return name
    # A NULL before it: the call is of it, or of the end of the attribute chain read from it
    # (``PUSH_NULL; LOAD_NAME a; LOAD_ATTR f; ...; CALL`` for ``a.f(...)``).
    called = not _NULL_AFTER and before >= 0 and ops[before] == _PUSH_NULL
    # ``x.a.b``: what follows the attribute chain decides (``x.m(...)`` calls x.m).
    chain = name
    while following == _LOAD_ATTR or following in _METHOD_LOADS:
        arg = _arg(raw, ops, after)
        method = following in _METHOD_LOADS or (_METHOD_ATTR and arg & 1)
        chain += "." + code.co_names[arg >> 1 if _METHOD_ATTR else arg]
        if method:
            return chain
        after = _next_instruction(ops, after)
        following = ops[after] if after < len(ops) else -1
    if called:
        return chain
    if following in _VALUE_NEXT:
        return None
    if (following == _LOAD_CONST or following in _NAME_LOADS) and _a_value_in_a_run(
        code, raw, ops, before, after, plain=chain == name
    ):
        return None
    return chain


def _a_value_in_a_run(
    code: CodeType, raw: bytes, ops: bytes, before: int, after: int, plain: bool
) -> bool:
    """Whether a name load provably uses the value, told by what follows it: ``after``, the
    code unit of the next instruction (a name load or a constant), ``before``, that of the one
    before the load; ``plain``, no attribute chain was read from it. So it is for an
    annotation, and for an argument in a run of loads that ends in a call or keyword names."""
    following = ops[after]
    # ``f(a, b)``: a run of name loads, then the call; ``def f(*, k=A)``: the keyword
    # names, then the dict (a decorator's run ends in the function or class it makes).
    if following in _NAME_LOADS and plain:
        index = _arg(raw, ops, after) >> (1 if following == _LOAD_GLOBAL else 0)
        if code.co_names[index] == "__annotations__":
            return True  # ``x: T`` at module or class level
    if (
        following == _LOAD_CONST
        and before >= 0
        and ops[before] == _LOAD_CONST
        and isinstance(code.co_consts[_arg(raw, ops, before)], str)
        and isinstance(code.co_consts[_arg(raw, ops, after)], str)
    ):
        return True  # an annotation of a def: ``'x', T, 'return', T``, then a tuple
    last = following
    while following in _NAME_LOADS or following == _LOAD_CONST:
        last = following
        after = _next_instruction(ops, after)
        following = ops[after] if after < len(ops) else -1
        if last == _LOAD_CONST:
            break
    return following in _KEYWORD_USES or (last != _LOAD_CONST and following in _CALLS)


def import_time_reads(code: CodeType) -> Reads:
    """Names read by the code that runs when the module is imported: the module body, class
    bodies (not the functions they define) and comprehensions (3.11 makes them functions)."""
    names: set[str] = set()
    called: set[str] = set()
    as_base: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        raw = current.co_code
        ops = raw[::2]  # 3.11+: every code unit is (opcode, arg); caches read as opcode 0
        co_names = current.co_names
        bases, class_args = (
            _class_loads(current, raw, ops) if _BUILD_CLASS in ops else (set(), set())
        )
        for op, shift in _LOADS:
            at = ops.find(op)
            while at >= 0:
                index = _arg(raw, ops, at) >> shift
                if index < len(co_names):
                    name = co_names[index]
                    if at in bases:
                        as_base.add(name)
                    else:
                        names.add(name)
                        if at in class_args:  # a metaclass, a dotted base: called
                            called.add(_chain(current, raw, ops, at, name))
                        else:
                            target = _called_as(current, raw, ops, at, op[0])
                            if target is not None:
                                called.add(target)
                at = ops.find(op, at + 1)
        for const in current.co_consts:
            if type(const) is CodeType and (
                not const.co_flags & _CO_OPTIMIZED or const.co_name in _RUN_AT_ONCE
            ):
                stack.append(const)
    return Reads(frozenset(names | as_base), frozenset(called), frozenset(as_base))


_STORES = tuple(bytes([_OPS[name]]) for name in ("STORE_NAME", "STORE_GLOBAL"))


def import_time_binds(code: CodeType) -> tuple[str, ...]:
    """The names a module's top-level code binds (stores into the module's namespace), from
    its code object: what a module run from cached bytecode bound, when its source was lost
    before it could be read (its file changed first), so that a reload can still remove what
    the new source no longer binds. Not the docstring's ``__doc__`` (every module has one)."""
    raw = code.co_code
    ops = raw[::2]
    co_names = code.co_names
    found: dict[str, None] = {}
    for op in _STORES:
        at = ops.find(op)
        while at >= 0:
            index = _arg(raw, ops, at)
            if index < len(co_names):
                found[co_names[index]] = None
            at = ops.find(op, at + 1)
    found.pop("__doc__", None)
    return tuple(found)
