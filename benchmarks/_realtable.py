"""The real-projects section of the benchmark table, and its targets (issue 11)."""

from __future__ import annotations

from typing import Any

from _fmt import times as _x
from _fmt import two as _f

IPY = "IPython %autoreload 2"


def render(real: dict[str, Any], grid: Any) -> list[str]:
    out = [
        "5. Real projects: the sources of PyPI projects as the user's own code; medians "
        "[min-max] over fresh processes, tools alternated; 'WRONG' = the check after the "
        "reload failed (the time is shown, the row is not right)"
    ]
    for project in real.get("projects", []):
        out += ["", *_project(project, grid)]
    if real.get("scale"):
        out += [
            "",
            "  Cost vs project size (generated projects: packages, subpackages, "
            "from-imports, classes): one function imported by name in 3 modules, edited",
        ]
        body = []
        for row in real["scale"]:
            if "error" in row:
                body.append((f"{row['count']:,} modules", "error", "", "", "", ""))
                continue
            hs, ip = row["hotswap"], row["ipython"]
            body.append(
                (
                    f"{row['count']:,} modules",
                    _checked(hs, "first_ms"),
                    _checked(hs, "later_ms"),
                    _checked(ip, "first_ms"),
                    _checked(ip, "later_ms"),
                    _x(_ratio(ip, hs, "later_ms")),
                )
            )
        header = (
            "project",
            "hotswap first",
            "hotswap later",
            "IPython first",
            "IPython later",
            "ratio",
        )
        out += grid(header, body)
    return out


def _target_lines(targets: dict[str, Any]) -> list[str]:
    """What was edited in a project: its largest class's method, a helper, a constant."""
    lines = []
    method, helper, constant = targets.get("method"), targets.get("helper"), targets.get("constant")
    if method:
        lines.append(
            f"    largest class {method['module']}.{method['klass']} ({method['lines']:,} lines, "
            f"{method['methods']} methods), edited method {method['name']}"
        )
    if helper:
        lines.append(
            f"    helper {helper['module']}.{helper['name']} (imported by name in "
            f"{helper['importers']} modules)"
        )
    if constant:
        lines.append(
            f"    constant {constant['module']}.{constant['name']} (imported by name in "
            f"{constant['importers']} modules)"
        )
    return lines


def _project(project: dict[str, Any], grid: Any) -> list[str]:
    name = f"{project['name']} {project['version']}"
    if project["version"] == "generated":
        name = f"{project['name']} project ({project.get('modules', '?')} modules)"
    if "error" in project:
        return [f"  {name}: error: {project['error']}"]
    targets = project["targets"]
    lines = [
        f"  {name}: {project['modules']:,} modules imported "
        f"({len(project['failed_imports'])} could not be: optional dependencies)"
    ]
    lines += _target_lines(targets)
    load = project["load"]
    none, hs, ip = load.get("none", {}), load.get("hotswap", {}), load.get("ipython", {})
    base = _med(none, "import_ms")
    body = [
        (
            "import the whole project (ms; x no reloader)",
            _span(_get(hs, "import_ms")) + _paired_x(hs, base),
            "",
            _span(_get(ip, "import_ms")) + _paired_x(ip, base),
            "",
            f"none: {_span(_get(none, 'import_ms'))}",
        ),
    ]
    body += [
        (
            label,
            _span(_get(hs, key), 1),
            "",
            _span(_get(ip, key), 1),
            "",
            _x(_ratio(ip, hs, key)),
        )
        for label, key in (
            ("memory the tool holds after the import (KiB)", "held_kib"),
            ("per cell, nothing changed: in run_cell (us)", "cell_us"),
            ("per cell with an import statement, in run_cell (us)", "import_cell_us"),
            ("per cell: the callbacks alone (us)", "callbacks_us"),
        )
    ]
    for edit in project["edits"]:
        label = edit["label"]
        if "error" in edit:
            body.append((label, edit["error"], "", "", "", ""))
            continue
        h, i = edit["hotswap"], edit["ipython"]
        body.append(
            (
                label + " (ms)",
                _checked(h, "first_ms"),
                _checked(h, "later_ms"),
                _checked(i, "first_ms"),
                _checked(i, "later_ms"),
                _x(_ratio(i, h, "later_ms")),
            )
        )
    checkout = project.get("checkout")
    if checkout:
        label = f"checkout to {checkout['to']}: {checkout['files']} files (ms)"
        if "error" in checkout:
            body.append((label, checkout["error"], "", "", "", ""))
        else:
            h, i = checkout["hotswap"], checkout["ipython"]
            body.append(
                (label, _checked(h, "ms"), "", _checked(i, "ms"), "", _x(_ratio(i, h, "ms")))
            )
    header = ("", "hotswap (first)", "hotswap later", f"{IPY} (first)", "IPython later", "ratio")
    lines += grid(header, body)
    if checkout and "error" not in checkout:
        undecided = checkout.get("undecided") or []
        if undecided:
            lines.append(
                f"    not compared: {len(undecided)} names two fresh imports of the new tree "
                f"disagree on ({', '.join(undecided[:4])})"
            )
        for tool in ("hotswap", "ipython"):
            r = checkout[tool]
            if r.get("mismatched"):
                shown = r["mismatches"] if tool == "hotswap" else r["mismatches"][:3]
                lines.append(
                    f"    {tool} after the checkout: {r['mismatched']} of {r['compared']} modules "
                    f"differ from a fresh import, e.g. {'; '.join(shown)}"
                )
    for edit in project["edits"]:
        for tool in ("hotswap", "ipython"):
            r = edit.get(tool, {})
            if r.get("problems"):
                lines.append(f"    {tool}, {edit['label']}: {r['problems'][0]}")
            if r.get("errors"):
                lines.append(f"    {tool}, {edit['label']}: error: {r['errors'][0]}")
    return lines


