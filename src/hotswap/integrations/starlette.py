"""Starlette and FastAPI: routes follow the functions they serve.

FastAPI derives a route's parameters, body, dependencies and response model from the endpoint
function when the route is made (``@app.get("/x")``); Starlette's ``Router.routes`` is a list the
decorators append to. After a save:

- a changed endpoint has its route decorators run again (:meth:`rerun`), so FastAPI makes the
  route anew from the new signature; the new route takes the old one's place in the list (route
  order decides which route matches first);
- a route whose decorator changed (a new path, methods) replaces the old route the same way;
- a route whose function was deleted from the module goes;
- a route that uses a dependency or a model this save changed (``Depends(common)`` gaining a
  parameter, a response model gaining a field) is made again from its own settings, in place;
- FastAPI's cached OpenAPI schema is dropped, so ``/openapi.json`` and ``/docs`` follow.

Routers are found among the watched modules' globals (applications, ``APIRouter`` objects) and in
what they mount. A router included with ``include_router`` is followed live by FastAPI (it caches
the included routes by the router's version number, bumped here when a list changes). Known
limit: FastAPI versions whose ``include_router`` copies the routes keep the copies as they were
when only the router's module changed (the copy is made by the ``include_router`` statement,
which does not run again).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from hotswap.integrations import Applied, Gate, Integration
from hotswap.integrations._common import left_module, user_globals


class StarletteIntegration(Integration):
    name = "Starlette/FastAPI"
    requires = ("starlette.routing",)
    serves = ("starlette.applications",)

    def __init__(self) -> None:
        self._before: list[tuple[Any, list[Any]]] = []
        self._endpoints: set[int] = set()
        self._rerun: set[int] = set()  # endpoints whose definition runs again in this save

    def before(self, applied: Applied) -> None:
        self._rerun = set()  # (a walk that starts again asks afresh)
        self._before = [(router, list(router.routes)) for router in _routers()]
        self._endpoints = {
            id(endpoint)
            for _, routes in self._before
            for route in routes
            if (endpoint := getattr(route, "endpoint", None)) is not None
        }

    def serve(self, gate: Gate) -> Callable[[], None]:
        from starlette.applications import Starlette

        original = Starlette.__call__

        async def __call__(app: Any, scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") != "http":  # lifespan, websockets: long-lived, not gated
                await original(app, scope, receive, send)
                return
            await gate.aenter()
            try:
                await original(app, scope, receive, send)
            finally:
                gate.leave()

        setattr(Starlette, "__call__", __call__)
        return lambda: setattr(Starlette, "__call__", original)

    def rerun(self, obj: object) -> bool:
        if id(obj) not in self._endpoints:
            return False
        self._rerun.add(id(obj))
        return True

    def after(self, applied: Applied) -> None:
        changed = False
        used = _changed_objects(applied)
        for router, before in self._before:
            routes = _arranged(router.routes, before, applied.module, self._rerun)
            remade = _remade_users(routes if routes is not None else router.routes, before, used)
            if remade is not None:
                routes = remade
            if routes is not None:
                # FastAPI caches the effective routes of included routers by a version number
                # the router bumps when its routes change (undone last: bumped after restoring).
                mark = getattr(router, "_mark_routes_changed", None)
                if callable(mark):
                    applied.on_rollback(mark)
                applied.replace_items(router.routes, routes)
                if callable(mark):
                    mark()
                changed = True
        self._before, self._endpoints, self._rerun = [], set(), set()
        if changed or applied.changes:
            for value in user_globals():
                if getattr(value, "openapi_schema", None) is not None and hasattr(value, "router"):
                    applied.setattr(value, "openapi_schema", None)


def _changed_objects(applied: Applied) -> set[int]:
    """The module-level objects this save patched, replaced or rebound (by id)."""
    namespace = applied.module.__dict__
    found: set[int] = set()
    for change in applied.changes:
        if change.action in ("patched", "replaced", "rebound", "added"):
            value = namespace.get(change.qualname.partition(".")[0])
            if value is not None:
                found.add(id(value))
    return found


def _remade_users(routes: list[Any], before: list[Any], used: set[int]) -> list[Any] | None:
    """``routes`` with each FastAPI route that was already there and uses a changed dependency
    or model (``Depends(common)`` whose parameters changed, a response or body model that
    gained a field) made again from its own settings, in its place; None when none does.

    FastAPI derives the route's parameters, validation and serialisation from those objects
    when it makes the route; the endpoint's own changes make it again through :meth:`rerun`."""
    if not used:
        return None
    old = {id(route) for route in before}
    result, remade = list(routes), False
    for index, route in enumerate(routes):
        if id(route) in old and hasattr(route, "dependant") and _uses(route, used):
            result[index] = _made_again(route)
            remade = True
    return result if remade else None


