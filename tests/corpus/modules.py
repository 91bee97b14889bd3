"""References held across modules: ``from m import f`` in another module, callback registries,
bound methods registered elsewhere, aliases, several modules saved together, deleted files.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

from_import_elsewhere = scenario(
    "from_import_in_other_module",
    """``other.py`` did ``from m import f`` and calls it: after editing ``m.f`` the other module
    (which is not reloaded) runs the new body, because ``other.f is m.f``.""",
    before={
        "m.py": """
            def f(x):
                return x + 1
            """,
        "other.py": """
            from m import f

            def g():
                return f(1) * 10
            """,
    },
    setup="import m, other",
    probes=["other.g()", "other.f(1)", "m.f(1)"],
    steps=[
        step(
            {
                "m.py": """
        def f(x):
            return x + 2
        """
            },
            expect={"other.f is m.f": True},
            reloaded=["m"],
        )
    ],
)

class_elsewhere = scenario(
    "class_imported_in_other_module",
    """``other.py`` did ``from m import C``; objects it makes after the edit run the new
    methods, and ``other.C is m.C``.""",
    before={
        "m.py": """
            class C:
                def f(self):
                    return "c1"
            """,
        "other.py": """
            from m import C

            def make():
                return C()

            MADE = C()
            """,
    },
    setup="import m, other",
    probes=["other.make().f()", "other.MADE.f()", "isinstance(other.MADE, m.C)"],
    steps=[
        step(
            {
                "m.py": """
        class C:
            def f(self):
                return "c2"
        """
            },
            expect={"other.C is m.C": True},
        )
    ],
)

callback_registry = scenario(
    "callback_list_in_other_module",
    """``m`` registers a callback in ``bus.HANDLERS`` at import; editing the callback body
    changes what the bus calls, and the callback is not registered twice.""",
    before={
        "bus.py": """
            HANDLERS = []

            def emit(x):
                return [h(x) for h in HANDLERS]
            """,
        "m.py": """
            import bus

            def on_event(x):
                return ("v1", x)

            bus.HANDLERS.append(on_event)
            """,
    },
    setup="import bus, m",
    probes=["bus.emit(1)", "len(bus.HANDLERS)"],
    steps=[
        step(
            {
                "m.py": """
        import bus

        def on_event(x):
            return ("v2", x)

        bus.HANDLERS.append(on_event)
        """
            },
            expect={"bus.HANDLERS[0] is m.on_event": True},
        )
    ],
)

bound_method_registered = scenario(
    "bound_method_registered_in_other_module",
    """A bound method of a module-level instance was registered in another module at import;
    editing the method changes what the registry calls.""",
    before={
        "bus.py": """
            SUBSCRIBERS = []
            """,
        "m.py": """
            import bus

            class Handler:
                def __init__(self):
                    self.seen = 0

                def handle(self, x):
                    self.seen += 1
                    return x

            HANDLER = Handler()
            bus.SUBSCRIBERS.append(HANDLER.handle)
            """,
    },
    setup="import bus, m",
    probes=["bus.SUBSCRIBERS[0](1)", "len(bus.SUBSCRIBERS)", "m.HANDLER.seen"],
    steps=[
        step(
            {
                "m.py": """
        import bus

        class Handler:
            def __init__(self):
                self.seen = 0

            def handle(self, x):
                self.seen += 1
                return x * 100

        HANDLER = Handler()
        bus.SUBSCRIBERS.append(HANDLER.handle)
        """
            }
        )
    ],
)

session_scheduler = scenario(
    "callback_passed_to_object_at_runtime",
    """The session handed ``m.job`` to a scheduler object before the edit; the scheduler runs
    the new body.""",
    before={
        "m.py": """
            def job():
                return "job1"
            """,
        "sched.py": """
            class Scheduler:
                def __init__(self):
                    self.jobs = []

                def add(self, fn):
                    self.jobs.append(fn)

                def run(self):
                    return [fn() for fn in self.jobs]
            """,
    },
    setup="import m, sched\ns = sched.Scheduler()\ns.add(m.job)",
    probes=["s.run()"],
    steps=[
        step(
            {
                "m.py": """
        def job():
            return "job2"
        """
            }
        )
    ],
)

aliases = scenario(
    "aliased_imports_in_session",
    """``import m as mm``, ``from m import f as g`` and ``from m import *`` in the session all
    see the edited function.""",
    before={
        "m.py": """
        def f(x):
            return x

        def h():
            return "h1"
        """
    },
    setup="import m as mm\nfrom m import f as g\nfrom m import *",
    probes=["mm.f(2)", "g(2)", "f(2)", "h()"],
    steps=[
        step(
            {
                "m.py": """
        def f(x):
            return x * 3

        def h():
            return "h2"
        """
            },
            expect={"g is mm.f": True, "f is g": True},
        )
    ],
)

two_modules_one_save = scenario(
    "two_modules_saved_together_new_dependency",
    """One save edits two modules: ``a`` gains ``g`` and ``b`` starts doing ``from a import g``;
    modules reload in dependency order so ``b`` finds ``a.g``.""",
    before={
        "a.py": """
            def f():
                return "f"
            """,
        "b.py": """
            import a

            def use():
                return a.f()
            """,
    },
    setup="import a, b",
    probes=["b.use()", "a.g()", "b.g is a.g"],
    steps=[
        step(
            {
                "b.py": """
            import a
            from a import g

            def use():
                return a.f() + g()
            """,
                "a.py": """
            def f():
                return "f"

            def g():
                return "+g"
            """,
            },
            reloaded=["a", "b"],
        )
    ],
)

new_module_imported = scenario(
    "edit_imports_new_module",
    """An edit adds a new file and starts importing it: the new module loads and the edited
    module uses it.""",
    before={
        "m.py": """
        def f():
            return "plain"
        """
    },
    setup="import m",
    probes=["m.f()", "m.helper.VALUE"],
    steps=[
        step(
            {
                "helper.py": """
            VALUE = "from helper"
            """,
                "m.py": """
            import helper

            def f():
                return helper.VALUE
            """,
            }
        )
    ],
)

deleted_file = scenario(
    "imported_module_file_deleted",
    """``m`` stops importing ``helper`` and ``helper.py`` is deleted in the same save: ``m``
    reloads without the name and nothing fails.""",
    before={
        "helper.py": """
            def help_me():
                return "help"
            """,
        "m.py": """
            import helper

            def f():
                return helper.help_me()
            """,
    },
    setup="import m",
    probes=["m.f()", "hasattr(m, 'helper')"],
    steps=[
        step(
            {
                "m.py": """
            def f():
                return "self-reliant"
            """
            },
            delete=["helper.py"],
            warns=True,
        )
    ],
)

chain_of_modules = scenario(
    "edit_in_bottom_of_import_chain",
    """``top`` imports ``mid`` imports ``low``; editing ``low`` is seen through calls in
    ``top`` and ``mid`` without reloading them.""",
    before={
        "low.py": """
            def value():
                return 1
            """,
        "mid.py": """
            from low import value

            def doubled():
                return value() * 2
            """,
        "top.py": """
            import mid

            def report():
                return f"doubled={mid.doubled()}"
            """,
    },
    setup="import top\nfrom mid import doubled",
    probes=["top.report()", "doubled()"],
    steps=[
        step(
            {
                "low.py": """
        def value():
            return 21
        """
            },
            reloaded=["low"],
        )
    ],
)

unimported_file = scenario(
    "new_unimported_file_is_ignored",
    """A new file appears on ``sys.path`` that nothing imports (and that would fail if run):
    hotswap imports nothing on its own; the checkpoint is quiet.""",
    before={
        "m.py": """
        def f():
            return 1
        """
    },
    setup="import m",
    probes=["'unused' in sys.modules", "m.f()"],
    steps=[
        step(
            {
                "unused.py": """
        raise RuntimeError("never imported")
        """
            },
            quiet=True,
        )
    ],
)

loaded_file_deleted = scenario(
    "loaded_module_file_deleted",
    """The file of a loaded module is deleted: the checkpoint does not fail and the module
    object keeps working with what it had; other edits in the same save apply.""",
    before={
        "helper.py": """
            def f():
                return "help"
            """,
        "m.py": """
            def g():
                return "g1"
            """,
    },
    setup="""
        import m
        try:
            import helper
        except ImportError:
            helper = None
        """,
    probes=["m.g()"],
    steps=[
        step(
            {
                "m.py": """
            def g():
                return "g2"
            """
            },
            delete=["helper.py"],
            expect={"helper.f()": "help"},
            warns=True,
        )
    ],
)

circular = scenario(
    "circular_import_pair_edited",
    """``a`` and ``b`` import each other (attributes read at call time); editing one and then
    both in one save works.""",
    before={
        "a.py": """
            import b

            def f():
                return "a1+" + b.g()

            def name():
                return "a"
            """,
        "b.py": """
            import a

            def g():
                return "b1(" + a.name() + ")"
            """,
    },
    setup="import a, b",
    probes=["a.f()", "b.g()"],
    steps=[
        step(
            {
                "b.py": """
            import a

            def g():
                return "b2(" + a.name() + ")"
            """
            }
        ),
        step(
            {
                "a.py": """
                import b

                def f():
                    return "a3+" + b.g()

                def name():
                    return "A"
                """,
                "b.py": """
                import a

                def g():
                    return "b3(" + a.name() + ")"
                """,
            },
            doc="both modules in one save",
        ),
    ],
)

name_still_brought_by_another_star = scenario(
    "name_two_star_imports_bring_stays_when_one_source_drops_it",
    """``fzc`` does ``from fza import *`` and ``from fzb import *``, and both bring
    ``functools``; a save of ``fzb`` drops its ``import functools``: ``fzc.functools`` stays
    (``fza`` still brings it), as in a fresh run (it was removed with ``fzb``'s).""",
    before={
        "fza.py": "import functools\n\nK = 1\n",
        "fzb.py": "import functools\n\nJ = 2\n",
        "fzc.py": "from fza import *\nfrom fzb import *\n\nV = K + J\n",
    },
    setup="import fza, fzb, fzc",
    probes=["sorted(k for k in vars(fzc) if not k.startswith('__'))", "fzc.V"],
    steps=[step({"fzb.py": "J = 2\n"}, doc="fzb drops functools")],
)

