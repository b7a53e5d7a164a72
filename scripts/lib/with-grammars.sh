#!/usr/bin/env bash
# Runs a Python check with tree-sitter and the Kotlin and Swift grammars from
# PyPI, installed into .tools/grammars (ignored) the first time.
#   scripts/lib/with-grammars.sh CHECK.py [arguments...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.tools/grammars"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter, tree_sitter_kotlin, tree_sitter_swift" 2>/dev/null; then
  echo "installing tree-sitter, tree-sitter-kotlin and tree-sitter-swift from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "tree-sitter==0.26.1" "tree-sitter-kotlin==1.1.0" "tree-sitter-swift==0.7.4"
fi
PYTHONPATH="$root/scripts/lib${PYTHONPATH:+:$PYTHONPATH}" exec "$venv/bin/python" "$@"
