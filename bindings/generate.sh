#!/usr/bin/env bash
# Builds the cloudtrial-ffi library and generates its Kotlin and Swift bindings
# from it. Android Studio (a Gradle task) and Xcode (a build phase) call this.
#
#   bindings/generate.sh [--release] [--target TRIPLE] [--out DIR] [--language kotlin|swift]...
#
# Without --out the bindings go to bindings/generated/{kotlin,swift}. The
# generated code is not committed. For Android, build the per-ABI libraries
# with cargo-ndk (see android/README.md) and generate once from any of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile=debug
target=""
out="$root/bindings/generated"
languages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release ;;
    --target) target="$2"; shift ;;
    --out) out="$2"; shift ;;
    --language) languages+=("$2"); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#languages[@]} -gt 0 ] || languages=(kotlin swift)

cargo_args=(-p cloudtrial-ffi --locked)
[ "$profile" = release ] && cargo_args+=(--release)
[ -n "$target" ] && cargo_args+=(--target "$target")
(cd "$root" && cargo build "${cargo_args[@]}")

target_dir="${CARGO_TARGET_DIR:-$root/target}"
lib_dir="$target_dir/${target:+$target/}$profile"
case "$(uname -s)" in
  Darwin) lib="$lib_dir/libcloudtrial_ffi.dylib" ;;
  *) lib="$lib_dir/libcloudtrial_ffi.so" ;;
esac
[ -f "$lib" ] || lib="$lib_dir/libcloudtrial_ffi.a"

for language in "${languages[@]}"; do
  rm -rf "${out:?}/$language"
  mkdir -p "$out/$language"
  (cd "$root" && cargo run --locked -q -p uniffi-bindgen -- generate --no-format \
      --library "$lib" --language "$language" --out-dir "$out/$language")
done
echo "bindings for ${languages[*]} from $lib in $out"
