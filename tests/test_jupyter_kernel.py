"""``%load_ext hotswap`` in a real Jupyter kernel, driven over ZMQ like a notebook does.

An ``ipykernel`` process is started through ``jupyter_client`` from a kernel spec whose argv is
this interpreter (``sys.executable``), with the test's module directory as its working
directory and on ``PYTHONPATH``. The tests execute cells, edit files between them and read the
iopub messages a notebook would render: the HTML report, results, and tracebacks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from _ipython_support import ModuleDir, unique

pytestmark = pytest.mark.slow

_KERNEL = "hotswap-test-python"


@dataclass
class Outputs:
    """The iopub messages of one executed cell, sorted by what a notebook does with them."""

    status: str = ""
    html: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)  # text/plain of display_data
    results: list[str] = field(default_factory=list)  # text/plain of execute_result
    stdout: str = ""
    stderr: str = ""
    traceback: str = ""


class Kernel:
    """One running kernel and its client."""

    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client

    def run(self, code: str) -> Outputs:
        outputs = Outputs()

        def collect(message: dict[str, Any]) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "display_data":
                outputs.html.append(content["data"].get("text/html", ""))
                outputs.plain.append(content["data"].get("text/plain", ""))
            elif kind == "execute_result":
                outputs.results.append(content["data"]["text/plain"])
            elif kind == "stream":
                if content["name"] == "stdout":
                    outputs.stdout += content["text"]
                else:
                    outputs.stderr += content["text"]
            elif kind == "error":
                outputs.traceback = "\n".join(content["traceback"])

        reply = self.client.execute_interactive(code, output_hook=collect, timeout=60)
        outputs.status = reply["content"]["status"]
        return outputs


@pytest.fixture
def kernel_dir(tmp_path: Path) -> ModuleDir:
    return ModuleDir(tmp_path / "work")


@contextlib.contextmanager
def running_kernel(tmp_path: Path, work: Path, profile_config: str = "") -> Iterator[Kernel]:
    """Start a kernel of the venv's python in ``work``; ``profile_config`` goes in its profile."""
    spec_dir = tmp_path / "kernels" / _KERNEL
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "hotswap test", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ipython_dir = tmp_path / "ipython"
    if profile_config:
        profile = ipython_dir / "profile_default"
        profile.mkdir(parents=True)
        (profile / "ipython_config.py").write_text(profile_config)
    manager = KernelManager(
        kernel_name=_KERNEL,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir.parent)]),
        connection_file=str(tmp_path / "connection.json"),
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(work), os.environ.get("PYTHONPATH")])),
        "IPYTHONDIR": str(ipython_dir),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    manager.start_kernel(cwd=str(work), env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path: Path, kernel_dir: ModuleDir) -> Iterator[Kernel]:
    """A kernel running the venv's python, with the module directory importable."""
    with running_kernel(tmp_path, kernel_dir.root) as running:
        yield running


def test_kernel_uses_this_interpreter_and_module_dir(kernel: Kernel, kernel_dir: ModuleDir) -> None:
    """The kernel runs the venv's python with the test's module directory as cwd."""
    out = kernel.run("import os, sys; print(sys.executable); print(os.getcwd())")
    assert out.stdout.splitlines() == [sys.executable, str(kernel_dir.root)]


def test_kernel_reload_renders_html_report(kernel: Kernel, kernel_dir: ModuleDir) -> None:
    """In a notebook the reload shows as compact HTML naming the module and what was patched."""
    name = kernel_dir.write("def f():\n    return 1\n\ndef old():\n    return 0\n")
    assert kernel.run(f"%load_ext hotswap\nimport {name}\nfrom {name} import f").status == "ok"
    kernel_dir.edit(name, "def f():\n    return 2\n\ndef new():\n    return 3\n")
    out = kernel.run("f()")
    assert out.status == "ok"
    assert out.results == ["2"]
    assert len(out.html) == 1
    html = out.html[0]
    assert 'class="hotswap-report"' in html and f"<b>{name}</b>" in html
    for action, obj in (("patched", "f"), ("added", "new"), ("removed", "old")):
        assert f">{action}</span> <code>{obj}</code>" in html, html
    # The text/plain part (jupyter console, the saved notebook) carries no terminal escapes.
    assert out.plain == [f"hotswap: reloaded {name}: patched f; added new; removed old"]
    assert out.stderr == ""
    quiet = kernel.run("1 + 1")
    assert quiet.html == [] and quiet.stdout == "" and quiet.results == ["2"]


