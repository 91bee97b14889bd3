"""Values that travel: rebinding ``from a import X`` in other modules and in the session.

After module ``a`` commits, its *rebinds* (name, old value, new value; ``MISSING`` for a name
that appeared or disappeared) are pushed to

- every other watched module whose source has ``from a import X`` (or ``from a import *``) and
  whose binding still holds the old value: the binding is preset to the new value and the module
  runs a transaction with no source change, so that what read ``X`` at import time (derived
  constants, defaults, class bodies) re-runs by the same dataflow rule; and
- the session namespace: names the user bound by ``from a import X`` (observed statements, or
  the same name holding the same object) follow; in mode ``complete`` new names arrive only
  where the user's own star or from-import would have put them, and never overwrite a name the
  user bound to something else.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._detect.imports import scan
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import FromImport

Rebind = tuple[str, Any, Any]
INFERRED = "*?"  # alias of a star import guessed from the namespace, not seen being run


def exports(names: set[str], all_value: Any) -> set[str]:
    """The names ``from m import *`` binds, given the module's names and ``__all__``."""
    if isinstance(all_value, list | tuple) and all(isinstance(n, str) for n in all_value):
        return set(all_value)
    return {n for n in names if not n.startswith("_")}


def exported_value(namespace: dict[str, Any], name: str) -> Any:
    """What ``from m import *`` binds ``name`` to: the module's own value, else what its
    module-level ``__getattr__`` serves for a name in ``__all__`` (MISSING: neither)."""
    if name in namespace:
        return namespace[name]
    hook = namespace.get("__getattr__")
    if callable(hook):
        try:
            return hook(name)
        except Exception:  # the import system would raise it; a star importer keeps its value
            return MISSING
    return MISSING


def export_changes(
    namespace: dict[str, Any], rebinds: list[Rebind]
) -> tuple[dict[str, Any], set[str]]:
    """What star importers of a module must add/rebind, and which exported names went away."""
    if not any("." not in name for name, _old, _new in rebinds):
        return {}, set()  # no module name rebound: what ``*`` binds is what it bound
    before = dict.fromkeys(namespace, True)
    old_values: dict[str, Any] = {}
    for name, old, _new in rebinds:
        if "." in name:
            continue  # an attribute of a module-level object, not a module name
        old_values[name] = old
        if old is MISSING:
            before.pop(name, None)
        else:
            before[name] = True
    exported_before = exports(set(before), old_values.get("__all__", namespace.get("__all__")))
    exported_after = exports(set(namespace), namespace.get("__all__"))
    push: dict[str, Any] = {}
    for name in exported_after:
        if name not in exported_before or name in old_values:
            value = exported_value(namespace, name)
            if value is not MISSING:
                push[name] = value
    gone = {n for n in exported_before - exported_after}
    return push, gone


def old_value(name: str, namespace: dict[str, Any], rebinds: list[Rebind]) -> Any:
    for rebound, old, _new in rebinds:
        if rebound == name:
            return old
    return namespace.get(name, MISSING)


def _star_presets(
    preset: dict[str, Any],
    imp: FromImport,
    source_ns: dict[str, Any],
    rebinds: list[Rebind],
    target: dict[str, Any],
    add_new: bool,
) -> None:
    """:func:`presets_for`'s part for ``from source import *``: what it binds now that it did
    not, or binds otherwise, and what it no longer brings (MISSING)."""
    push, gone = export_changes(source_ns, rebinds)
    if imp.alias == INFERRED:
        gone = set()  # a guessed star import never takes names away
    for name, value in push.items():
        current = target.get(name, MISSING)
        old = old_value(name, source_ns, rebinds)
        if current is MISSING:
            if add_new:
                preset[name] = value
        elif current is old and current is not value:
            preset[name] = value
    for name in gone:
        if target.get(name, MISSING) is old_value(name, source_ns, rebinds):
            preset[name] = MISSING