removed_through_a_chained_star_import = scenario(
    "name_removed_reaches_an_importer_through_a_chained_star_import",
    """``fzb`` does ``from fza import *``; ``fzd`` does ``from fza import f`` and
    ``from fzb import *``. A save of ``fza`` removes ``deco``: ``fzd.deco`` is gone too, as in
    a fresh run (``fzd`` was followed only once, from ``fza`` directly, and kept ``deco``).
    The full strategy re-runs every statement of a saved module.""",
    before={
        "fza.py": "def deco(fn):\n    return fn\n\ndef f(x):\n    return 0\n",
        "fzb.py": "from fza import *\n\nclass C:\n    pass\n",
        "fzd.py": "from fza import f\nfrom fzb import *\n\nclass D(C):\n    pass\n",
    },
    setup="import fza, fzb, fzd",
    probes=[
        "sorted(k for k in vars(fzb) if not k.startswith('__'))",
        "sorted(k for k in vars(fzd) if not k.startswith('__'))",
    ],
    steps=[step({"fza.py": "def f(x):\n    return 0\n"}, doc="deco removed")],
    strategy="full",
)

SCENARIOS: list[Scenario] = [
    from_import_elsewhere,
    class_elsewhere,
    callback_registry,
    bound_method_registered,
    session_scheduler,
    aliases,
    two_modules_one_save,
    new_module_imported,
    deleted_file,
    chain_of_modules,
    unimported_file,
    loaded_file_deleted,
    circular,
    variant(from_import_elsewhere, "after", reloader="after"),
    variant(two_modules_one_save, "after", reloader="after"),
    name_still_brought_by_another_star,
    removed_through_a_chained_star_import,
]