def test_kernel_failed_edit_then_fix(kernel: Kernel, kernel_dir: ModuleDir) -> None:
    """A broken save shows one red HTML block and keeps the old code; the fix reloads it."""
    name = kernel_dir.write("def f():\n    return 1\n")
    assert kernel.run(f"%load_ext hotswap\nimport {name}").status == "ok"
    path = kernel_dir.edit(name, "def f():\n    return (1 +\n")
    broken = kernel.run(f"{name}.f()")
    assert broken.status == "ok" and broken.results == ["1"]
    assert len(broken.html) == 1
    assert "kept the previous version" in broken.html[0]
    assert str(path) in broken.html[0]
    assert broken.stderr == "" and broken.traceback == ""
    again = kernel.run(f"{name}.f()")
    assert again.html == [] and again.results == ["1"]  # shown once, not before every cell
    kernel_dir.edit(name, "def f():\n    return 2\n")
    fixed = kernel.run(f"{name}.f()")
    assert fixed.results == ["2"]
    assert len(fixed.html) == 1 and ">patched</span> <code>f</code>" in fixed.html[0]
    assert "kept the previous version" not in fixed.html[0]


def test_kernel_traceback_shows_new_source_line(kernel: Kernel, kernel_dir: ModuleDir) -> None:
    """An error from reloaded code shows the edited line and its new number in the notebook."""
    name = kernel_dir.write("def f():\n    return 1\n")
    assert kernel.run(f"%load_ext hotswap\n%colors nocolor\nimport {name}").status == "ok"
    kernel_dir.edit(name, "\n\n\ndef f():\n    return {}['missing key']\n")
    out = kernel.run(f"{name}.f()")
    assert out.status == "error"
    assert "KeyError" in out.traceback
    assert "return {}['missing key']" in out.traceback
    assert "----> 5" in out.traceback


def test_kernel_magics_and_status(kernel: Kernel, kernel_dir: ModuleDir) -> None:
    """%autoreload, %aimport and %hotswap work in the kernel as in terminal IPython."""
    name = unique()
    kernel_dir.write("def f():\n    return 1\n", name)
    setup = kernel.run(f"%load_ext hotswap\n%autoreload 1\n%aimport {name} as m")
    assert setup.status == "ok", setup.stderr
    kernel_dir.edit(name, "def f():\n    return 2\n")
    assert kernel.run("m.f()").results == ["2"]
    status = kernel.run("%hotswap")
    assert "mode explicit" in status.stdout and f"included: {name}" in status.stdout
    bad = kernel.run("%autoreload 9")
    assert "UsageError: %autoreload: unrecognized mode '9'" in bad.stderr + bad.traceback


def test_kernel_loads_extension_from_profile(tmp_path: Path, kernel_dir: ModuleDir) -> None:
    """The profile line in ipython_config.py also loads hotswap in Jupyter kernels."""
    name = kernel_dir.write("def f():\n    return 1\n")
    config = 'c = get_config()\nc.InteractiveShellApp.extensions = ["hotswap"]\n'
    with running_kernel(tmp_path, kernel_dir.root, config) as kernel:
        assert kernel.run(f"import {name}").status == "ok"
        kernel_dir.edit(name, "def f():\n    return 2\n")
        out = kernel.run(f"{name}.f()")
        assert out.results == ["2"]
        assert len(out.html) == 1 and ">patched</span> <code>f</code>" in out.html[0]
