#!/usr/bin/env bash
# No Swift compiler exists on Linux build machines here, so this checks what
# can be checked of the Swift bindings: they generate from the built library,
# their C header compiles, and every function the header declares links
# against the library and resolves at run time (the symbols Swift will call).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/swift-check"
mkdir -p "$work"

(cd "$root" && cargo build --locked --workspace)
"$root/bindings/generate.sh" --no-build --language swift --out "$work/generated"
header="$work/generated/swift/CloudTrialCoreFFI.h"
[ -s "$work/generated/swift/CloudTrialCore.swift" ] || { echo "no Swift source generated" >&2; exit 1; }

functions=$(grep -oE '\b(uniffi|ffi)_cloudtrial_ffi_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
count=$(echo "$functions" | wc -l)
{
  echo '#include <stdio.h>'
  echo '#include "CloudTrialCoreFFI.h"'
  echo 'static void *const symbols[] = {'
  for f in $functions; do echo "    (void *)&$f,"; done
  echo '};'
  echo 'int main(void) {'
  echo '    size_t n = sizeof symbols / sizeof symbols[0];'
  echo '    for (size_t i = 0; i < n; i++) if (!symbols[i]) return 1;'
  echo '    printf("%zu FFI functions resolved\n", n);'
  echo '    return 0;'
  echo '}'
} >"$work/symbols.c"

gcc -std=c11 -Wall -Werror -D_Nullable= -D_Nonnull= -I "$work/generated/swift" \
  "$work/symbols.c" -L "$target_dir/debug" -lcloudtrial_ffi -o "$work/symbols"
LD_LIBRARY_PATH="$target_dir/debug" "$work/symbols"
[ "$count" -gt 20 ] || { echo "suspiciously few functions in the header: $count" >&2; exit 1; }
echo "Swift bindings generated; header compiles; $count symbols link"
