"""The names a function's code may use when it is called, read off its code objects.

Propagation (:mod:`hotswap._engine.propagate`) asks which functions of a module behave differently
when some names do: a function whose code uses such a name. A code object's ``co_names`` (and
free variables, and those of the code nested in it) are a superset of what its body reads.

One use does not count: a name loaded only to build an exception that the same straight run of
code then raises (``raise ValueError(filldedent(msg))``), outside any ``try``/``with`` of that
code object. A call that reached such a load raised; the import-time statement that made the call
then failed, so what the module holds was not computed by it. A project's helpers that format
error messages (sympy's ``filldedent``, used in an error path of its ``FunctionClass``
metaclass) would otherwise make every import-time call that can reach an error path "call
changed code", and every class such a metaclass made would be made again. What is left out: an
import-time statement that catches such an exception in a caller and keeps its message.

Results are kept per live code object, so a save pays only for code it has not read before.

:func:`may_have_run` tells code that never ran since it was made: a function that never ran
computed nothing that is held anywhere (a value stored at import, a cached result), so what
changed cannot have reached a held value through it, and propagation does not follow it (see
``_affected.affected_functions``). Told from what CPython changes in a code object when it runs
(see ``_ran_311`` and ``_ran_adaptive``); code of a file hotswap has run code of (a reload, an
importer's transaction) counts as run, since a patch or a moved function gets a fresh code object
that says nothing of the runs of the one it replaced.
"""

from __future__ import annotations

import dis
import opcode
import sys
import types
import weakref
from typing import Any

__all__ = [
    "code_names",
    "may_have_run",
    "member_names",
    "names_in",
    "never_called",
    "quiet",
    "ran_code",
    "sweep",
    "touched",
]

_OPS = opcode.opmap
_RAISE = bytes([_OPS["RAISE_VARARGS"]])
_EXTENDED = _OPS["EXTENDED_ARG"]
# Instructions that may stand between the start of a raised expression and its
# RAISE_VARARGS: loads, calls, building values. No jump, store, return or function made: a run
# of them ending in the raise is executed whole, or left by an exception.
_STRAIGHT = frozenset(
    _OPS[name]
    for name in (
        "CACHE", "EXTENDED_ARG", "NOP", "PUSH_NULL", "PRECALL", "CALL", "CALL_KW", "KW_NAMES",
        "CALL_FUNCTION_EX", "LOAD_CONST", "LOAD_SMALL_INT", "LOAD_FAST", "LOAD_FAST_CHECK",
        "LOAD_FAST_LOAD_FAST", "LOAD_FAST_AND_CLEAR", "LOAD_DEREF", "LOAD_GLOBAL",
        "LOAD_NAME", "LOAD_ATTR", "LOAD_METHOD", "LOAD_ASSERTION_ERROR", "BUILD_TUPLE",
        "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "BUILD_STRING",
        "LIST_EXTEND", "SET_UPDATE", "DICT_MERGE", "DICT_UPDATE", "FORMAT_VALUE",
        "FORMAT_SIMPLE", "FORMAT_WITH_SPEC", "CONVERT_VALUE", "BINARY_OP", "BINARY_SUBSCR",
        "UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT", "COMPARE_OP", "IS_OP", "CONTAINS_OP",
        "COPY", "SWAP", "TO_BOOL",
    )
    if name in _OPS
)
_NAMED = frozenset(dis.hasname)
# The argument of these holds the index into co_names shifted by flag bits.
_SHIFT = {_OPS["LOAD_GLOBAL"]: 1}
if sys.version_info >= (3, 12):
    _SHIFT[_OPS["LOAD_ATTR"]] = 1
    _SHIFT[_OPS["LOAD_SUPER_ATTR"]] = 2

# id(code) -> (weak reference to the code, names). Not a WeakKeyDictionary: its lookups hash a
# code object's whole contents, and its callbacks run Python code when a key dies, where a
# SIGINT is swallowed ("Exception ignored in"). Entries of dead code (replaced by a patch) are
# dropped by :func:`sweep` at the end of each propagation.
_MEMO: dict[int, tuple[weakref.ref[types.CodeType], frozenset[str]]] = {}
_FUNCTION = types.FunctionType


def names_in(codes: list[types.CodeType], raw: bool = False) -> frozenset[str]:
    """The names the code objects ``codes`` and the code nested in them may use when run, but
    those loaded only to build a raised exception (see the module docstring). ``raw``: those
    too (a superset, read at C speed: what a caller checks exactly only for code it finds)."""
    uses = _raw_uses if raw else _uses
    if len(codes) == 1:
        return frozenset(uses(codes[0]))
    out: set[str] = set()
    for code in codes:
        out |= uses(code)
    return frozenset(out)


def code_names(value: Any, raw: bool = False) -> frozenset[str]:
    """:func:`names_in` of the code of a function (through ``__wrapped__``)."""
    uses = _raw_uses if raw else _uses
    if type(value) is _FUNCTION and "__wrapped__" not in value.__dict__:
        return frozenset(uses(value.__code__))
    while hasattr(value, "__wrapped__"):
        value = value.__wrapped__
    code = getattr(value, "__code__", None)
    return frozenset(uses(code)) if isinstance(code, types.CodeType) else frozenset()


