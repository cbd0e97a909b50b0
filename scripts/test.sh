#!/usr/bin/env bash
# Runs the whole check suite: ruff lint, ruff format check, mypy, then pytest (arguments go to
# pytest).
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh tests/browser -x
#   bash scripts/test.sh -n 0 tests/x.py  # in this one process (a debugger, -s output)
#
# pytest runs on TEST_JOBS processes (pytest-xdist, default 2), each taking whole test files
# (--dist loadfile): a file's module and session fixtures (a built site, a browser) are made
# once in the process that runs it, in the order tests/conftest.py collects them (longest files
# first; xdist's own reorder by test count would leave the one-test PDF file for last). A later
# -n of the arguments overrides TEST_JOBS.
#
# Every stage runs even if an earlier one failed, so one run shows all problems; the exit code
# is non-zero if any stage failed. Run scripts/setup.sh first.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
VENV=.venv
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "test: error: $VENV not found; run: bash scripts/setup.sh" >&2
    exit 2
fi

failed=()

echo "==> ruff check ."
"$VENV/bin/ruff" check . || failed+=("ruff check")

echo "==> ruff format --check ."
"$VENV/bin/ruff" format --check . || failed+=("ruff format")

echo "==> mypy (strict, pyproject.toml [tool.mypy])"
"$VENV/bin/mypy" || failed+=("mypy")

xdist=(-n "${TEST_JOBS:-2}" --dist loadfile --no-loadscope-reorder)
echo "==> pytest ${xdist[*]} $*"
"$VENV/bin/python" -m pytest "${xdist[@]}" "$@" || failed+=("pytest")

if ((${#failed[@]})); then
    echo "test: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test: all checks passed"
