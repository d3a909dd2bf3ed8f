# The two commands a newcomer runs (README): `make demo` and `make test`.
# Both create .venv, install kpireport with its extras, and install the system libraries
# WeasyPrint needs plus Japanese and Latin fonts from Debian's packages when they are missing.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
	fonts-ipaexfont-gothic fonts-liberation2 poppler-utils
# Only the test suite drives a browser and opens the deck and the workbook in LibreOffice, as
# the board's PCs would: the demo needs neither.
TEST_PACKAGES := chromium libreoffice-calc libreoffice-impress
OUT ?= out

.PHONY: demo test lint bench system-deps clean

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m compileall -q kpireport
	touch $@

demo: system-deps $(STAMP)
	$(VENV)/bin/kpireport build sample_workbooks/*.xlsx -o $(OUT) --format pdf,html,json,pptx,xlsx
	@echo "The packs are in $(OUT)/ (open the .pdf or .html; the .pptx deck and .xlsx metrics for board prep)."

lint: $(STAMP)
	$(VENV)/bin/ruff check kpireport tests bench
	$(VENV)/bin/ruff format --check kpireport tests bench
	$(VENV)/bin/mypy

test: $(STAMP) lint
	$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(SYSTEM_PACKAGES) $(TEST_PACKAGES)"
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

# The benchmark compares against LibreOffice's own PDF export, so it installs it too, and
# compiles kpireport's bytecode first: an editable install under PYTHONDONTWRITEBYTECODE
# would otherwise recompile the package in every process it times.
bench: $(STAMP)
	$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(SYSTEM_PACKAGES) libreoffice-calc"
	$(PY) -m compileall -q kpireport
	$(PY) bench/run.py --write bench/RESULTS.md

clean:
	rm -rf $(VENV) $(OUT) build dist .pytest_cache .mypy_cache .ruff_cache
