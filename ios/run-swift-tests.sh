#!/usr/bin/env bash
# The iPhone app's Swift, for real, on Linux: the generated Swift bindings
# compile against the library built on this machine, and the Swift package
# CloudTrialKit (app models, view models, Rust-backed services) builds and its
# XCTest tests run — the view models over fakes, and over the Rust-backed
# services against a real --demo server. Prints each test and
# "N passed, N failed"; exits non-zero on failure.
#
# There is no Swift for Debian 12 in any reachable registry, so Swift runs in
# a Debian 13 tree (debootstrap + Debian's swiftlang 6.0), created the first
# time and kept outside the clone ($CLOUDTRIAL_SWIFT_TREE, default
# /var/tmp/cloudtrial-swift-tree; about 2 minutes and 3 GB). The server runs
# here on 127.0.0.1; the tree shares the network.
#
# Needs root or sudo (debootstrap, chroot, mount) and Debian's debootstrap
# (scripts/install-test-deps installs it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
tree="${CLOUDTRIAL_SWIFT_TREE:-/var/tmp/cloudtrial-swift-tree}"
work="$target_dir/ios-swift-test"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
mkdir -p "$work"

# 1. The Swift toolchain: a Debian 13 tree with swiftlang, made once. (ca-certificates:
#    the core's HTTP client wants the system's roots, as a phone has them.)
packages="swiftlang libc6-dev libstdc++-14-dev ca-certificates"
if [ ! -x "$tree/usr/bin/swift" ] || [ "$(cat "$tree/.cloudtrial-swift-ready" 2>/dev/null)" != "$packages" ]; then
  echo "preparing the Swift tree in $tree (debootstrap trixie + swiftlang; a few minutes, once)"
  if [ ! -x "$tree/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { echo "debootstrap missing: scripts/install-test-deps" >&2; exit 1; }
    $sudo rm -rf "$tree"
    $sudo debootstrap --variant=minbase trixie "$tree" http://deb.debian.org/debian
  fi
  $sudo cp /etc/resolv.conf "$tree/etc/resolv.conf" 2>/dev/null || true
  $sudo chroot "$tree" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo chroot "$tree" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages
  echo "$packages" | $sudo tee "$tree/.cloudtrial-swift-ready" >/dev/null
fi

# 2. The library, the generator and the server, as the other checks build them; the bindings from the library.
(cd "$root" && cargo build --locked --workspace)
"$root/bindings/generate.sh" --no-build --language swift --out "$work/generated"
generated="$work/generated/swift"
[ -s "$generated/CloudTrialCore.swift" ] || { echo "no Swift generated" >&2; exit 1; }

# 3. The package, the generated bindings and the library inside the tree (its .build kept between runs).
inside=/work/cloudtrial
pkg="$tree$inside/CloudTrialKit"
$sudo mkdir -p "$pkg" "$tree$inside/lib"
$sudo rm -rf "$pkg/Package.swift" "$pkg/Sources" "$pkg/Tests" "$pkg/Generated"
$sudo cp -r "$root/ios/CloudTrialKit/Package.swift" "$root/ios/CloudTrialKit/Sources" "$root/ios/CloudTrialKit/Tests" "$pkg/"
$sudo mkdir -p "$pkg/Generated/CloudTrialCore" "$pkg/Generated/CloudTrialCoreFFI"
$sudo cp "$generated/CloudTrialCore.swift" "$pkg/Generated/CloudTrialCore/"
$sudo cp "$generated/CloudTrialCoreFFI.h" "$pkg/Generated/CloudTrialCoreFFI/"
$sudo cp "$generated/CloudTrialCoreFFI.modulemap" "$pkg/Generated/CloudTrialCoreFFI/module.modulemap"
$sudo cp "$target_dir/debug/libcloudtrial_ffi.so" "$tree$inside/lib/"

# 4. A --demo server on this machine.
. "$root/scripts/lib/demo-server.sh"
mounted=false
cleanup() {
  demo_server_stop
  if $mounted; then $sudo umount "$tree/proc" || true; fi
}
trap cleanup EXIT
demo_server_start "$target_dir/debug/cloudtrial-server" "$work"
base_url="$demo_url" meeting="$demo_meeting"

# 5. swift test inside the tree (swiftc finds itself through /proc).
if ! mountpoint -q "$tree/proc"; then
  $sudo mount -t proc proc "$tree/proc"
  mounted=true
fi
echo "Swift: CloudTrialKit against $base_url, meeting $meeting"
log="$work/swift-test.log"
set +e
$sudo chroot "$tree" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 TMPDIR=/tmp \
  LD_LIBRARY_PATH="$inside/lib" CLOUDTRIAL_BASE_URL="$base_url" CLOUDTRIAL_MEETING="$meeting" ${CLOUDTRIAL_LOG:+CLOUDTRIAL_LOG="$CLOUDTRIAL_LOG"} \
  swift test --package-path "$inside/CloudTrialKit" -Xlinker -L"$inside/lib" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -cE "^Test Case '.*' passed" "$log" || true)
failed=$(grep -cE "^Test Case '.*' failed" "$log" || true)
skipped=$(grep -cE "^Test Case '.*' skipped" "$log" || true)
echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$skipped" -eq 0 ]
