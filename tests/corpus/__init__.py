"""Edit scenarios for hotswap's engine, grouped by family; ``ALL`` is what the runner runs.

Run them with ``.venv/bin/python -m pytest tests/test_corpus.py -q`` (one test per scenario,
ids are scenario names: ``-k method_body``). Each scenario runs its live side (hotswap) and its
oracle (a fresh process without hotswap) in separate interpreters; see ``_model.py`` for the
format and ``_driver.py`` for what each side does.

To add a scenario, write a ``scenario(...)`` in the family module it belongs to and list it in
that module's ``SCENARIOS``. Probes must be address-free (``isinstance(obj, m.C)``, not ``obj``)
and mean the same thing in a fresh process; state that must *survive* the edit goes in
``expect``. Module names need not be unique: every scenario runs in fresh interpreters.
"""

from __future__ import annotations

from . import (
    arrivals,
    augment,
    checkouts,
    classbody,
    classes,
    closures,
    conditional,
    crossmodule,
    decorators,
    descriptors,
    failures,
    functions,
    inheritance,
    kinds,
    lines,
    modules,
    overloads,
    packages,
    state,
    toplevel,
    travel,
)
from ._model import Scenario, Step, scenario, src, step, variant

ALL: list[Scenario] = [
    *functions.SCENARIOS,
    *closures.SCENARIOS,
    *conditional.SCENARIOS,
    *classes.SCENARIOS,
    *classbody.SCENARIOS,
    *descriptors.SCENARIOS,
    *inheritance.SCENARIOS,
    *decorators.SCENARIOS,
    *state.SCENARIOS,
    *toplevel.SCENARIOS,
    *modules.SCENARIOS,
    *packages.SCENARIOS,
    *lines.SCENARIOS,
    *failures.SCENARIOS,
    *kinds.SCENARIOS,
    *travel.SCENARIOS,
    *arrivals.SCENARIOS,
    *augment.SCENARIOS,
    *overloads.SCENARIOS,
    *crossmodule.SCENARIOS,
    *checkouts.SCENARIOS,
]

__all__ = ["ALL", "Scenario", "Step", "scenario", "src", "step", "variant"]
