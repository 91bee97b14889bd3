"""Number formats and a table shared by the benchmark's tables (``_table``, ``_realtable``,
``web`` and ``dask_cluster``)."""

from __future__ import annotations

from typing import Any


def times(ratio: float | None) -> str:
    """A ratio as ``614x`` (``5.9x`` below ten); ``-`` when there is none."""
    if ratio is None:
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def two(value: float | None) -> str:
    """A value with two decimals; ``-`` when there is none."""
    return "-" if value is None else f"{value:.2f}"


def saves_table(title: str, headers: tuple[str, str], results: dict[str, Any]) -> list[str]:
    """The lines of a table of saves, one row per ``{"ms": [...], "median": ..., "state_kept":
    ...}``: the median and range of the saves, and whether the program's state survived."""
    what, measured = headers
    lines = [title, "", f"  {what:<34} {measured:>24} {'state kept':>11}", "  " + "-" * 71]
    for name, row in results.items():
        spread = f"{min(row['ms']):.0f}-{max(row['ms']):.0f}"
        kept = "yes" if row["state_kept"] else "no"
        lines.append(f"  {name:<34} {row['median']:>12.1f} [{spread:>9}] {kept:>11}")
    return lines
