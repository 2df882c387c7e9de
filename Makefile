# Two entry points for a fresh machine (see README): `make demo` and `make test`.
# Both create or reuse .venv and install the package with what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_DIR ?= runs/demo

.PHONY: demo test lint format bench clean

$(STAMP): setup.py setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[export,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/srgan summary --config demo
	$(VENV)/bin/srgan summary --config srgan_x4

lint: $(STAMP)
	$(VENV)/bin/ruff check srgan_tf tests bench training export
	$(VENV)/bin/ruff format --check srgan_tf tests bench training export

format: $(STAMP)
	$(VENV)/bin/ruff format srgan_tf tests bench training export
	$(VENV)/bin/ruff check --fix srgan_tf tests bench training export

test: lint
	$(PY) -m pytest -q --durations=10

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
