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

# The shipped models first (list, comparison figure, held-out scores), then the whole pipeline
# on the bundled photos: fine-tune srresnet-x4 (interrupted at half and resumed), export
# every format with its parity table, upscale, and score the result against where it started.
demo: $(STAMP)
	$(VENV)/bin/srgan models
	$(VENV)/bin/srgan compare $(VAL_DIR)/coffee.png --model srresnet-x4 --model srgan-x4 \
		--out $(RUN_DIR)/comparison.png --crop 160
	$(VENV)/bin/srgan train --config finetune --run-dir $(RUN_DIR) --pretrain-steps 100 --verbose 2
	$(VENV)/bin/srgan train --config finetune --run-dir $(RUN_DIR) --verbose 2
	$(VENV)/bin/srgan export $(RUN_DIR) --out $(RUN_DIR)/export
	$(VENV)/bin/srgan upscale $(VAL_DIR)/chelsea.png --model $(RUN_DIR)/export/tflite/srgan_dynamic.tflite \
		--out $(RUN_DIR)/upscaled --overwrite
	$(PY) bench/quality.py srresnet-x4 srgan-x4 $(RUN_DIR)

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
