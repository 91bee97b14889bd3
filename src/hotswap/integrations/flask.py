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
Known limit: routes added to a blueprint, or whose path changed, after it was registered on the
app are not copied to the app (Flask copies a blueprint's routes only when it is registered): the
report warns; a blueprint view's body edits apply as for any function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotswap.integrations import Applied, Gate, Integration
from hotswap.integrations._common import left_module, user_globals
from hotswap.integrations._gate import gate_wsgi


class FlaskIntegration(Integration):
    name = "Flask"
    requires = ("flask",)
    serves = ("flask.app",)

    def __init__(self) -> None:
        self._apps: list[tuple[Any, set[int], bool]] = []
        self._blueprints: list[tuple[Any, int]] = []  # (blueprint, deferred functions before)
        self._applied: Applied | None = None
        self._taken: set[tuple[int, Any]] = set()  # (app, endpoint) whose view runs again

    def before(self, applied: Applied) -> None:
        from flask import Blueprint, Flask

        self._apps, self._blueprints, self._applied = [], [], applied
        self._taken = set()  # (a walk that starts again asks afresh)
        for value in user_globals():
            if isinstance(value, Flask) and all(value is not a for a, _, _ in self._apps):
                started = bool(getattr(value, "_got_first_request", False))
                rules = {id(rule) for rule in value.url_map.iter_rules()}
                self._apps.append((value, rules, started))
                if started:
                    applied.setattr(value, "_got_first_request", False)
            elif isinstance(value, Blueprint) and getattr(value, "_got_registered_once", False):
                applied.setattr(value, "_got_registered_once", False)
                self._blueprints.append((value, len(value.deferred_functions)))

    def serve(self, gate: Gate) -> Callable[[], None]:
        from flask.app import Flask

        return gate_wsgi(Flask, "wsgi_app", gate)

    def rerun(self, obj: object) -> bool:
        """A view function's route decorators run again when it changes: its endpoint is taken
        out first, so that Flask accepts the new registration (it refuses a second function
        for one endpoint); the kept function takes the new one's place right after."""
        hit = False
        for app, _, _ in self._apps:
            for endpoint, view in list(app.view_functions.items()):
                if "." in str(endpoint):
                    continue  # a blueprint's: its decorators would not reach the app again
                if view is obj and self._applied is not None:
                    self._applied.delitem(app.view_functions, endpoint)
                    self._taken.add((id(app), endpoint))
                    hit = True
        return hit

    def after(self, applied: Applied) -> None:
        for app, before, started in self._apps:
            taken = {endpoint for key, endpoint in self._taken if key == id(app)}
            _settle_rules(app, before, taken, applied)
            if started:
                applied.setattr(app, "_got_first_request", True)
        for blueprint, recorded in self._blueprints:
            applied.setattr(blueprint, "_got_registered_once", True)
            if len(blueprint.deferred_functions) > recorded:
                applied.warn(
                    f"routes added to or changed in the blueprint {blueprint.name!r} after it was "
                    "registered on the app are not served until the server restarts"
                )
        self._apps, self._blueprints, self._applied, self._taken = [], [], None, set()


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
