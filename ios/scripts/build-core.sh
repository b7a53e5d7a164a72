#!/usr/bin/env bash
# Xcode's "Build Rust core" phase (and usable by hand on a Mac): builds
# cloudtrial-ffi as a static library for the device and the simulator, wraps
# them in an XCFramework with the generated C header and module map, and
# generates the Swift bindings into CloudTrialKit/Generated (never committed).
#
#   ios/scripts/build-core.sh [debug|release]     (default: release when CONFIGURATION=Release)
#
# Needs rustup with: rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kit="$root/ios/CloudTrialKit"
out="$kit/Generated"
profile="${1:-$( [ "${CONFIGURATION:-Debug}" = Release ] && echo release || echo debug )}"
cargo_profile=(); [ "$profile" = release ] && cargo_profile=(--release)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# Xcode runs phases with a minimal PATH.
export PATH="$HOME/.cargo/bin:/opt/homebrew/bin:/usr/local/bin:$PATH"

cd "$root"
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  IPHONEOS_DEPLOYMENT_TARGET=17.0 cargo build --locked "${cargo_profile[@]}" -p cloudtrial-ffi --target "$target"
done
# The generator runs here; it reads the API from any of the libraries.
cargo build --locked "${cargo_profile[@]}" -p uniffi-bindgen
generated="$target_dir/ios-bindings"
rm -rf "$generated"
"$target_dir/$profile/uniffi-bindgen" generate --no-format \
  --library "$target_dir/aarch64-apple-ios/$profile/libcloudtrial_ffi.a" --language swift --out-dir "$generated"

headers="$target_dir/ios-headers"
rm -rf "$headers" && mkdir -p "$headers"
cp "$generated/CloudTrialCoreFFI.h" "$headers/"
cp "$generated/CloudTrialCoreFFI.modulemap" "$headers/module.modulemap"

# One simulator library for both Mac architectures.
sim="$target_dir/ios-simulator/$profile"
mkdir -p "$sim"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/libcloudtrial_ffi.a" \
  "$target_dir/x86_64-apple-ios/$profile/libcloudtrial_ffi.a" \
  -output "$sim/libcloudtrial_ffi.a"

mkdir -p "$out/CloudTrialCore"
rm -rf "$out/CloudTrialCoreFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/$profile/libcloudtrial_ffi.a" -headers "$headers" \
  -library "$sim/libcloudtrial_ffi.a" -headers "$headers" \
  -output "$out/CloudTrialCoreFFI.xcframework"
cp "$generated/CloudTrialCore.swift" "$out/CloudTrialCore/CloudTrialCore.swift"
echo "CloudTrialCoreFFI.xcframework and CloudTrialCore.swift ($profile) in $out"
