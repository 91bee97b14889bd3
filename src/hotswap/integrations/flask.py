"""Flask: URL rules follow the view functions after every save, also after the first request.

Flask refuses setup methods (``@app.route``) once the app has served a request, so a save that
adds a route, or changes one's path, would fail until a restart. During a reload the app (and
its blueprints) are set back to "not started yet" and then to what they were, so the module's
route decorators run as in a fresh start. A changed view function has its route decorators run
again; the URL rules they make replace the rules made before (a changed path serves only the new
path); the rules of a view function deleted from the module, or left without a route decorator,
go with their endpoint.

Werkzeug has no way to remove a rule from a ``Map``: the map's matcher is rebuilt from the rules
that stay (its private ``_matcher`` and ``_rules_by_endpoint``, as ``Map.add`` fills them).

Blueprints: Flask copies a blueprint's routes to an app only when it is registered, and keeps
neither the registration's options nor which recorded function made which route. A route added
to a registered blueprint, or one whose decorator runs again, is copied to every app the
blueprint is registered on (each registration name), with the URL prefix and subdomain that
registration gave its other routes; the blueprint's own record loses the functions of routes
that were replaced or deleted, so an app made later (an app factory) gets the current routes
once each. Apps are those in the watched modules' globals and those that served a request under
the runner (an app a factory made inside the server); a blueprint registered only on other apps
gets a warning that its new routes need a restart.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from hotswap._gate import gate_wsgi
from hotswap.integrations import Applied, Gate, Integration
from hotswap.integrations._common import left_module, user_globals


class FlaskIntegration(Integration):
    name = "Flask"
    requires = ("flask",)
    serves = ("flask.app",)

    def __init__(self) -> None:
        self._apps: list[tuple[Any, set[int], bool]] = []
        self._blueprints: list[_Blueprint] = []
        self._applied: Applied | None = None
        self._taken: set[tuple[int, Any]] = set()  # (app, endpoint) whose view runs again
        self._served: weakref.WeakSet[Any] = weakref.WeakSet()  # apps that served a request

    def before(self, applied: Applied) -> None:
        from flask import Blueprint, Flask

        self._apps, self._blueprints, self._applied = [], [], applied
        self._taken = set()  # (a walk that starts again asks afresh)
        for value in [*user_globals(), *self._served]:
            if isinstance(value, Flask) and all(value is not a for a, _, _ in self._apps):
                started = bool(getattr(value, "_got_first_request", False))
                rules = {id(rule) for rule in value.url_map.iter_rules()}
                self._apps.append((value, rules, started))
                if started:
                    applied.setattr(value, "_got_first_request", False)
            elif (
                isinstance(value, Blueprint)
                and getattr(value, "_got_registered_once", False)
                and all(value is not b.blueprint for b in self._blueprints)
            ):
                applied.setattr(value, "_got_registered_once", False)
                self._blueprints.append(_Blueprint(value))
        for blueprint in self._blueprints:
            blueprint.find_registrations([app for app, _, _ in self._apps])

    def serve(self, gate: Gate) -> Callable[[], None]:
        from flask.app import Flask

        return gate_wsgi(Flask, "wsgi_app", gate, seen=self._served.add)

    def rerun(self, obj: object) -> bool:
        """A view function's route decorators run again when it changes: its endpoint is taken
        out first, so that Flask accepts the new registration (it refuses a second function
        for one endpoint); the kept function takes the new one's place right after."""
        if self._applied is None:
            return False
        hit = False
        for app, _, _ in self._apps:
            for endpoint, view in list(app.view_functions.items()):
                if "." in str(endpoint):
                    continue  # a blueprint's: taken below, with the blueprint's record
                if view is obj:
                    self._applied.delitem(app.view_functions, endpoint)
                    self._taken.add((id(app), endpoint))
                    hit = True
        for blueprint in self._blueprints:
            for app, endpoint in blueprint.take(obj, self._applied):
                self._taken.add((id(app), endpoint))
                hit = True
        return hit

    def after(self, applied: Applied) -> None:
        for blueprint in self._blueprints:
            blueprint.settle(applied)  # (before the apps' rules settle: it adds to them)
        for app, before, started in self._apps:
            taken = {endpoint for key, endpoint in self._taken if key == id(app)}
            _settle_rules(app, before, taken, applied)
            if started:
                applied.setattr(app, "_got_first_request", True)
        self._apps, self._blueprints, self._applied, self._taken = [], [], None, set()


class _Route:
    """What one recorded blueprint function registers, learnt by calling it on a stand-in
    setup state (Flask records ``lambda s: s.add_url_rule(rule, endpoint, view_func, ...)``)."""

    def __init__(self, deferred: Callable[[Any], None]) -> None:
        self.deferred = deferred
        self.rule: str | None = None
        self.endpoint: str | None = None
        self.view: Any = None
        state = _Recorder(self)
        try:
            deferred(state)
        except Exception:  # not a route (a template filter, a hook): nothing to learn
            self.rule = None


