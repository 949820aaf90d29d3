# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    := out
CODE   := compiler runtime documents linkage etsl

.PHONY: install demo test lint bench vsix workbench-editor clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark,lsp,serve]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python -m etsl.demo --out $(OUT)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile
	$(BIN)/etsl check schemes/
	$(BIN)/etsl fmt --check schemes/
	$(BIN)/etsl test schemes/

# mypy checks the installed layout (etsl.compiler, etsl.runtime, …) through a symlink tree.
lint: install
	$(BIN)/ruff check $(CODE) tests bench
	$(BIN)/ruff format --check $(CODE)
	rm -rf .typecheck && mkdir -p .typecheck/etsl
	for f in etsl/*.py; do ln -s ../../$$f .typecheck/etsl/; done
	for d in commands lsp serve; do ln -s ../../etsl/$$d .typecheck/etsl/$$d; done
	for d in compiler runtime documents linkage grammar schemes; do ln -s ../../$$d .typecheck/etsl/$$d; done
	MYPYPATH=.typecheck $(BIN)/mypy -p etsl

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,spark,lsp,serve,bench]'
	$(BIN)/python bench/run.py

# The VS Code extension (editors/vscode): its TextMate grammar generated from the ETSL grammar,
# packaged with the vsce installed under the folder (npm ci; nothing global).
vsix: install
	mkdir -p $(OUT)
	$(BIN)/python -m etsl.highlight > editors/vscode/syntaxes/etsl.tmLanguage.json
	cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error \
	  && npx vsce package --skip-license --allow-missing-repository -o ../../$(OUT)/etsl.vsix

# The workbench's CodeMirror bundle (etsl/serve/static/editor.js) is committed, so that
# installing and testing need no Node; rebuild it after changing editors/workbench.
workbench-editor:
	cd editors/workbench && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