def presets_for(
    imports: list[FromImport],
    source: str,
    source_ns: dict[str, Any],
    rebinds: list[Rebind],
    target: dict[str, Any],
    add_new: bool,
    add_named: bool | None = None,
) -> dict[str, Any]:
    """New values for names in ``target`` bound from ``source`` (MISSING: delete the name).
    ``add_new``: names a star import now brings; ``add_named`` (default: ``add_new``): names
    a ``from source import X`` of ``target`` would bind that ``target`` lacks."""
    if add_named is None:
        add_named = add_new
    preset: dict[str, Any] = {}
    by_name = {name: (old, new) for name, old, new in rebinds}
    for imp in imports:
        if imp.source != source:
            continue
        if imp.name == "*":
            _star_presets(preset, imp, source_ns, rebinds, target, add_new)
            continue
        if imp.name not in by_name:
            continue
        old, new = by_name[imp.name]
        current = target.get(imp.alias, MISSING)
        if current is MISSING:
            # A module importer without the name: its ``from m import X`` did not run at
            # module level (under ``if TYPE_CHECKING:``, in a function) or it let go of the
            # name, and a fresh run does not bind it either (``add_named`` False). A session in
            # ``complete`` mode gets what the user's own import would bind.
            if add_named and new is not MISSING:
                preset[imp.alias] = new
        elif current is old and new is not MISSING:
            preset[imp.alias] = new
    return preset


_TEXTS = 4096  # distinct cell texts ``Observed`` remembers having scanned


def _identity_matters(value: Any) -> bool:
    """Objects whose identity says where they came from (not ints, strings, None...)."""
    return isinstance(value, types.FunctionType | type | types.ModuleType) or (
        callable(value) and hasattr(value, "__wrapped__")
    )


@dataclass
class Observed:
    """The from-imports a user ran in a session namespace (fed by front-ends)."""

    imports: list[FromImport] = field(default_factory=list)
    # The texts scanned already: a cell run again (a notebook's import cell, re-run after each
    # restart of a loop) records nothing new, and the scan was half of hotswap's share of such
    # a cell. The strings are the cells IPython's history holds; at most ``_TEXTS`` of them.
    _texts: set[str] = field(default_factory=set)

    def add_source(self, source: str) -> None:
        """Record the ``from m import x`` statements of code the user ran (a scan of its text,
        not a parse: it runs after every cell that mentions ``import``)."""
        texts = self._texts
        if source in texts:
            return
        if len(texts) >= _TEXTS:
            texts.clear()  # (scanning one again records nothing twice)
        texts.add(source)
        for source_module, name, alias in scan(source, "__main__", False).from_items():
            item = FromImport(source_module, name, alias)
            if item not in self.imports:
                self.imports.append(item)

    def inferred(
        self, module: str, module_ns: dict[str, Any], target: dict[str, Any]
    ) -> list[FromImport]:
        """Observed imports from ``module``, plus a star import when the namespace holds all of
        the module's exports (what ``exec("from m import *", ns)`` leaves behind)."""
        found = [i for i in self.imports if i.source == module]
        if found:
            return found
        # Nothing observed (the plain API): infer a star import only when it is unambiguous.
        exported = exports(set(module_ns), module_ns.get("__all__"))
        if len(exported) >= 2 and all(
            target.get(n, MISSING) is module_ns.get(n, MISSING) for n in exported
        ):
            found.append(FromImport(module, "*", INFERRED))
        return found


def sync_namespace(
    target: dict[str, Any],
    module: str,
    module_ns: dict[str, Any],
    rebinds: list[Rebind],
    observed: Observed,
    complete: bool,
) -> list[str]:
    """Bring a session namespace in step with a reloaded module; return the names changed."""
    if not rebinds:
        return []  # only code changed in place: every name still holds the right object
    imports = observed.inferred(module, _namespace_before(module_ns, rebinds), target)
    preset = presets_for(imports, module, module_ns, rebinds, target, add_new=complete)
    for name, old, new in rebinds:
        if old is MISSING or new is MISSING or not _identity_matters(old):
            if target.get(name, MISSING) is old and old is not MISSING and new is not MISSING:
                preset.setdefault(name, new)  # same name, same object: `from m import name`
            continue
        for key, value in target.items():
            if value is old:
                preset.setdefault(key, new)
    changed = []
    for name, value in preset.items():
        if value is MISSING:
            if name in target:
                del target[name]
                changed.append(name)
        elif target.get(name, MISSING) is not value:
            target[name] = value
            changed.append(name)
    return changed


def _namespace_before(namespace: dict[str, Any], rebinds: list[Rebind]) -> dict[str, Any]:
    before = dict(namespace)
    for name, old, _new in rebinds:
        if old is MISSING:
            before.pop(name, None)
        else:
            before[name] = old
    return before
