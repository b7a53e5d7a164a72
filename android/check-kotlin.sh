#!/usr/bin/env bash
# Parses every Kotlin file of the Android app with tree-sitter-kotlin (no
# Android SDK needed) and checks the layering (see check-kotlin.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/scripts/lib/with-grammars.sh" "$root/android/check-kotlin.py" "$@"
