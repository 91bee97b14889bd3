"""What a user reads after a reload: the text and HTML forms of :class:`hotswap.Report`.

Every front-end (IPython, the REPL, the runner, a notebook) shows a report through
``str(report)``, ``summary_lines()`` or ``_repr_html_()``; these tests pin down those words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hotswap
from hotswap import Change, Problem, Report


def _patched(module: str, *names: str, action: str = "patched") -> list[Change]:
    return [Change(module, name, action, f"/src/{module}.py:1") for name in names]  # type: ignore[arg-type]


def test_empty_report_says_nothing_changed() -> None:
    """A checkpoint where no file changed prints one calm line and is falsy and ok."""
    report = Report()
    assert str(report) == "hotswap: nothing changed"
    assert report.summary_lines() == []
    assert report.ok is True
    assert not report


def test_reloaded_module_lists_changes_grouped_by_action() -> None:
    """The user sees one line per module: what was patched, added, removed, in source order."""
    report = Report(
        reloaded=["app"],
        changes=[
            *_patched("app", "f", "C.g"),
            *_patched("app", "h", action="added"),
            *_patched("app", "old", action="removed"),
        ],
    )
    assert report.summary_lines() == ["hotswap: reloaded app: patched f, C.g; added h; removed old"]
    assert str(report) == "hotswap: reloaded app: patched f, C.g; added h; removed old"
    assert report.ok is True
    assert report


def test_module_without_listed_changes_shows_no_change_list() -> None:
    """A module reloaded with nothing to list (its functions only shifted lines, which are not
    listed) is named alone."""
    report = Report(reloaded=["app"])
    assert str(report) == "hotswap: reloaded app"


def test_rerun_statements_are_named_in_text() -> None:
    """Re-run top-level statements appear in the text line under ``rerun``."""
    report = Report(reloaded=["cfg"], changes=_patched("cfg", "LIMIT", action="rerun"))
    assert str(report) == "hotswap: reloaded cfg: rerun LIMIT"


def test_a_name_touched_twice_is_listed_once() -> None:
    """Two changes of one kind on one object read as a single mention."""
    report = Report(reloaded=["app"], changes=_patched("app", "f", "f"))
    assert str(report) == "hotswap: reloaded app: patched f"


def test_long_change_lists_are_shortened() -> None:
    """More than six names of one kind are cut to six plus a count, keeping the line short."""
    names = [f"f{i}" for i in range(9)]
    report = Report(reloaded=["big"], changes=_patched("big", *names))
    assert str(report) == "hotswap: reloaded big: patched f0, f1, f2, f3, f4, f5 +3 more"


def test_changes_of_other_modules_stay_on_their_own_line() -> None:
    """Each reloaded module gets its own line with only its own changes."""
    report = Report(
        reloaded=["a", "b"],
        changes=[*_patched("a", "f"), *_patched("b", "g", action="added")],
    )
    assert report.summary_lines() == [
        "hotswap: reloaded a: patched f",
        "hotswap: reloaded b: added g",
    ]
    assert report.changes_of("b") == _patched("b", "g", action="added")
    assert report.changes_of("zzz") == []


def test_error_block_names_file_line_source_and_says_what_was_kept(tmp_path: Path) -> None:
    """A failed module reads as a short block, in every front-end: what failed and that the
    previous version was kept, where as a traceback says it, the line as saved, the error."""
    source = tmp_path / "app.py"
    source.write_text("x = 1\ndef f(:\n")
    problem = Problem("app", str(source), 2, "SyntaxError: invalid syntax")
    report = Report(failed=["app"], errors=[problem])
    assert report.ok is False
    assert report
    assert str(report) == (
        "hotswap: reloading app failed; kept the previous version\n"
        f'  File "{source}", line 2\n'
        "    def f(:\n"
        "  SyntaxError: invalid syntax"
    )


def test_error_without_line_shows_only_path() -> None:
    """When no line is known, the location is the path alone (no ``:None``)."""
    problem = Problem("app", "/src/app.py", None, "cannot read file")
    assert problem.location() == "/src/app.py"
    assert str(problem) == "app (/src/app.py): cannot read file"
    report = Report(failed=["app"], errors=[problem])
    assert report.summary_lines() == [
        "hotswap: reloading app failed; kept the previous version",
        '  File "/src/app.py"',
        "  cannot read file",
    ]


def test_failed_without_error_entry_is_not_ok() -> None:
    """A module listed as failed makes the report not ok even without an error entry."""
    assert Report(failed=["app"]).ok is False
    assert Report(errors=[Problem("app", "/a.py", 1, "boom")]).ok is False


def test_warning_lines_follow_module_lines() -> None:
    """Warnings come last, each naming module, place and the caveat; they do not spoil ``ok``."""
    warning = Problem(
        "app", "/src/app.py", 3, "C.__slots__ changed: old instances keep the old layout"
    )
    report = Report(reloaded=["app"], changes=_patched("app", "C"), warnings=[warning])
    assert report.ok is True
    assert report.summary_lines() == [
        "hotswap: reloaded app: patched C",
        "hotswap: warning: app (/src/app.py:3): C.__slots__ changed: old instances keep the"
        " old layout",
    ]
    assert Report(warnings=[warning])


def test_text_orders_reloaded_then_errors_then_warnings() -> None:
    """A mixed checkpoint reads successes first, then failures, then caveats."""
    report = Report(
        reloaded=["a"],
        failed=["b"],
        changes=_patched("a", "f"),
        errors=[Problem("b", "/b.py", 2, "NameError: name 'x' is not defined")],
        warnings=[Problem("a", "/a.py", 1, "careful")],
    )
    heads = [line for line in str(report).splitlines() if line.startswith("hotswap: ")]
    assert [line.split()[1] for line in heads] == ["reloaded", "reloading", "warning:"]
    assert heads[1] == "hotswap: reloading b failed; kept the previous version"


def test_html_lists_modules_and_visible_changes() -> None:
    """In a notebook the report is a small list: module in bold, each change coloured."""
    report = Report(
        reloaded=["app"],
        changes=[
            *_patched("app", "f"),
            *_patched("app", "X", action="rerun"),
            *_patched("app", "g", action="added"),
        ],
    )
    html = report._repr_html_()
    assert html.startswith('<details class="hotswap-report" open><summary>hotswap</summary>')
    assert html.endswith("</ul></details>")
    assert "<li><b>app</b>: " in html
    assert '<span style="color:#2a7">patched</span> <code>f</code>' in html
    assert '<span style="color:#27a">added</span> <code>g</code>' in html
    assert '<span style="color:#777">rerun</span> <code>X</code>' in html


def test_html_lists_rerun_statements_as_the_text_does() -> None:
    """A notebook shows the statements that ran again (``rerun C.__eq__, C.__hash__``), grouped
    by action in the order the text line gives, each name once."""
    report = Report(
        reloaded=["app"],
        changes=[
            *_patched("app", "C"),
            *_patched("app", "C.__eq__", "C.__hash__", "C.__eq__", action="rerun"),
            *_patched("app", "f", "f"),
        ],
    )
    assert str(report) == "hotswap: reloaded app: patched C, f; rerun C.__eq__, C.__hash__"
    html = report._repr_html_()
    assert (
        '<li><b>app</b>: <span style="color:#2a7">patched</span> <code>C</code>, <code>f</code>; '
        '<span style="color:#777">rerun</span> <code>C.__eq__</code>, <code>C.__hash__</code></li>'
    ) in html


def test_html_counts_names_beyond_six_as_the_text_does() -> None:
    """A save that patched many functions lists six and counts the rest, in HTML as in text."""
    names = [f"f{i}" for i in range(9)]
    report = Report(reloaded=["app"], changes=_patched("app", *names))
    assert str(report).endswith("f5 +3 more")
    assert "<code>f5</code> +3 more</li>" in report._repr_html_()
    assert "<code>f6</code>" not in report._repr_html_()


def test_html_escapes_names_and_messages() -> None:
    """Markup in qualnames or error messages is shown as text, never interpreted."""
    report = Report(
        reloaded=["app"],
        failed=["bad"],
        changes=_patched("app", "<lambda>"),
        errors=[Problem("bad", "/b.py", 1, "SyntaxError: '<' & '>'")],
        warnings=[Problem("app", "/a.py", 1, "<script>")],
    )
    html = report._repr_html_()
    assert "<code>&lt;lambda&gt;</code>" in html
    assert "SyntaxError: &#x27;&lt;&#x27; &amp; &#x27;&gt;&#x27;" in html
    assert "<script>" not in html
    assert "warning: app (/a.py:1): &lt;script&gt;" in html
    assert "reloading bad failed; kept the previous version" in html


def test_html_of_empty_report_says_nothing_changed() -> None:
    """An empty checkpoint renders as a single 'nothing changed' item."""
    assert "<li>nothing changed</li>" in Report()._repr_html_()


def test_html_module_without_visible_changes_has_no_colon() -> None:
    """A module with nothing to list is named without a trailing change list."""
    report = Report(reloaded=["app"])
    assert "<li><b>app</b></li>" in report._repr_html_()


def test_merge_combines_checkpoints_without_duplicate_modules() -> None:
    """Merging reports (one per module) yields one line per module and keeps every change."""
    first = Report(reloaded=["a"], changes=_patched("a", "f"))
    second = Report(
        reloaded=["a", "b"],
        failed=["c"],
        changes=_patched("b", "g"),
        errors=[Problem("c", "/c.py", 1, "boom")],
        warnings=[Problem("b", "/b.py", 1, "careful")],
    )
    first.merge(second)
    first.merge(Report(failed=["c"]))
    assert first.reloaded == ["a", "b"]
    assert first.failed == ["c"]
    assert [c.qualname for c in first.changes] == ["f", "g"]
    assert len(first.errors) == 1
    assert len(first.warnings) == 1
    assert first.ok is False


def test_public_types_show_the_public_module() -> None:
    """Reprs and docs name ``hotswap.Report``, not the private module it lives in."""
    for cls in (Report, Change, Problem):
        assert cls.__module__ == "hotswap"
        assert getattr(hotswap, cls.__name__) is cls
    assert repr(Change("m", "f", "patched", "m.py:1")) == (
        "Change(module='m', qualname='f', action='patched', where='m.py:1')"
    )


def test_activity_listings_name_each_change_once() -> None:
    """The one-line-per-change listings (``%autoreload -p`` in IPython, the REPL's verbose
    mode: one renderer) name a change once, even when several statements bound the name
    (``@overload`` stubs and their function)."""
    from hotswap._front.render import Show, lines, render

    report = Report(reloaded=["app"], changes=_patched("app", "f", "f", "g"))
    rendered = render(report, Show(verbose=True), color=False)
    assert rendered is not None
    listed = [line.strip() for line in rendered.plain.splitlines()[1:]]
    assert listed == ["patched app.f  (/src/app.py:1)", "patched app.g  (/src/app.py:1)"]
    verbose = [text.strip() for _style, text in lines(report, Show(verbose=True))[1:]]
    assert verbose == listed


def test_every_front_end_words_a_report_the_same(caplog: Any) -> None:
    """A reload, a failure and a warning read the same in the REPL and the runner (stderr), in
    IPython (terminal text, a notebook's text/plain), in the log and in ``str(report)``: one
    renderer makes the lines for all of them."""
    import io
    import logging

    from hotswap._front.render import Show, log, print_report, render

    report = Report(
        reloaded=["app"],
        failed=["broken"],
        changes=_patched("app", "f"),
        warnings=[Problem("app", "/src/app.py", 3, "C.__slots__ changed")],
        errors=[Problem("broken", "/src/broken.py", 2, "SyntaxError: invalid syntax")],
    )
    stream = io.StringIO()
    print_report(report, Show(), stream)
    rendered = render(report, Show(), color=False)
    assert rendered is not None
    caplog.set_level(logging.INFO, logger="hotswap")
    log(report, Show())
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "hotswap")
    assert stream.getvalue() == str(report) + "\n"
    assert rendered.plain == rendered.text == str(report) == logged
    assert rendered.out == "hotswap: reloaded app: patched f"
