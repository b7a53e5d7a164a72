#!/usr/bin/env bash
# Parses every Swift file of the iPhone app with tree-sitter-swift (no Xcode
# needed), checks the layering and the string catalog (see check-swift.py).
# Installs the grammar from PyPI into .tools/ (ignored) the first time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/swift-grammar"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter, tree_sitter_swift" 2>/dev/null; then
  echo "installing tree-sitter and tree-sitter-swift from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4"
fi
exec "$venv/bin/python" "$root/ios/check-swift.py"