def _uses(route: Any, used: set[int]) -> bool:
    if _mentions(getattr(route, "response_model", None), used):
        return True
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if id(getattr(dependant, "call", None)) in used:
            return True
        for param in getattr(dependant, "body_params", ()):
            annotation = getattr(getattr(param, "field_info", None), "annotation", None)
            if _mentions(annotation, used):
                return True
        stack.extend(getattr(dependant, "dependencies", ()))
    return False


def _mentions(annotation: Any, used: set[int], depth: int = 0) -> bool:
    if annotation is None or depth > 8:
        return False
    if id(annotation) in used:
        return True
    return any(_mentions(arg, used, depth + 1) for arg in typing.get_args(annotation))


def _made_again(route: Any) -> Any:
    """A new route of the same class from the settings ``route`` keeps (each ``__init__``
    parameter it stores under the parameter's name), so FastAPI derives everything again."""
    parameters = inspect.signature(type(route).__init__).parameters
    kwargs = {
        name: getattr(route, name)
        for name, parameter in parameters.items()
        if name != "self"
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        and hasattr(route, name)
    }
    return type(route)(**kwargs)


def _arranged(
    now: list[Any], before: list[Any], module: types.ModuleType, rerun: set[int]
) -> list[Any] | None:
    """The routes as a fresh run would list them, or None when ``now`` already is. ``rerun``:
    endpoints whose definition ran again; one that made no route now has lost its decorator."""
    old = {id(route) for route in before}
    added = [route for route in now if id(route) not in old]
    renewed = {id(e) for route in added if (e := getattr(route, "endpoint", None)) is not None}
    result: list[Any] = []
    placed: set[int] = set()
    for route in now:
        endpoint = getattr(route, "endpoint", None)
        key = id(endpoint)
        if id(route) in old:
            if endpoint is not None and key in renewed:
                # Its decorators ran again: the routes they made now take its place.
                if key not in placed:
                    placed.add(key)
                    result.extend(r for r in added if getattr(r, "endpoint", None) is endpoint)
                continue
            if endpoint is not None and (key in rerun or left_module(endpoint, module)):
                continue
            result.append(route)
        elif endpoint is None or key not in placed:
            result.append(route)
    if len(result) == len(now) and all(a is b for a, b in zip(result, now, strict=True)):
        return None
    return result


def _routers() -> list[Any]:
    from starlette.applications import Starlette
    from starlette.routing import Mount, Router

    found: list[Any] = []
    seen: set[int] = set()

    def visit(router: Any) -> None:
        if id(router) in seen:
            return
        seen.add(id(router))
        found.append(router)
        for route in list(router.routes):
            if isinstance(route, Mount):
                inner = route.app
                if isinstance(inner, Starlette):
                    visit(inner.router)
                elif isinstance(inner, Router):
                    visit(inner)

    for value in user_globals():
        if isinstance(value, Starlette):
            visit(value.router)
        elif isinstance(value, Router):
            visit(value)
    return found
