#!/usr/bin/env bash
# The Android app's plain-Kotlin part on the JVM: its presenters over fakes,
# and over the Rust-backed services against a real --demo server (the same
# generated bindings the app compiles, through JNA). Compiles
# android/features and android/rust (main, test fixtures, tests) with kotlinc, then runs
# the JUnit 4 tests; prints "N passed, N failed" and exits non-zero on failure.
#
# Needs: java (17+), npm (for kotlinc), Debian's libjna-java and junit4
# (scripts/install-test-deps installs them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/android-jvm-test"
mkdir -p "$work"

. "$root/scripts/lib/kotlinc.sh"
kotlin_install "$root"
jna=/usr/share/java/jna.jar
junit=/usr/share/java/junit4.jar
hamcrest=/usr/share/java/hamcrest-core.jar
for jar in "$jna" "$junit" "$hamcrest"; do
  [ -f "$jar" ] || { echo "missing $jar: apt-get install libjna-java junit4" >&2; exit 1; }
done

# The same workspace build as the other checks: library, generator and server.
(cd "$root" && cargo build --locked --workspace)
"$root/bindings/generate.sh" --no-build --language kotlin --out "$work/generated"

echo "compiling the app's presenters, Rust-backed services and their tests"
"$kotlin_home/bin/kotlinc" -nowarn -jvm-target 17 -cp "$jna:$coroutines:$junit:$hamcrest" \
  "$work/generated/kotlin" \
  "$root/android/features/src/main/kotlin" "$root/android/rust/src/main/kotlin" \
  "$root/android/features/src/testFixtures/kotlin" \
  "$root/android/features/src/test/kotlin" "$root/android/rust/src/test/kotlin" \
  -d "$work/app-tests.jar"

model="$("$root/scripts/install-speech-model")"
. "$root/scripts/lib/demo-server.sh"
trap demo_server_stop EXIT
demo_server_start "$target_dir/debug/cloudtrial-server" "$work" --asr-engine whisper --asr-model "$model"
base_url="$demo_url" meeting="$demo_meeting"

echo "Android app: presenters and Rust-backed services against $base_url, meeting $meeting"
java -Djna.library.path="$target_dir/debug" \
  -Dcloudtrial.baseUrl="$base_url" -Dcloudtrial.meeting="$meeting" \
  -cp "$work/app-tests.jar:$stdlib:$jna:$coroutines:$junit:$hamcrest" \
  court.cloudtrial.app.TestMainKt \
  court.cloudtrial.app.PresenterTests \
  court.cloudtrial.app.PictureTests \
  court.cloudtrial.app.rust.HearingScenarioTest
