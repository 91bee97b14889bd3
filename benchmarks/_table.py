"""The benchmark table and the verdicts on the speed issue's targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _realtable
from _fmt import times as _x
from _fmt import two as _f

IPY = "IPython %autoreload 2"


def render(results: dict[str, Any]) -> str:
    env = results["environment"]
    out = [
        f"hotswap benchmarks: Python {env['python']}, IPython {env['ipython']}, "
        f"{env['cpus']} CPUs, load average {_load(env)}, {env['date']}",
        "medians; ratio = IPython / hotswap (how many times less hotswap costs)",
    ]
    if "percell" in results:
        out += ["", *_percell(results["percell"])]
    if "latency" in results:
        out += ["", *_latency(results["latency"])]
    if "memory" in results:
        out += ["", *_memory(results["memory"])]
    if "startup" in results:
        out += ["", *_startup(results["startup"])]
    if "real" in results:
        out += ["", *_realtable.render(results["real"], _grid)]
    verdicts = results.get("targets")
    if verdicts:
        met = sum(1 for t in verdicts if t["met"])
        out += ["", f"Targets: {met} of {len(verdicts)} met"]
        out += [f"  [{'met' if t['met'] else 'MISSED'}] {t['text']}" for t in verdicts]
    out.append(f"\n({results.get('seconds', '?')} s)")
    return "\n".join(out)


def _percell(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "1. Per-cell cost when nothing changed (all loaded modules are user modules; "
        "CPU time of the process in brackets); 'in run_cell': hotswap's share of a real "
        "IPython cell, 'pass' and 'from os import path'"
    ]
    header = (
        "modules",
        "hotswap",
        "in run_cell",
        "import cell",
        "hotswap (stat)",
        IPY,
        "ratio",
        "ratio (stat)",
    )
    body = []
    for row in rows:
        hs, st, ip = row["hotswap"], row["hotswap-stat"], row["ipython"]
        cpu = _get(hs, "cpu_us")
        body.append(
            (
                f"{row['count']:,} (+{_get(ip, 'modules', 0) - row['count']:,})",
                _us(hs) + ("" if cpu is None else f" [{cpu:.1f}]"),
                _num(hs, "cell_us", "{:.1f} us"),
                _num(hs, "import_cell_us", "{:.1f} us"),
                _us(st),
                _us(ip),
                _ratio(ip, hs, "us"),
                _ratio(ip, st, "us"),
            )
        )
    return lines + _grid(header, body)


def _latency(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "2. Reload latency: the first cell after the edit (detect, reload, patch); "
        "first edit of the session in brackets"
    ]
    header = (
        "edited",
        "edit",
        "hotswap",
        "(CPU)",
        IPY,
        "IPython --full",
        "ratio",
        "ratio (--full)",
    )
    body = []
    for row in rows:
        hs, ip, full = row["hotswap"], row["ipython"], row["ipython-full"]
        what = f"1 of {row['functions']:,} functions ({_kib(hs)})"
        if row["modules"] > 1:
            what = f"{row['modules']} modules x 1 of {row['functions']}"
        body.append(
            (
                what,
                row["edit"],
                _ms(hs),
                _num(hs, "cpu_ms", "{:.2f} ms"),
                _ms(ip),
                _ms(full),
                _ratio(ip, hs, "ms"),
                _ratio(full, hs, "ms"),
            )
        )
    return lines + _grid(header, body)


def _memory(memory: dict[str, Any]) -> list[str]:
    lines = [
        f"3. Memory: traced growth per edit+reload cycle over {memory['cycles']} cycles "
        "(100 functions, a class of 30 methods, 10 decorated functions)"
    ]
    header = ("tool", "KiB per cycle", "first half", "second half")
    body = []
    rows = (
        ("hotswap", "hotswap (with IPython's record of its reports)"),
        ("hotswap-own", "hotswap (IPython's output record cleared)"),
        ("ipython", IPY),
        ("ipython-full", "IPython --full"),
    )
    for tool, label in rows:
        r = memory[tool]
        body.append(
            (
                label,
                _num(r, "kib_per_cycle", "{:.2f}"),
                _num(r, "first_half_kib_per_cycle", "{:.2f}"),
                _num(r, "second_half_kib_per_cycle", "{:.2f}"),
            )
        )
    return lines + _grid(header, body)


def _startup(startup: dict[str, Any]) -> list[str]:
    lines = ["4. Start-up"]
    body = [
        ("import hotswap (fresh interpreter)", _ms(startup["import_hotswap"]), ""),
        (
            "import IPython.extensions.autoreload (IPython already imported)",
            _ms(startup["import_ipython"]),
            "",
        ),
    ]
    for row in startup["load"]:
        hs, ip = row["hotswap"], row["ipython"]
        body.append(
            (
                f"%load_ext hotswap, {row['count']:,} modules loaded (first cell after)",
                _ms(hs),
                f"({_num(hs, 'first_cell_ms', '{:.2f} ms')})",
            )
        )
        body.append(
            (
                f"%load_ext autoreload + %autoreload 2, {row['count']:,} modules (first cell)",
                _ms(ip),
                f"({_num(ip, 'first_cell_ms', '{:.2f} ms')})",
            )
        )
    return lines + _grid(("", "ms", ""), body)


# -- the targets -----------------------------------------------------------------------------------


def _percell_targets(percell: list[dict[str, Any]], target: Callable[[bool, str], None]) -> None:
    """The per-cell targets of :func:`targets`."""
    hs = [r["hotswap"].get("us") for r in percell]
    ok = [v for v in hs if v is not None]
    if ok:
        worst = max(ok)
        target(
            worst <= 20 and len(ok) == len(hs),
            f"per-cell cost <= 20 us at every N: at most {worst:.1f} us",
        )
    for key, what in (("cell_us", "'pass'"), ("import_cell_us", "'from os import path'")):
        inside = [r["hotswap"].get(key) for r in percell]
        if inside and all(v is not None for v in inside):
            target(
                max(inside) <= 20,
                f"per-cell cost inside a real cell ({what}) <= 20 us at every N: at most "
                f"{max(inside):.1f} us",
            )
    cpu = [r["hotswap"].get("cpu_us") for r in percell]
    if all(v is not None for v in cpu) and cpu:
        spread = max(cpu) / min(cpu)
        target(
            spread <= 2,
            f"per-cell cost flat in N (CPU time, which preemption by other processes "
            f"does not inflate): largest/smallest = {spread:.2f} (<= 2)",
        )
    for wanted, need in ((1200, 150), (20000, 4000)):
        row = min(percell, key=lambda r: abs(_get(r["ipython"], "modules", 0) - wanted))
        ratio = _value_ratio(row["ipython"], row["hotswap"], "us")
        modules = _get(row["ipython"], "modules", 0)
        target(
            ratio is not None and ratio >= need,
            f"per-cell ratio >= {need}x at ~{wanted:,} modules ({modules:,}): {_x(ratio)}",
        )
    stat = [_value_ratio(r["ipython"], r["hotswap-stat"], "us") for r in percell]
    target(
        all(s is not None and s > 1 for s in stat),
        "stat fallback faster than IPython at every N: ratios "
        + ", ".join(_x(s) for s in stat),
    )
    verified = all(r[t].get("verified") for r in percell for t in ("hotswap", "hotswap-stat"))
    target(verified, "per-cell fast path still reloads an edit (checked after timing)")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the speed issue: what was measured and whether it is met."""
    out: list[dict[str, Any]] = []

    def target(met: bool, text: str) -> None:
        out.append({"met": bool(met), "text": text})

    percell = results.get("percell")
    if percell:
        _percell_targets(percell, target)
    latency = results.get("latency")
    if latency:
        for row in latency:
            hs, ip = row["hotswap"], row["ipython"]
            ms, ratio = hs.get("ms"), _value_ratio(ip, hs, "ms")
            if row["modules"] > 1:
                target(
                    ratio is not None and ratio >= 5,
                    f"{row['modules']} modules changed at once <= 1/5 of IPython: {_x(ratio)}",
                )
            elif row["functions"] == 1000:
                target(
                    ms is not None and ms <= 5 and ratio is not None and ratio >= 30,
                    f"1 of 1,000 functions ({row['edit']}) <= 5 ms and >= 30x: "
                    f"{_f(ms)} ms, {_x(ratio)}",
                )
            elif row["functions"] == 10:
                target(
                    ms is not None and ms <= 1,
                    f"1 of 10 functions ({row['edit']}) <= 1 ms: {_f(ms)} ms",
                )
        verified = all(r["hotswap"].get("verified") for r in latency)
        target(verified, "every timed hotswap reload made the edited code live")
    memory = results.get("memory")
    if memory:
        own, shown = memory["hotswap-own"], memory["hotswap"]
        per, late = own.get("kib_per_cycle"), own.get("second_half_kib_per_cycle")
        target(
            per is not None and late is not None and per <= 0.5 and late <= 0.5,
            f"memory <= 0.5 KiB per cycle over {memory['cycles']} cycles, bounded: "
            f"{_f(per)} KiB (second half {_f(late)} KiB); with IPython's record of the "
            f"displayed reports {_f(shown.get('kib_per_cycle'))} KiB",
        )
    startup = results.get("startup")
    if startup:
        ms = startup["import_hotswap"].get("ms")
        target(ms is not None and ms <= 20, f"import hotswap <= 20 ms: {_f(ms)} ms")
        for row in startup["load"]:
            if row["count"] == 5000:
                ms = row["hotswap"].get("ms")
                target(
                    ms is not None and ms <= 50,
                    f"%load_ext hotswap with 5,000 modules <= 50 ms: {_f(ms)} ms",
                )
    real = results.get("real")
    if real:
        _realtable.targets(real, target)
    return out


