"""What a branch checkout of a large real project changed that a fresh import sees differently.

Each scenario is the smallest shape of a difference ``benchmarks/checkouts.py`` found checking
out sympy 1.12.1 -> 1.13.0 in one live session (420 files at once), compared name by name with
a fresh import of 1.13.0.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step

TABLE = """
_funcs = {FUNCS}

class Base:
    _kf = dict(_funcs)

class Printer(Base):
    def a(self):
        return 1

def _known(self, e):
    return "known"

for k in Printer._kf:
    setattr(Printer, "_print_%s" % k, _known)
"""

loop_over_an_inherited_table = scenario(
    "loop_over_a_table_a_subclass_inherits_runs_again_when_the_table_grows",
    """A base class builds ``_kf`` from a module table; a top-level loop adds a ``_print_<k>``
    method to a subclass for each key of ``Printer._kf`` (read through the subclass). A key
    added to the table gives the subclass the new method, as a fresh run does (sympy's
    ``PythonCodePrinter._print_isnan``: the loop did not run again).""",
    before={"m.py": TABLE.replace("{FUNCS}", "{'cos': 'cos'}")},
    setup="import m\np = m.Printer()",
    probes=[
        "sorted(n for n in vars(m.Printer) if n.startswith('_print'))",
        "p._print_isnan(0) if hasattr(p, '_print_isnan') else None",
        "m.k",
    ],
    steps=[step({"m.py": TABLE.replace("{FUNCS}", "{'cos': 'cos', 'isnan': 'isnan'}")})],
)

SCENARIOS: list[Scenario] = [
    loop_over_an_inherited_table,
]
