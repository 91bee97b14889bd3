# Two commands: `make demo` and `make test` (see README.md).
PYENV_ROOT ?= $(HOME)/.pyenv
# The oldest supported Python builds .venv; other supported versions found under pyenv get .venv-3.X.
PY311 := $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3.11) $(shell command -v python3.11))
EXTRA_PYTHONS := $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3.12)) \
                 $(firstword $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3.13))
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2  # two workers: the machines here have two cores
# The long differential suites (the IPython-vs-plain corpus comparison, the fuzz slice, the soak)
# run on the oldest Python only, to keep CI under 15 minutes; everything else runs on every one.
OTHERS_ARGS ?= --ignore=tests/test_ipython_corpus.py --ignore=tests/test_fuzz.py \
               --ignore=tests/test_soak.py

.PHONY: demo test lint pytest pytest-others bench fuzz clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
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

clean:
	rm -rf .venv .venv-3.* .mypy_cache .pytest_cache .ruff_cache