# -- targets -----------------------------------------------------------------------------------


def targets(real: dict[str, Any], target: Any) -> None:
    """``target(met, text)`` for each of issue 11's targets, per project."""
    for project in real.get("projects", []):
        name = project["name"]
        if "error" in project:
            target(False, f"{name}: {project['error']}")
            continue
        load = project["load"]
        hs, none = load.get("hotswap", {}), load.get("none", {})
        ratio = _med(hs, "import_x")
        if ratio is None:  # (a run from before the paired ratios)
            ratio = _div(_med(hs, "import_ms"), _med(none, "import_ms"))
        target(
            ratio is not None and ratio <= 1.10,
            f"{name}: import with hotswap <= 1.10x no reloader: {_f(ratio)}x",
        )
        held = _med(hs, "held_kib")
        target(
            held is not None and held <= 4096,
            f"{name}: memory hotswap holds after the import <= 4 MiB: {_f(held)} KiB",
        )
        cell = _med(hs, "cell_us")
        target(
            cell is not None and cell <= 20,
            f"{name}: per cell, nothing changed, in run_cell <= 20 us: {_f(cell)} us",
        )
        for edit in project["edits"]:
            if "error" in edit:
                continue
            _edit_target(name, edit, target)
        checkout = project.get("checkout")
        if checkout and "error" not in checkout:
            h, i = checkout["hotswap"], checkout["ipython"]
            r = _ratio(i, h, "ms")
            target(
                r is not None and r >= 3 and h["verified"],
                f"{name}: checkout of {checkout['files']} files <= 1/3 of IPython and every "
                f"module right: "
                + (f"{_x(r)}, {_right(h)}" if h.get("ms") else f"hotswap {h['errors'][:1]}"),
            )
        elif checkout:
            target(False, f"{name}: checkout: {checkout['error']}")
    scale = [r for r in real.get("scale", []) if "error" not in r]
    if scale:
        values = [_med(r["hotswap"], "later_ms") for r in scale]
        ok = [v for v in values if v is not None]
        spread = max(ok) / min(ok) if ok and min(ok) > 0 else None
        right = all(r["hotswap"]["verified"] for r in scale)
        sizes = ", ".join(f"{r['count']:,}" for r in scale)
        target(
            spread is not None and spread <= 2 and right and len(ok) == len(values),
            f"same edit in {sizes} modules flat: "
            f"largest/smallest = {_f(spread)} (<= 2), " + ", ".join(f"{_f(v)} ms" for v in values),
        )


def _edit_target(name: str, edit: dict[str, Any], target: Any) -> None:
    h, i = edit["hotswap"], edit["ipython"]
    first, later = _med(h, "first_ms"), _med(h, "later_ms")
    what, kind = edit["what"], edit["edit"]
    limit = {"method": 15 if kind == "insert" else 10, "helper": 20, "constant": 20}[what]
    within = first is not None and later is not None and max(first, later) <= limit
    text = f"{name}: {edit['label']}"
    if what in ("helper", "constant"):
        need = 40 if what == "helper" else 10
        importers = h.get("importers")
        text += f" ({importers} importers; wanted {need}+)"
    text += f" <= {limit} ms first and later"
    met = within and h["verified"]
    if what == "method" and kind in ("body", "paced"):
        r1, r2 = _ratio(i, h, "first_ms"), _ratio(i, h, "later_ms")
        met = met and r1 is not None and r2 is not None and min(r1, r2) >= 5
        text += f", >= 5x IPython: {_x(r1)} / {_x(r2)}"
    text += f": {_f(first)} / {_f(later)} ms, {_right(h)}"
    target(met, text)


# -- formatting --------------------------------------------------------------------------------


def _get(result: dict[str, Any], key: str) -> Any:
    return result.get(key) if isinstance(result, dict) else None


def _med(result: dict[str, Any], key: str) -> float | None:
    s = _get(result, key)
    return None if s is None else float(s["median"])


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def _ratio(slow: dict[str, Any], fast: dict[str, Any], key: str) -> float | None:
    return _div(_med(slow, key), _med(fast, key))


def _span(s: dict[str, float] | None, digits: int = 0) -> str:
    if s is None:
        return "error"
    fmt = f"{{:,.{digits}f}}"
    mid, lo, hi = (fmt.format(s[k]) for k in ("median", "min", "max"))
    return mid if lo == hi else f"{mid} [{lo}-{hi}]"


def _digits(s: dict[str, float] | None) -> int:
    return 1 if s is not None and s["median"] < 100 else 0


def _checked(result: dict[str, Any], key: str) -> str:
    s = _get(result, key)
    if s is None and _get(result, "errors"):
        return str(result["errors"][0])[:40]
    text = _span(s, _digits(s))
    if s is not None and not result.get("verified"):
        text = "WRONG " + text
    return text


def _times(value: float | None, base: float | None) -> str:
    r = _div(value, base)
    return "" if r is None else f" ({r:.2f}x)"


def _paired_x(result: dict[str, Any], base: float | None) -> str:
    """The import's cost over no reloader's: the median of each round's ratio (see
    ``_projects.summarize_load``), or the ratio of medians for a run made before those."""
    r = _med(result, "import_x")
    return f" ({r:.2f}x)" if r is not None else _times(_med(result, "import_ms"), base)


def _right(result: dict[str, Any]) -> str:
    return "right" if result.get("verified") else "WRONG"


