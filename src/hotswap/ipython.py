"""IPython and Jupyter front-end: ``%load_ext hotswap`` with ``%autoreload`` and ``%aimport``.

Loading the extension creates one :class:`hotswap.Reloader` with ``namespace=shell.user_ns``
(the same engine, and the same code path, as the plain API) and registers two callbacks:

* ``pre_run_cell`` calls ``reloader.check()`` before every cell, unless ``reloader.quiet()``
  says no watched file changed (a few fields and one poll of the event queue); nothing is
  printed when nothing happened.
* ``post_run_cell`` passes the executed cell's source to ``reloader.observe()``, so that mode
  ``complete`` knows where the user's own ``from m import ...`` statements put names.

The magics keep IPython 9.18's forms (see :mod:`hotswap._front.magics` for the grammar), so
``%load_ext hotswap`` followed by ``%autoreload 2`` works from muscle memory.

Deliberate differences from IPython's ``autoreload`` extension:

* Loading turns reloading on, in mode ``all``; ``%autoreload 2`` afterwards changes nothing.
* ``%aimport pkg`` and ``%aimport -pkg`` cover the submodules of ``pkg`` too.
* ``%aimport pkg.sub as alias`` binds the submodule ``pkg.sub`` (IPython binds ``pkg``).
* A failed reload prints one short block, once (IPython prints it twice: logger and stderr),
  and says that the previous version was kept. A successful reload prints one dim line naming the
  module and the changed objects; ``-q``/``--quiet`` hides it. ``-p`` adds a line per object.
* A wrong ``%autoreload`` argument is a one-line usage error that changes nothing (IPython
  applies the flags first, then raises). ``-h``/``--help`` prints the help.
* ``%unload_ext hotswap`` removes the hooks and magics; ``%reload_ext hotswap`` and loading twice
  never register a hook twice.
* If IPython's own ``autoreload`` extension is loaded as well (before or after), hotswap says so
  once, switches IPython's reloader off and takes ``%autoreload``/``%aimport`` back, so no module
  is reloaded twice. Unloading hotswap gives them back.
* ``%hotswap`` shows the state: mode, strategy, watched/excluded modules, failures, last report.

In a profile (``ipython_config.py``)::

    c.InteractiveShellApp.extensions = ["hotswap"]
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display as _untyped_display

from hotswap._checkpoint.reloader import Reloader
from hotswap._errors import HotswapError
from hotswap._front import render as _render
from hotswap._front.magics import (
    AimportItem,
    AutoreloadArgs,
    MagicArgumentError,
    parse_aimport,
    parse_autoreload,
    parse_cluster,
)
from hotswap._report import Report

if TYPE_CHECKING:
    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult, InteractiveShell

__all__ = ["HotswapMagics", "load_ipython_extension", "unload_ipython_extension"]

# IPython.display.display has no annotations; calling it through a typed name keeps mypy strict.
_display: Callable[..., object] = _untyped_display

_MAGIC_NAMES = ("autoreload", "aimport", "hotswap")
# IPython registers magics containers by class name; both names are looked up in that registry.
_OURS = "HotswapMagics"
_IPYTHONS = "AutoreloadMagics"


def load_ipython_extension(shell: InteractiveShell) -> None:
    """``%load_ext hotswap``: start reloading before every cell, in mode ``all``.

    Loading again (or through another name, such as ``hotswap.ipython``) does nothing: the
    magics container registered in the shell is the one source of truth, which also survives
    ``%reload_ext`` re-executing this module.
    """
    if _installed(shell) is not None:
        return
    magics = HotswapMagics(shell)
    shell.register_magics(magics)
    magics.install()
    if not magics.starting:
        print(ON)


# What ``%load_ext hotswap`` typed in a cell says (a profile loading it at start says nothing).
ON = "hotswap: on; edited modules reload before each cell (%autoreload off turns it off)"


def _in_a_cell(shell: InteractiveShell) -> bool:
    """Whether the user's cells have started: IPython stores a cell's input in ``In`` before it
    runs it, and ``In`` holds only its placeholder while the profile loads extensions."""
    return len(shell.user_ns.get("In", ())) > 1


def unload_ipython_extension(shell: InteractiveShell) -> None:
    """``%unload_ext hotswap``: remove the hooks and magics and close the reloader."""
    magics = _installed(shell)
    if magics is not None:
        magics.uninstall()


def _installed(shell: InteractiveShell) -> Any:
    return shell.magics_manager.registry.get(_OURS)


@magics_class
class HotswapMagics(Magics):
    """The magics and cell callbacks of one shell, around one :class:`hotswap.Reloader`."""

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self._shell = shell
        self.reloader = Reloader(namespace=shell.user_ns, mode="all")
        self.output = _render.Show()
        self._taken_over: Any = None  # IPython's AutoreloadMagics, switched off while we run
        # The shell's magics by class name (a dict IPython fills in place), read twice a cell:
        # held here, not looked up through two traits each time.
        self._registry: dict[str, Any] = shell.magics_manager.registry
        self._taken_over_was_enabled = False
        self._announced = False
        # True until the first cell ends: what the profile asks for at start is done quietly.
        self.starting = not _in_a_cell(shell)

    # -- lifecycle ---------------------------------------------------------------------------

    def install(self) -> None:
        events = self._shell.events
        events.register("pre_run_cell", self.pre_run_cell)
        events.register("post_run_cell", self.post_run_cell)
        self._take_over_autoreload()

    def uninstall(self) -> None:
        events = self._shell.events
        events.unregister("pre_run_cell", self.pre_run_cell)
        events.unregister("post_run_cell", self.post_run_cell)
        manager = self._shell.magics_manager
        table = manager.magics["line"]
        for name in _MAGIC_NAMES:
            # Bound methods compare by (function, instance): this removes only our own entries.
            if getattr(table.get(name), "__self__", None) is self:
                del table[name]
        if manager.registry.get(_OURS) is self:
            del manager.registry[_OURS]
        other = self._taken_over
        if other is not None and manager.registry.get(_IPYTHONS) is other:
            self._shell.register_magics(other)
            inner = getattr(other, "_reloader", None)
            if inner is not None:
                inner.enabled = self._taken_over_was_enabled
        self._taken_over = None
        link = getattr(self, "cluster_link", None)
        if link is not None:  # (%hotswap cluster attach)
            link.detach()
        self.reloader.close()

    # -- cell callbacks ----------------------------------------------------------------------

    def pre_run_cell(self, info: ExecutionInfo | None = None) -> None:
        """Before every cell: reload what changed (the engine returns at once if nothing did)."""
        if self._registry.get(_IPYTHONS) is not self._taken_over:
            self._take_over_autoreload()
        if self.reloader.quiet():  # (most cells: a few fields and one poll, nothing made)
            return
        self._checkpoint()

    def post_run_cell(self, result: ExecutionResult | None = None) -> None:
        """After every cell: record its import statements for mode ``complete``."""
        self.starting = False
        if self._registry.get(_IPYTHONS) is not self._taken_over:
            self._take_over_autoreload()
        if result is None or result.error_before_exec is not None:
            return
        info = result.info
        source = (info.transformed_cell or info.raw_cell) if info is not None else None
        # observe() records import statements only, so a cell without the word cannot matter.
        if source and "import" in source:
            self.reloader.observe(source)

    def _checkpoint(self) -> Report | None:
        try:
            report = self.reloader.check()
        except Exception:
            # The engine promises to roll back and report instead of raising; if it raises
            # anyway that is a bug in hotswap, and the session must go on.
            print(
                "hotswap: internal error while checking for changes (a bug in hotswap; "
                "please report it with this traceback):\n" + traceback.format_exc(),
                file=sys.stderr,
            )
            return None
        if report:
            self.show(report)
        return report

    def show(self, report: Report) -> None:
        """Display ``report`` once, as text and HTML, and log it if ``-l`` asked for that."""
        if self.output.log and report:
            _render.log(report, self.output)
        rendered = _render.render(report, self.output, color=self._shell.colors != "nocolor")
        if rendered is None:
            return
        if type(self._shell.display_pub).__module__.startswith("IPython."):
            # A terminal shell shows only text; its display publisher would also keep every
            # bundle in the session's output history (a notebook kernel's does not).
            if rendered.out:
                print(rendered.out)
            if rendered.err:
                print(rendered.err, file=sys.stderr)
        else:
            # text/plain is what ``jupyter console`` and notebook front-ends without HTML show,
            # and what a notebook file keeps: no terminal escapes in it.
            _display({"text/plain": rendered.plain, "text/html": rendered.html}, raw=True)

    # -- IPython's own autoreload ------------------------------------------------------------

    def _take_over_autoreload(self) -> None:
        """Switch IPython's autoreload off while hotswap runs: a module must reload once."""
        other = self._shell.magics_manager.registry.get(_IPYTHONS)
        if other is None or other is self._taken_over:
            return
        inner = getattr(other, "_reloader", None)
        self._taken_over = other
        self._taken_over_was_enabled = bool(getattr(inner, "enabled", False))
        if inner is not None:
            inner.enabled = False
        self._shell.register_magics(self)  # %autoreload and %aimport are ours again
        if not self._announced and not self.starting:
            self._announced = True
            print("hotswap: handles %autoreload now; IPython's autoreload is switched off")

    # -- magics ------------------------------------------------------------------------------

    @line_magic
    def autoreload(self, line: str = "") -> None:
        """Reload edited modules before every cell, keeping objects and state (hotswap).

        Usage: %autoreload [-p] [-l] [-q] [--hide-errors] [--full] [MODE][-]

        MODE (case-insensitive):
          (blank) or now   reload the modules whose files changed, right now
          0 or off         stop reloading before each cell
          1 or explicit    reload only the modules named with %aimport (and their submodules)
          2 or all         reload every watched module except %aimport -excluded ones
                           (this is the mode %load_ext hotswap starts in)
          3 or complete    like all, and also bring names a module gains into the session
                           where your own "from m import *" / "from m import name" put them

        A trailing "-" (e.g. "%autoreload 2-") or --full re-runs whole modules (still in
        place and all-or-nothing) instead of only the statements that changed.

        Options (each call resets the options it does not name, as in IPython):
          -p, --print      also print one line per changed object
          -l, --log        send the same report to the "hotswap" logger
          -q, --quiet      hide the line printed after a successful reload
          --hide-errors    hide failed reloads (the previous version is kept either way)
          --full           same as the trailing "-"
          -h, --help       show this help

        Functions and classes are updated in place, so existing objects, "from m import f"
        names and instances see the new code; a reload that fails changes nothing.
        """
        try:
            args = parse_autoreload(line)
        except MagicArgumentError as exc:
            raise UsageError(str(exc)) from None
        if args.help:
            print(inspect.getdoc(type(self).__dict__["autoreload"]))
            return
        self._apply(args)

    def _apply(self, args: AutoreloadArgs) -> None:
        self.output = _render.Show(
            quiet=args.quiet,
            verbose=args.print_activity,
            log=args.log,
            hide_errors=args.hide_errors,
        )
        self.reloader.strategy = args.strategy
        if args.mode is not None:
            self.reloader.mode = args.mode
            return
        # "now" checks every watched module once, whatever the mode, as in IPython.
        mode = self.reloader.mode
        if mode in ("off", "explicit"):
            self.reloader.mode = "all"
        try:
            self._checkpoint()
        finally:
            self.reloader.mode = mode

    @line_magic
    def aimport(self, line: str = "") -> None:
        """Choose which modules are reloaded (hotswap).

        %aimport                  list the modules included and excluded
        %aimport m                import m, bind it, and reload it in mode explicit
        %aimport m1, m2           several at once
        %aimport -m               never reload m (in every mode)
        %aimport -m1, m2          exclude m1, include m2
        %aimport m as alias       bind m under another name
        %aimport pkg.sub as sub   bind the submodule pkg.sub as sub

        Including or excluding a package covers its submodules. Including undoes an exclusion
        and vice versa. Nothing changes if any name cannot be imported.
        """
        try:
            items = parse_aimport(line)
        except MagicArgumentError as exc:
            raise UsageError(str(exc)) from None
        if not items:
            print(self._lists(), end="")
            return
        modules = {item.name: _import(item.name) for item in items if not item.exclude}
        for item in items:
            if item.exclude:
                self.reloader.exclude(item.name)
            else:
                self.reloader.include(item.name)
                self._bind(item, modules[item.name])

    def _bind(self, item: AimportItem, module: Any) -> None:
        """Bind like ``import pkg.sub`` (binds pkg) or ``import pkg.sub as alias`` (binds sub)."""
        if item.alias is not None:
            self._shell.user_ns[item.alias] = module
            self.reloader.observe(f"import {item.name} as {item.alias}")
        else:
            top = item.name.partition(".")[0]
            self._shell.user_ns[top] = sys.modules[top]
            self.reloader.observe(f"import {item.name}")

    def _lists(self) -> str:
        mode = self.reloader.mode
        if mode in ("all", "complete"):
            reload = "all-except-skipped"
        else:
            # Off lists the aimported modules too, as IPython does: they are what
            # ``%autoreload 1`` will reload.
            reload = " ".join(sorted(self.reloader.included))
        skip = " ".join(sorted(self.reloader.excluded))
        return f"Modules to reload:\n{reload}\n\nModules to skip:\n{skip}\n"

    @line_magic
    def hotswap(self, line: str = "") -> None:
        """Show hotswap's state: mode, strategy, watched and excluded modules, failures.

        %hotswap      the summary
        %hotswap -v   also list every watched module
        %hotswap cluster attach NAME|status|push|detach
                      keep a Dask cluster's workers in step (hotswap.dask; NAME is a Client)
        """
        if line.split()[:1] == ["cluster"]:  # hotswap.dask, imported only when asked
            self._cluster(line.strip().removeprefix("cluster"))
            return
        verbose = line.strip()
        if verbose not in ("", "-v", "--verbose"):
            raise UsageError("%hotswap: expected no argument or -v")
        print(self.status(verbose=bool(verbose)))

    def _cluster(self, line: str) -> None:
        """``%hotswap cluster ...``: see :mod:`hotswap.dask._magic`."""
        try:
            args = parse_cluster(line)
        except MagicArgumentError as exc:
            raise UsageError(str(exc)) from None
        from hotswap.dask._magic import cluster

        try:
            print(cluster(self, self._shell.user_ns, args))
        except HotswapError as exc:
            raise UsageError(str(exc)) from None

    def status(self, *, verbose: bool = False) -> str:
        """The text ``%hotswap`` prints."""
        r = self.reloader
        watched = sorted(r.watched())
        mode = r.mode
        lines = [
            f"hotswap: mode {mode}"
            + (" (reloading is off)" if mode == "off" else " (checks before every cell)"),
            f"  strategy: {r.strategy}",
            f"  output: {self.output.describe()}",
            f"  watched modules: {len(watched)}",
        ]
        if verbose and watched:
            lines.extend(f"    {name}" for name in watched)
        if mode == "explicit":
            lines.append(f"  included: {', '.join(sorted(r.included)) or 'none'}")
        lines.append(f"  excluded: {', '.join(sorted(r.excluded)) or 'none'}")
        failures = r.failures
        if failures:
            lines.append("  waiting for a fix:")
            lines.extend(f"    {problem}" for problem in failures.values())
        else:
            lines.append("  waiting for a fix: none")
        last = r.last_report
        if last is None:
            lines.append("  last report: none")
        else:
            lines.append("  last report:")
            lines.extend(f"    {text}" for text in str(last).splitlines())
        if self._taken_over is not None:
            lines.append("  IPython's autoreload: switched off by hotswap")
        return "\n".join(lines)


def _import(name: str) -> Any:
    """Import ``name`` for %aimport; a missing module is a usage error, any other a traceback."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise UsageError(f"%aimport: no module named {exc.name!r}") from None
        raise