def member_names(member: Any, raw: bool = False) -> frozenset[str] | None:
    """:func:`names_in` of a class member's code (a function, a static or class method, a
    property's accessors, a cached property), or None when it has no code."""
    if type(member) is _FUNCTION:
        return frozenset(_raw_uses(member.__code__) if raw else _uses(member.__code__))
    codes = []
    for part in (
        member,
        getattr(member, "__func__", None),
        getattr(member, "fget", None),
        getattr(member, "fset", None),
        getattr(member, "fdel", None),
        getattr(member, "func", None),
    ):
        code = getattr(part, "__code__", None)
        if isinstance(code, types.CodeType):
            codes.append(code)
    return names_in(codes, raw) if codes else None


def _raw_uses(code: types.CodeType) -> set[str] | frozenset[str]:
    """Every name of ``code`` and the code nested in it (raised expressions too)."""
    names = set(code.co_names)
    names.update(code.co_freevars)
    for const in code.co_consts:
        if type(const) is types.CodeType:
            names |= _raw_uses(const)
    return names


def _uses(code: types.CodeType) -> frozenset[str]:
    found = _MEMO.get(id(code))
    if found is not None and found[0]() is code:
        return found[1]
    names = _own_uses(code)
    for const in code.co_consts:
        if type(const) is types.CodeType:
            names |= _uses(const)
    uses = frozenset(names)
    _MEMO[id(code)] = (weakref.ref(code), uses)
    return uses


def sweep() -> None:
    """Forget the code objects that died (a patch replaced them): what is kept is bounded by
    the live code read so far."""
    for key in [k for k, (ref, _names) in _MEMO.items() if ref() is None]:
        del _MEMO[key]
    for table in (_RAN, _QUIET):
        for key in [k for k, ref in table.items() if ref() is None]:
            del table[key]


def _own_uses(code: types.CodeType) -> set[str]:
    """The names of one code object's instructions (not nested code), free variables whole."""
    raw = code.co_code
    ops = raw[::2]  # 3.11+: every code unit is (opcode, arg)
    names = set(code.co_names)
    names.update(code.co_freevars)
    at = ops.find(_RAISE)
    if at < 0 or not names:
        return names
    guarded = _guarded(code.co_exceptiontable, ops)
    region = bytearray(len(ops))  # 1: a code unit of a raised expression
    while at >= 0:
        if not any(start <= at < end for start, end in guarded):
            start = at
            while start > 0 and ops[start - 1] in _STRAIGHT:
                start -= 1
            region[start:at] = b"\x01" * (at - start)
        at = ops.find(_RAISE, at + 1)
    if not any(region):
        return names
    used: set[str] = set()
    co_names = code.co_names
    for unit, op in enumerate(ops):
        if op in _NAMED and not region[unit]:
            arg = raw[2 * unit + 1]
            back, bits = unit - 1, 8
            while back >= 0 and ops[back] == _EXTENDED:
                arg |= raw[2 * back + 1] << bits
                back, bits = back - 1, bits + 8
            index = arg >> _SHIFT.get(op, 0)
            if index < len(co_names):
                used.add(co_names[index])
    used.update(code.co_freevars)
    return used


def _guarded(table: bytes, ops: bytes) -> list[tuple[int, int]]:
    """The code-unit ranges a handler of the code covers that may catch an exception
    (``co_exceptiontable``: entries of variable-length integers, 6 bits a byte, 0x40 says more
    follow, 0x80 starts an entry: start, length, handler, depth; in code units). A handler
    that only cleans up and raises again (what CPython puts around an ``except`` clause's body:
    ``COPY 3; POP_EXCEPT; RERAISE``, with ``e = None; del e`` first for ``except E as e``)
    catches nothing: ``except KeyError: raise ValueError(fmt(...))`` is a raise."""
    out = []
    values: list[int] = []
    value = 0
    for byte in table:
        value = (value << 6) | (byte & 0x3F)
        if not byte & 0x40:
            values.append(value)
            value = 0
    for entry in range(0, len(values) - 3, 4):
        start, length, target = values[entry], values[entry + 1], values[entry + 2]
        if not _reraises(ops, target):
            out.append((start, start + length))
    return out


_CLEANUP = frozenset(
    _OPS[name]
    for name in (
        "CACHE", "NOP", "COPY", "POP_EXCEPT", "LOAD_CONST", "STORE_FAST", "DELETE_FAST",
        "STORE_NAME", "DELETE_NAME", "STORE_DEREF", "DELETE_DEREF", "STORE_GLOBAL",
        "DELETE_GLOBAL", "SWAP", "POP_TOP",
    )
)
_RERAISE = _OPS["RERAISE"]


def _reraises(ops: bytes, unit: int) -> bool:
    """Whether the handler at code unit ``unit`` only cleans up, then raises again."""
    while unit < len(ops) and ops[unit] in _CLEANUP:
        unit += 1
    return unit < len(ops) and ops[unit] == _RERAISE


# -- whether code ran ----------------------------------------------------------------------------

