"""Django: the URLconf, the admin and models after a save under ``runserver --noreload``.

- URL resolvers are cached per URLconf; after a reload of any module the caches are cleared, so
  a changed ``urlpatterns`` (a view added, a path renamed) is what the next request resolves.
- ``admin.site.register(Model, ...)`` (or ``@admin.register``) that runs again in a save
  replaces the registration that module made before, where Django would raise
  ``AlreadyRegistered``.
- A template tag library (``register = template.Library()``) loses the filters and tags whose
  function left the module (deleted or renamed), as a fresh start would not have them; added
  ones are registered by their decorators as the module runs, and edited ones are patched in
  place (templates compiled before the save hold the same function).
- A model's fields cannot change in a running process (its table, its ``_meta``, every query
  built from it): a save that adds, removes or changes a field is rolled back, and one line says
  to run ``makemigrations``/``migrate`` and restart the server. Methods, properties and
  ``Meta``-free class attributes of models follow edits as on any class.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

from hotswap._gate import gate_wsgi
from hotswap.integrations import Applied, Gate, Integration
from hotswap.integrations._common import left_module


class DjangoIntegration(Integration):
    name = "Django"
    requires = ("django.urls",)
    serves = ("django.core.handlers.wsgi",)

    def __init__(self) -> None:
        self._fields: dict[Any, tuple[str, ...]] = {}

    def serve(self, gate: Gate) -> Callable[[], None]:
        from django.core.handlers.wsgi import WSGIHandler

        return gate_wsgi(WSGIHandler, "__call__", gate)

    def before(self, applied: Applied) -> None:
        module = applied.module
        self._fields = {model: _field_names(model) for model in _models_of(module)}
        if "django.contrib.admin" in sys.modules:
            from django.contrib import admin

            for site in _admin_sites(admin):
                applied.setattr(site, "register", _replacing(site, module, applied))

    def after(self, applied: Applied) -> None:
        module = applied.module
        if "django.contrib.admin" in sys.modules:
            from django.contrib import admin

            for site in _admin_sites(admin):
                if "register" in site.__dict__:
                    applied.delattr(site, "register")
        for model in _models_of(module):
            problem = _field_change(model, self._fields.get(model))
            if problem is not None:
                raise RuntimeError(
                    f"{model.__name__}: {problem}; Django cannot change a model's fields in a "
                    "running process: run makemigrations and migrate, then restart the server"
                )
        self._fields = {}
        if "django.template.library" in sys.modules:
            _drop_left_tags(module, applied)
        from django.urls import clear_url_caches

        clear_url_caches()


def _models_of(module: types.ModuleType) -> list[Any]:
    if "django.db.models" not in sys.modules:
        return []
    from django.db import models

    found: list[Any] = [
        value
        for value in list(module.__dict__.values())
        if isinstance(value, type)
        and issubclass(value, models.Model)
        and value.__module__ == module.__name__
    ]
    return [model for model in found if not model._meta.abstract]


def _field_names(model: Any) -> tuple[str, ...]:
    return tuple(field.name for field in model._meta.local_fields)


def _field_change(model: Any, before: tuple[str, ...] | None) -> str | None:
    """What changed in ``model``'s fields in this save, or None."""
    from django.db.models import Field

    if before is not None:
        after = _field_names(model)
        added = [name for name in after if name not in before]
        removed = [name for name in before if name not in after]
        if added:
            return f"field {added[0]!r} added"
        if removed:
            return f"field {removed[0]!r} removed"
        if after != before:
            return "fields reordered"
    # Patched in place, the class holds a bare Field that Django never set up.
    raw = [name for name, value in vars(model).items() if isinstance(value, Field)]
    if raw:
        return f"field {raw[0]!r} added or changed"
    for field in model._meta.local_fields:
        attname = getattr(field, "attname", field.name)
        if field.concrete and attname not in vars(model) and field.name not in vars(model):
            return f"field {field.name!r} removed"
    return None


def _drop_left_tags(module: types.ModuleType, applied: Applied) -> None:
    """Filters and tags of the module's libraries whose function is no longer in the module."""
    from django.template.library import Library

    for library in list(module.__dict__.values()):
        if not isinstance(library, Library):
            continue
        for registry in (library.filters, library.tags):
            for name, func in list(registry.items()):
                # ``simple_tag``/``inclusion_tag`` register a compile function wrapping it.
                if left_module(getattr(func, "__wrapped__", func), module):
                    applied.delitem(registry, name)


def _admin_sites(admin: Any) -> list[Any]:
    from django.contrib.admin.sites import all_sites

    return list(all_sites) or [admin.site]


def _replacing(site: Any, module: types.ModuleType, applied: Applied) -> Any:
    """``site.register`` for the length of a reload: a model this module registered before is
    registered anew instead of raising ``AlreadyRegistered``."""
    register = type(site).register

    def replace(model_or_iterable: Any, admin_class: Any = None, **options: Any) -> Any:
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        )
        for model in models:
            current = site._registry.get(model)
            if current is not None and type(current).__module__ in (
                module.__name__,
                "django.contrib.admin.options",
            ):
                applied.delitem(site._registry, model)
        return register(site, model_or_iterable, admin_class, **options)

    return replace
