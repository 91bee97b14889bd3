"""Number formats shared by the benchmark's tables (``_table`` and ``_realtable``)."""

from __future__ import annotations


def times(ratio: float | None) -> str:
    """A ratio as ``614x`` (``5.9x`` below ten); ``-`` when there is none."""
    if ratio is None:
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def two(value: float | None) -> str:
    """A value with two decimals; ``-`` when there is none."""
    return "-" if value is None else f"{value:.2f}"