# -- formatting ------------------------------------------------------------------------------------


def _grid(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for k, row in enumerate([header, *rows]):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if k == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def _get(result: dict[str, Any], key: str, default: Any = None) -> Any:
    return result.get(key, default) if isinstance(result, dict) else default


def _value_ratio(slow: dict[str, Any], fast: dict[str, Any], key: str) -> float | None:
    a, b = _get(slow, key), _get(fast, key)
    if a is None or b is None or b <= 0:
        return None
    return float(a) / float(b)


def _ratio(slow: dict[str, Any], fast: dict[str, Any], key: str) -> str:
    return _x(_value_ratio(slow, fast, key))




def _us(result: dict[str, Any]) -> str:
    if "error" in result:
        return "error"
    us = float(result["us"])
    return f"{us:,.1f} us" if us < 1000 else f"{us / 1000:,.2f} ms"


def _ms(result: dict[str, Any]) -> str:
    if "error" in result:
        return "error"
    text = f"{result['ms']:.2f} ms"
    if "first_ms" in result:
        text += f" [{result['first_ms']:.1f}]"
    return text


def _kib(result: dict[str, Any]) -> str:
    size = _get(result, "bytes")
    return "?" if size is None else f"{size / 1024:.0f} KiB"


def _num(result: dict[str, Any], key: str, fmt: str) -> str:
    value = _get(result, key)
    return "error" if value is None else fmt.format(value)


def _load(env: dict[str, Any]) -> str:
    load = env.get("load_average")
    return "?" if not load else f"{load[0]:.1f}"
