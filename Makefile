# Two entry points for a fresh machine (see README): `make demo` and `make test`.
# Both create or reuse .venv and install the package with what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_DIR ?= runs/demo
VAL_DIR := srgan_tf/assets/photos/val

.PHONY: demo test lint format bench clean

$(STAMP): setup.py setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[export,dev]'
	touch $(STAMP)

# Train (stage 1 SRResNet, stage 2 SRGAN) on the bundled photos — stopped after stage 1 and
# resumed, as a killed run would be — export and verify every format, upscale a held-out photo
# with the exported TFLite model, draw the comparison figure and score the run against bicubic.
demo: $(STAMP)
	$(VENV)/bin/srgan train --config demo --run-dir $(RUN_DIR) --steps 0 --verbose 2
	$(VENV)/bin/srgan train --config demo --run-dir $(RUN_DIR) --verbose 2
	$(VENV)/bin/srgan export $(RUN_DIR) --out $(RUN_DIR)/export
	$(VENV)/bin/srgan upscale $(VAL_DIR)/chelsea.png --model $(RUN_DIR)/export/tflite/srgan_dynamic.tflite \
		--out $(RUN_DIR)/upscaled --overwrite
	$(VENV)/bin/srgan compare $(VAL_DIR)/coffee.png --model $(RUN_DIR)/srresnet.keras \
		--model $(RUN_DIR)/generator.keras --out $(RUN_DIR)/samples/comparison.png --crop 160
	$(PY) bench/quality.py $(RUN_DIR)/srresnet.keras $(RUN_DIR)

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
