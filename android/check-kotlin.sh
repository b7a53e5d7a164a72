#!/usr/bin/env bash
# Parses every Kotlin file of the Android app with tree-sitter-kotlin (no
# Android SDK needed) and checks the layering (see check-kotlin.py). Installs
# the grammar from PyPI into .tools/ (ignored) the first time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/kotlin-grammar"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter, tree_sitter_kotlin" 2>/dev/null; then
  echo "installing tree-sitter and tree-sitter-kotlin from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "tree-sitter==0.26.1" "tree-sitter-kotlin==1.1.0"
fi
exec "$venv/bin/python" "$root/android/check-kotlin.py"
