#!/usr/bin/env bash
# Builds the cloudtrial-ffi library and generates its Kotlin and Swift bindings
# from it. Android Studio (a Gradle task) and Xcode (a build phase) call this.
#
#   bindings/generate.sh [--release] [--target TRIPLE] [--out DIR] [--language kotlin|swift]... [--no-build]
#
# --no-build uses the library and uniffi-bindgen already built (for example by
# `cargo build --workspace`, as the test scripts do).
#
# Without --out the bindings go to bindings/generated/{kotlin,swift}. The
# generated code is not committed. For Android, build the per-ABI libraries
# with cargo-ndk (see android/README.md) and generate once from any of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile=debug
build=true
target=""
out="$root/bindings/generated"
languages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release ;;
    --target) target="$2"; shift ;;
    --out) out="$2"; shift ;;
    --language) languages+=("$2"); shift ;;
    --no-build) build=false ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#languages[@]} -gt 0 ] || languages=(kotlin swift)

cargo_args=(--locked)
[ "$profile" = release ] && cargo_args+=(--release)
if $build; then
  if [ -n "$target" ]; then
    # The library for the device; the generator for this machine.
    (cd "$root" && cargo build "${cargo_args[@]}" -p cloudtrial-ffi --target "$target")
    (cd "$root" && cargo build "${cargo_args[@]}" -p uniffi-bindgen)
  else
    (cd "$root" && cargo build "${cargo_args[@]}" -p cloudtrial-ffi -p uniffi-bindgen)
  fi
fi

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
  "$target_dir/$profile/uniffi-bindgen" generate --no-format \
      --library "$lib" --language "$language" --out-dir "$out/$language"
done
echo "bindings for ${languages[*]} from $lib in $out"
