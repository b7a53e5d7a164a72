#!/usr/bin/env bash
# Runs a Python program with aiortc (an independent WebRTC implementation) and
# numpy and websockets from PyPI, installed into .tools/aiortc (ignored) the first time.
#   tests/interop/with-aiortc.sh PROGRAM.py [arguments...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.tools/aiortc"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import aiortc, av, numpy, websockets" 2>/dev/null; then
  echo "installing aiortc, numpy and websockets from PyPI into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "aiortc==1.16.0" "av==18.1.0" "numpy==2.4.6" "websockets==17.4" >&2
fi
exec "$venv/bin/python" "$@"
