#!/usr/bin/env bash
# Runs the whole check suite: ruff lint, ruff format check, mypy, then pytest (arguments go to
# pytest).
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh tests/browser -x
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

echo "==> pytest $*"
"$VENV/bin/python" -m pytest "$@" || failed+=("pytest")

if ((${#failed[@]})); then
    echo "test: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test: all checks passed"
