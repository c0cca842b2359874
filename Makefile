# The README's two commands. Each creates the virtual environment it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test demo docs check lint clean

$(BIN)/monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BIN)/monitor

## run: install and start the daemon on the shipped configuration
run: $(BIN)/monitor
	$(BIN)/monitor run

## test: install the test dependencies and run the whole suite
test: $(BIN)/monitor
	$(BIN)/python -m pytest

## demo: the offline tour
demo: $(BIN)/monitor
	$(BIN)/monitor demo

## docs: regenerate the README's configuration reference from config.py
docs: $(BIN)/monitor
	$(BIN)/python -c "from pathlib import Path; from monitor.config_reference import update_readme; update_readme(Path('README.md'))"

check: $(BIN)/monitor
	$(BIN)/monitor check

lint: $(BIN)/monitor
	$(BIN)/ruff check monitor tests bench

clean:
	rm -rf $(VENV) *.egg-info