class _Recorder:
    """A stand-in setup state: records a route, absorbs anything else a recorded function does."""

    first_registration = True

    def __init__(self, route: _Route) -> None:
        self._route = route
        self.app = _Absorb()
        self.blueprint = self.app
        self.options: dict[str, Any] = {}
        self.url_prefix = self.subdomain = None
        self.name = self.name_prefix = ""
        self.url_defaults: dict[str, Any] = {}

    def add_url_rule(
        self, rule: str, endpoint: str | None = None, view_func: Any = None, **_: Any
    ) -> None:
        from flask.sansio.scaffold import _endpoint_from_view_func

        self._route.rule = rule
        self._route.view = view_func
        self._route.endpoint = endpoint or _endpoint_from_view_func(view_func)


class _Absorb:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class _Blueprint:
    """A registered blueprint during one reload: its recorded functions before the new code ran,
    and where it is registered (app, registration name, the options that registration used)."""

    def __init__(self, blueprint: Any) -> None:
        self.blueprint = blueprint
        self.before = list(blueprint.deferred_functions)
        self.routes = [_Route(deferred) for deferred in self.before]
        self.registrations: list[tuple[Any, str, dict[str, Any]]] = []

    def find_registrations(self, apps: list[Any]) -> None:
        for app in apps:
            for name, registered in app.blueprints.items():
                if registered is self.blueprint:
                    self.registrations.append((app, name, self._options(app, name)))

    def _options(self, app: Any, name: str) -> dict[str, Any]:
        """The options of the registration ``name``, read back from a route it made: the URL
        prefix is what the app's rule adds to the blueprint's (see BlueprintSetupState)."""
        prefix, _, own = name.rpartition(".")
        options: dict[str, Any] = {"name": own, "name_prefix": prefix}
        for route in self.routes:
            if route.rule is None or route.endpoint is None:
                continue
            for rule in app.url_map._rules_by_endpoint.get(f"{name}.{route.endpoint}", ()):
                made, own_rule = rule.rule, route.rule.lstrip("/")
                if made == route.rule:
                    url_prefix = None
                elif own_rule and made.endswith("/" + own_rule):
                    url_prefix = made[: -len(own_rule) - 1] or "/"
                elif not own_rule:
                    url_prefix = made
                else:
                    continue
                options.update(url_prefix=url_prefix, subdomain=rule.subdomain)
                return options
        return options

    def take(self, view: Any, applied: Applied) -> list[tuple[Any, str]]:
        """``view``'s route decorators run again: its old routes leave the blueprint's record and
        the apps (the new ones are added by :meth:`settle`)."""
        gone = [r for r in self.routes if r.view is view and r.endpoint is not None]
        if not gone:
            return []
        self._forget(gone, applied)
        taken = []
        for app, name, _ in self.registrations:
            for route in gone:
                endpoint = f"{name}.{route.endpoint}"
                if endpoint in app.view_functions:
                    applied.delitem(app.view_functions, endpoint)
                taken.append((app, endpoint))
        return taken

    def _forget(self, gone: list[_Route], applied: Applied) -> None:
        deferred = self.blueprint.deferred_functions
        keep = [f for f in deferred if all(f is not r.deferred for r in gone)]
        applied.replace_items(deferred, keep)
        self.routes = [r for r in self.routes if r not in gone]

    def settle(self, applied: Applied) -> None:
        applied.setattr(self.blueprint, "_got_registered_once", True)
        module = applied.module
        left = [r for r in self.routes if r.view is not None and left_module(r.view, module)]
        if left:
            self._forget(left, applied)  # (the apps drop their endpoints in _settle_rules)
        new = [f for f in self.blueprint.deferred_functions if all(f is not d for d in self.before)]
        if not new:
            return
        if not self.registrations:
            applied.warn(
                f"routes added to or changed in the blueprint {self.blueprint.name!r} are not "
                "served until the server restarts (no app it is registered on was found in the "
                "watched modules)"
            )
            return
        seen: set[int] = set()
        for app, _, options in self.registrations:
            state = self.blueprint.make_setup_state(app, options, id(app) not in seen)
            seen.add(id(app))
            for deferred in new:
                deferred(state)


def _settle_rules(app: Any, before: set[int], taken: set[Any], applied: Applied) -> None:
    url_map = app.url_map
    by_endpoint: dict[Any, list[Any]] = url_map._rules_by_endpoint
    renewed = {
        endpoint
        for endpoint, rules in by_endpoint.items()
        if any(id(rule) not in before for rule in rules)
    }
    kept: dict[Any, list[Any]] = {}
    for endpoint, rules in by_endpoint.items():
        view = app.view_functions.get(endpoint)
        if endpoint in renewed:
            # Its decorator ran again: the rules it made now are the route, not the old ones.
            kept[endpoint] = [rule for rule in rules if id(rule) not in before]
        elif endpoint in taken and view is None:
            pass  # its definition ran again without a route decorator: no longer a route
        elif view is not None and left_module(view, applied.module):
            applied.delitem(app.view_functions, endpoint)
        else:
            kept[endpoint] = rules
    if sum(map(len, kept.values())) == sum(map(len, by_endpoint.values())):
        return
    from werkzeug.routing.matcher import StateMachineMatcher

    matcher = StateMachineMatcher(url_map.merge_slashes)
    for rules in kept.values():
        for rule in rules:
            if not rule.build_only:
                matcher.add(rule)
    applied.setattr(url_map, "_matcher", matcher)
    applied.setattr(url_map, "_rules_by_endpoint", kept)
    applied.setattr(url_map, "_remap", True)