# Files hotswap ran code of (transactions): their code objects may be replacements whose
# predecessors ran, so every code of them counts as run.
_TOUCHED: set[str] = set()
# id(code) -> weak reference to code seen to have run (running is never undone).
_RAN: dict[int, weakref.ref[types.CodeType]] = {}
# id(code) -> weak reference to code a patch gave a function whose code had never run (see
# ``quiet``): its own run state tells, even in a file hotswap ran code of.
_QUIET: dict[int, weakref.ref[types.CodeType]] = {}


def quiet(code: types.CodeType) -> None:
    """``code`` was given to a function whose code never ran: nothing ran before it, so
    whether it ran is its own state (not every code of a touched file counts as run)."""
    _QUIET[id(code)] = weakref.ref(code)


def touched(path: str) -> None:
    """Say that hotswap runs code of the file ``path`` (before a transaction of its module)."""
    _TOUCHED.add(path)


def may_have_run(code: types.CodeType) -> bool:
    """Whether ``code``, or code nested in it, may have run (False: surely never)."""
    if code.co_filename in _TOUCHED:
        fresh = _QUIET.get(id(code))
        if fresh is None or fresh() is not code:
            return True
    found = _RAN.get(id(code))
    if found is not None and found() is code:
        return True
    if _ran(code) or any(
        type(const) is types.CodeType and may_have_run(const) for const in code.co_consts
    ):
        _RAN[id(code)] = weakref.ref(code)
        return True
    return False


def ran_code(value: Any) -> bool:
    """:func:`may_have_run` of the code :func:`code_names` or :func:`member_names` reads for a
    function or class member (True when it has none to tell by)."""
    codes = []
    layers = [value]  # a wrapper and what it wraps: either may be the code that was read
    while hasattr(value, "__wrapped__") and len(layers) < 100:
        value = value.__wrapped__
        layers.append(value)
    for layer in layers:
        for part in (
            layer,
            getattr(layer, "__func__", None),
            getattr(layer, "fget", None),
            getattr(layer, "fset", None),
            getattr(layer, "fdel", None),
            getattr(layer, "func", None),
        ):
            code = getattr(part, "__code__", None)
            if isinstance(code, types.CodeType):
                codes.append(code)
    return not codes or any(may_have_run(code) for code in codes)


def _ran_always(code: types.CodeType) -> bool:
    return True  # nothing to tell by: every code may have run


def _ran_311(code: types.CodeType) -> bool:
    """CPython 3.11 counts a code object's warm-up in ``co_warmup`` (a C field, read through
    ctypes at its offset in ``PyCodeObject``): -8 when made, one more at each start and each
    backward jump, up to 0 when it is quickened; never back to -8."""
    return bool(_short.from_address(id(code) + _WARMUP).value != _FRESH)


def _ran_adaptive(code: types.CodeType) -> bool:
    """CPython 3.12+ keeps the specializing interpreter's state in the code's instructions
    (``_co_code_adaptive``): a run changes a counter of each adaptive instruction it executes
    (a call, a global or attribute load, an operator; 3.13 also its ``RESUME``). Code that ran
    without executing one used nothing but its locals: nothing that changed reached it. A copy
    made now (``replace()``) holds the state of code that never ran."""
    adaptive = getattr(code, "_co_code_adaptive", None)
    if adaptive is None:
        return True
    return bool(adaptive != getattr(code.replace(), "_co_code_adaptive", None))


def _probe_311() -> Any:
    """The reader of ``co_warmup`` on 3.11 if the layout checks out on code made here (its
    flags where ``co_flags`` is, -8 before a call and -7 after one), else None."""
    import ctypes

    def probe() -> int:
        return 1

    global _short
    _short = ctypes.c_short
    code = probe.__code__
    if ctypes.c_int.from_address(id(code) + _WARMUP - 4).value != code.co_flags:
        return None
    if _ran_311(code):
        return None
    probe()
    return _ran_311 if _ran_311(code) else None


_WARMUP = 52  # offsetof(PyCodeObject, co_warmup) on 64-bit CPython 3.11 (co_flags at 48)
_FRESH = -8  # QUICKENING_INITIAL_WARMUP_VALUE
_short: Any = None
if sys.implementation.name != "cpython" or sys.maxsize < 2**32:
    _ran = _ran_always
elif sys.version_info < (3, 12):
    _ran = _probe_311() or _ran_always
else:
    _ran = _ran_adaptive


def _tells_calls() -> bool:
    """Whether ``_ran`` tells every call, even of code that uses no name (3.11's warm-up
    counter, 3.13's adaptive ``RESUME``), not only runs that used one (3.12)."""

    def probe(x: int) -> int:
        return x

    if _ran is _ran_always or _ran(probe.__code__):
        return False
    probe(1)
    return _ran(probe.__code__)


CALLS_TOLD = _tells_calls()


def never_called(value: Any) -> bool:
    """Whether function ``value`` surely never ran (:func:`ran_code`), where every call is
    told apart (``CALLS_TOLD``): on 3.12 a ``return 1`` that ran looks like one that did not,
    and the value it returned may be held."""
    return CALLS_TOLD and not ran_code(value)
