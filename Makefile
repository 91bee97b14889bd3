# Two commands: `make demo` and `make test` (see README.md).
PYENV_ROOT ?= $(HOME)/.pyenv
SUPPORTED := 3.11 3.12 3.13
# Every supported interpreter found, oldest first: pyenv's builds, then the PATH. Each candidate is
# run once, so a pyenv shim for a version that is not installed does not count.
FOUND_PYTHONS := $(shell for v in $(SUPPORTED); do \
    for p in $(PYENV_ROOT)/versions/$$v*/bin/python$$v $$(command -v python$$v); do \
      if [ -x "$$p" ] && "$$p" -c 'import venv' >/dev/null 2>&1; then echo "$$p"; break; fi; \
    done; done)
# The oldest supported Python found builds .venv; the others get .venv-3.X for `make test`.
BASE_PY := $(firstword $(FOUND_PYTHONS))
EXTRA_PYTHONS := $(wordlist 2,$(words $(FOUND_PYTHONS)),$(FOUND_PYTHONS))
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2  # two workers: the machines here have two cores
# The long differential suites (the IPython-vs-plain corpus comparison, the fuzz slice, the soak),
# the benchmark smoke run (`make bench` runs on .venv's Python) and the wheel install (a
# py3-none-any wheel; what it runs is tested on every Python by the CLI, IPython and REPL tests)
# run on the oldest Python only, to keep CI under 15 minutes; everything else runs on every one.
OTHERS_ARGS ?= --ignore=tests/test_ipython_corpus.py --ignore=tests/test_fuzz.py \
               --ignore=tests/test_soak.py --ignore=tests/test_bench_smoke.py \
               --ignore=tests/test_install.py

.PHONY: demo test lint pytest pytest-others bench fuzz replay checkouts clean python

# Says which Python is used, or what to install when none is found.
python:
	@if [ -z "$(BASE_PY)" ]; then \
	  echo "hotswap needs Python 3.11, 3.12 or 3.13, and none was found (looked for python3.11," \
	       "python3.12 and python3.13 on PATH and under $(PYENV_ROOT)/versions)."; \
	  echo "Install one (for example 'pyenv install 3.13', or your system's python3.13 and" \
	       "python3.13-venv packages) and run make again."; \
	  exit 1; \
	fi
	@echo "Using $(BASE_PY) ($$($(BASE_PY) -c 'import sys; print("Python %d.%d.%d" % sys.version_info[:3])'))"

# The package alone (what the demo needs), then the development tools on top (what the tests need).
$(VENV)/.package: pyproject.toml | python
	test -x $(PY) || $(BASE_PY) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed: $(VENV)/.package
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.package
	$(PY) -m hotswap demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Every other supported interpreter pyenv has: its own venv, the same suite.
pytest-others:
	@set -e; for py in $(EXTRA_PYTHONS); do \
	  v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  venv=.venv-$$v; \
	  if [ ! -f $$venv/.installed ] || [ pyproject.toml -nt $$venv/.installed ]; then \
	    test -x $$venv/bin/python || $$py -m venv $$venv; \
	    $$venv/bin/python -m pip install -q --upgrade pip; \
	    $$venv/bin/python -m pip install -q -e '.[dev]'; \
	    touch $$venv/.installed; \
	  fi; \
	  echo "== pytest on Python $$v"; \
	  $$venv/bin/python -m pytest $(PYTEST_ARGS) $(OTHERS_ARGS); \
	done

test: lint pytest pytest-others

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

fuzz: $(VENV)/.installed
	$(PY) -m pytest tests/test_fuzz.py -p no:cacheprovider --fuzz-examples=10000

# Commit replay (docs/replay.md; outside CI): REPOS are git work trees or git directories, read
# at run time. Without REPOS, bare clones of the default projects are made under build/.
# IPYTHON_REPO=/path/to/ipython also runs IPython's own autoreload tests through hotswap.
REPLAY_PROJECTS := pallets/click python-attrs/attrs more-itertools/more-itertools
# 12 steps per project fit about 20 minutes each on a loaded two-CPU machine (docs/replay.md).
COMMITS ?= 12
replay: $(VENV)/.installed
	@set -e; status=0; repos="$(REPOS)"; \
	if [ -z "$$repos" ]; then for p in $(REPLAY_PROJECTS); do \
	  d=build/replay-repos/$${p#*/}; \
	  test -d $$d || git clone -q --bare https://github.com/$$p $$d; \
	  repos="$$repos $$d"; \
	done; fi; \
	$(PY) benchmarks/replay.py $$repos --commits $(COMMITS) $(REPLAY_ARGS) || status=1; \
	if [ -n "$(IPYTHON_REPO)" ]; then $(PY) benchmarks/ipython_autoreload.py $(IPYTHON_REPO); fi; \
	exit $$status

# Branch checkouts of real projects, live session vs fresh interpreter (benchmarks/checkouts.py,
# docs/replay.md; outside CI): PyPI releases cached under build/. PAIRS="dist==OLD..NEW ..."
checkouts: $(VENV)/.installed
	$(PY) benchmarks/checkouts.py $(PAIRS)

clean:
	rm -rf .venv .venv-3.* .mypy_cache .pytest_cache .ruff_cache
