"""Edit scenarios for hotswap's engine, grouped by family; ``ALL`` is what the runner runs.

See ``_model.py`` for the scenario format and ``_driver.py`` for how each side runs; the runner
is ``tests/test_corpus.py``.
"""

from __future__ import annotations

from . import (
    classes,
    closures,
    decorators,
    descriptors,
    failures,
    functions,
    inheritance,
    lines,
    modules,
    packages,
    state,
    toplevel,
)
from ._model import Scenario, Step, scenario, src, step, variant

ALL: list[Scenario] = [
    *functions.SCENARIOS,
    *closures.SCENARIOS,
    *classes.SCENARIOS,
    *descriptors.SCENARIOS,
    *inheritance.SCENARIOS,
    *decorators.SCENARIOS,
    *state.SCENARIOS,
    *toplevel.SCENARIOS,
    *modules.SCENARIOS,
    *packages.SCENARIOS,
    *lines.SCENARIOS,
    *failures.SCENARIOS,
]

__all__ = ["ALL", "Scenario", "Step", "scenario", "src", "step", "variant"]
