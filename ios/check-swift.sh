#!/usr/bin/env bash
# Parses every Swift file of the iPhone app with tree-sitter-swift (no Xcode
# needed), checks the layering and the string catalog (see check-swift.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/scripts/lib/with-grammars.sh" "$root/ios/check-swift.py" "$@"
