"""Packages: ``__init__.py``, submodules, subpackages and relative imports.

Reloading ``pkg/__init__.py`` must keep the ``pkg.sub`` attribute that importing the submodule
set; names re-exported by ``from .sub import f`` stay the same function objects.
"""

from __future__ import annotations

from ._model import Scenario, scenario, step, variant

PKG = {
    "pkg/__init__.py": """
        from .sub import f

        VERSION = 1
        """,
    "pkg/sub.py": """
        def f():
            return "sub1"
        """,
}

submodule_edit = scenario(
    "package_submodule_edited",
    """A function in ``pkg/sub.py`` re-exported by ``pkg/__init__.py`` is edited: ``pkg.f``,
    ``pkg.sub.f`` and the session's ``from pkg import f`` all run the new body.""",
    before=PKG,
    setup="import pkg\nfrom pkg import f\nimport pkg.sub",
    probes=["pkg.f()", "pkg.sub.f()", "f()"],
    steps=[
        step(
            {
                "pkg/sub.py": """
        def f():
            return "sub2"
        """
            },
            expect={"pkg.f is pkg.sub.f": True, "f is pkg.f": True},
            reloaded=["pkg.sub"],
            says=["reloaded pkg.sub"],
        )
    ],
)

init_edit = scenario(
    "package_init_edited_keeps_submodule_attribute",
    """``pkg/__init__.py`` is edited: ``pkg.sub`` (set when the submodule was imported) is still
    there, and the package's own names follow the new source.""",
    before={
        **PKG,
        "pkg/other.py": """
            def g():
                return "other"
            """,
    },
    setup="import pkg\nimport pkg.sub, pkg.other",
    probes=[
        "hasattr(pkg, 'sub')",
        "hasattr(pkg, 'other')",
        "pkg.other.g()",
        "pkg.VERSION",
        "pkg.hello()",
        "pkg.f()",
    ],
    steps=[
        step(
            {
                "pkg/__init__.py": """
        from .sub import f

        VERSION = 2

        def hello():
            return "hello from pkg"
        """
            },
            expect={"pkg.sub is sys.modules['pkg.sub']": True},
            reloaded=["pkg"],
        )
    ],
)

relative_imports = scenario(
    "relative_imports_between_submodules",
    """``pkg/a.py`` does ``from . import b`` and ``from .b import helper``; editing ``b.helper``
    is seen through both.""",
    before={
        "pkg/__init__.py": "",
        "pkg/a.py": """
            from . import b
            from .b import helper

            def use():
                return (b.helper(), helper())
            """,
        "pkg/b.py": """
            def helper():
                return "b1"
            """,
    },
    setup="import pkg.a",
    probes=["pkg.a.use()"],
    steps=[
        step(
            {
                "pkg/b.py": """
        def helper():
            return "b2"
        """
            },
            expect={"pkg.a.helper is pkg.b.helper": True},
        )
    ],
)

subpackage = scenario(
    "subpackage_parent_relative_import",
    """``pkg/inner/deep.py`` does ``from ..sub import f``; editing ``pkg/sub.py`` is seen in the
    subpackage.""",
    before={
        **PKG,
        "pkg/inner/__init__.py": "",
        "pkg/inner/deep.py": """
            from ..sub import f

            def g():
                return "deep:" + f()
            """,
    },
    setup="import pkg.inner.deep as deep",
    probes=["deep.g()", "pkg.inner.deep.g()"],
    steps=[
        step(
            {
                "pkg/sub.py": """
        def f():
            return "sub2"
        """
            }
        )
    ],
)

subpackage_module_edited = scenario(
    "subpackage_module_edited",
    """A module two levels deep is edited; the parent packages keep their attributes.""",
    before={
        **PKG,
        "pkg/inner/__init__.py": "",
        "pkg/inner/deep.py": """
            from ..sub import f

            def g():
                return "deep1"
            """,
    },
    setup="import pkg.inner.deep\nfrom pkg.inner.deep import g",
    probes=["g()", "pkg.inner.deep.g()", "hasattr(pkg.inner, 'deep')", "hasattr(pkg, 'inner')"],
    steps=[
        step(
            {
                "pkg/inner/deep.py": """
        from ..sub import f

        def g():
            return "deep2:" + f()
        """
            }
        )
    ],
)

new_submodule = scenario(
    "package_init_imports_new_submodule",
    """A new ``pkg/extra.py`` is added and ``pkg/__init__.py`` starts importing it.""",
    before=PKG,
    setup="import pkg",
    probes=["pkg.extra.VALUE", "pkg.f()", "'pkg.extra' in sys.modules"],
    steps=[
        step(
            {
                "pkg/extra.py": """
            VALUE = "extra"
            """,
                "pkg/__init__.py": """
            from .sub import f
            from . import extra

            VERSION = 1
            """,
            }
        )
    ],
)

base_in_submodule = scenario(
    "package_base_class_in_submodule",
    """``pkg/base.py`` defines ``Base``; ``pkg/impl.py`` subclasses it with ``from .base import
    Base``. Editing ``Base`` is seen by old ``Impl`` instances.""",
    before={
        "pkg/__init__.py": "",
        "pkg/base.py": """
            class Base:
                def greet(self):
                    return "hi"
            """,
        "pkg/impl.py": """
            from .base import Base

            class Impl(Base):
                def greet(self):
                    return super().greet() + " from impl"
            """,
    },
    setup="from pkg.impl import Impl\nimport pkg.base\nobj = Impl()",
    probes=["obj.greet()", "Impl().greet()", "issubclass(Impl, pkg.base.Base)"],
    steps=[
        step(
            {
                "pkg/base.py": """
        class Base:
            def greet(self):
                return "hello"
        """
            }
        )
    ],
)

init_and_sub_together = scenario(
    "package_init_and_submodule_saved_together",
    """One save edits ``pkg/sub.py`` (new function) and ``pkg/__init__.py`` (re-exports it).""",
    before=PKG,
    setup="import pkg\nimport pkg.sub",
    probes=["pkg.f()", "pkg.g()", "pkg.g is pkg.sub.g", "hasattr(pkg, 'sub')"],
    steps=[
        step(
            {
                "pkg/__init__.py": """
            from .sub import f, g

            VERSION = 1
            """,
                "pkg/sub.py": """
            def f():
                return "sub1"

            def g():
                return "g"
            """,
            }
        )
    ],
)

star_reexport = scenario(
    "package_star_reexport_function_edited",
    """``pkg/__init__.py`` does ``from .sub import *``; editing a function in ``sub`` is seen
    through ``pkg`` and the session's star import.""",
    before={
        "pkg/__init__.py": """
            from .sub import *
            """,
        "pkg/sub.py": """
            __all__ = ["api"]

            def api():
                return "api1"
            """,
    },
    setup="import pkg\nfrom pkg import *",
    probes=["pkg.api()", "api()"],
    steps=[
        step(
            {
                "pkg/sub.py": """
        __all__ = ["api"]

        def api():
            return "api2"
        """
            }
        )
    ],
)

SCENARIOS: list[Scenario] = [
    submodule_edit,
    init_edit,
    relative_imports,
    subpackage,
    subpackage_module_edited,
    new_submodule,
    base_in_submodule,
    init_and_sub_together,
    star_reexport,
    variant(init_edit, "after", reloader="after"),
    variant(submodule_edit, "full", strategy="full"),
    variant(init_edit, "full", strategy="full"),
]
