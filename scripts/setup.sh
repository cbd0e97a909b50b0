#!/usr/bin/env bash
# Sets up a development or CI machine for site_builder, from a fresh clone, and builds the
# example site. Safe to run again: every step checks before it does anything.
#
#   bash scripts/setup.sh
#
# Environment:
#   SITE_BUILDER_SKIP_SYSTEM=1   do not look at or install Debian packages
#   PYTHON=python3.11            interpreter for the virtual environment (default: python3)
#
# It never runs `playwright install`: that downloads a browser build of its own, which this
# project's machines cannot fetch. The browser tests drive Debian's /usr/bin/chromium instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

# Prints a sha256 of the given files, to tell whether a step's inputs changed since it last ran.
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- 1. System packages ------------------------------------------------------------------------
# chromium: real-browser tests (Playwright drives /usr/bin/chromium).
# fonts-noto-cjk: Chinese glyphs in that browser (screenshots, layout checks).
# default-jre-headless: the W3C Nu HTML checker (vnu.jar) runs on Java.
# poppler-utils: pdftoppm draws a PDF page for the README's screenshot (scripts/screenshots.py).
# nodejs/npm: only if the machine has no npm at all (the machine image normally ships it).
system_packages() {
    if [[ "${SITE_BUILDER_SKIP_SYSTEM:-}" == 1 ]]; then
        step "System packages: skipped (SITE_BUILDER_SKIP_SYSTEM=1)"
        return
    fi
    step "System packages"
    local missing=()
    if [[ ! -x /usr/bin/chromium ]]; then
        missing+=(chromium)
    fi
    if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'; then
        missing+=(fonts-noto-cjk)
    fi
    if ! java -version >/dev/null 2>&1; then
        missing+=(default-jre-headless)
    fi
    if ! command -v npm >/dev/null 2>&1; then
        missing+=(nodejs npm)
    fi
    if ! command -v pdftoppm >/dev/null 2>&1; then
        missing+=(poppler-utils)
    fi
    if ((${#missing[@]} == 0)); then
        note "chromium, fonts-noto-cjk, java, npm and poppler-utils are present"
        return
    fi
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        note "installing: ${missing[*]} (apt-get; this can take a few minutes)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        note "installed: ${missing[*]}"
    else
        note "missing: ${missing[*]}"
        note "install them as root, e.g.:"
        note "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
        note "(continuing; the browser tests need chromium, npm is needed below)"
    fi
}

# --- 2. Front-end files from npm -----------------------------------------------------------------
# package-lock.json pins the exact ECharts, axe-core and vnu-jar builds. ECharts is shipped inside
# the package (site_builder/vendor/, added to the wheel and sdist by hatch_build.py) so built
# sites never need a CDN;
# axe-core is injected by the browser tests only; vnu-jar (the W3C Nu Html Checker) is run on Java
# from node_modules/vnu-jar/build/dist/vnu.jar by tests/test_html_valid.py.
npm_vendor() {
    step "Front-end files (npm ci: echarts, axe-core, vnu-jar)"
    command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js and npm (Debian: nodejs npm)"
    local want stamp="node_modules/.site_builder_lock_sha256"
    want="$(digest package.json package-lock.json)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        note "node_modules is up to date with package-lock.json"
    else
        npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
        echo "$want" >"$stamp"
    fi
    # the files the package ships, checked against the sha256 in site_builder/vendor/MANIFEST.json
    # (the same step the wheel and sdist builds run: hatch_build.py)
    "$PYTHON" hatch_build.py | sed 's/^/    /'
    mkdir -p tests/vendor
    cp node_modules/axe-core/axe.min.js tests/vendor/axe.min.js
    note "tests/vendor/axe.min.js"
}

# --- 3. Python environment ---------------------------------------------------------------------
# The versions the suite was proven with: requirements-dev.lock (compiled from pyproject.toml with
# its dev extra, every file's sha256 checked), then the package itself, editable, without
# resolving anything again. pyproject.toml keeps ranges for people who install the tool.
python_env() {
    step "Python environment (.venv from requirements-dev.lock, pip install -e .)"
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PYTHON" -m venv "$VENV"
        note "created .venv with $("$VENV/bin/python" --version)"
    fi
    local want stamp="$VENV/.site_builder_lock_sha256"
    want="$(digest pyproject.toml requirements-dev.lock)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
        "$VENV/bin/python" -c 'import site_builder' >/dev/null 2>&1; then
        note "dependencies are up to date with requirements-dev.lock"
    else
        local pip=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
        "${pip[@]}" install --require-hashes -r requirements-dev.lock
        "${pip[@]}" install --no-deps --no-build-isolation -e .
        echo "$want" >"$stamp"
        note "installed the locked dependencies and site_builder (editable)"
    fi
}

# --- 4. Example site ---------------------------------------------------------------------------
build_example() {
    step "Building the example site (.venv/bin/site-builder build)"
    "$VENV/bin/site-builder" build
    note "built into output/. To look at it:"
    note "  .venv/bin/site-builder serve                 (live preview, reloads on every save)"
    note "  python3 -m http.server -d output 8000        (then open http://127.0.0.1:8000/)"
}

start=$SECONDS
system_packages
npm_vendor
python_env
build_example
step "Setup done in $((SECONDS - start))s. Run the tests with: bash scripts/test.sh"
