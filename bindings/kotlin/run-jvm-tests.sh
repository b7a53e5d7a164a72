#!/usr/bin/env bash
# The Kotlin bindings on the JVM: builds the library, generates the Kotlin
# bindings, compiles them with the check program, starts a real --demo server
# and runs the checks through JNA. Exits non-zero if any check fails.
#
# Needs: java (17+), npm (for kotlinc), /usr/share/java/jna.jar (Debian libjna-java).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/kotlin-jvm-test"
mkdir -p "$work"

. "$root/scripts/lib/kotlinc.sh"
kotlin_install "$root"
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || { echo "missing $jna: apt-get install libjna-java" >&2; exit 1; }

# One workspace build gives the library, the generator and the server with the
# same features, so no crate is compiled twice.
(cd "$root" && cargo build --locked --workspace)
"$root/bindings/generate.sh" --no-build --language kotlin --out "$work/generated"

echo "compiling the Kotlin bindings and checks"
"$kotlin_home/bin/kotlinc" -nowarn -jvm-target 17 -cp "$jna:$coroutines" \
  "$work/generated/kotlin" "$root/bindings/kotlin/jvm-test/src" -d "$work/checks.jar"

model="$("$root/scripts/install-speech-model")"
recording="$root/../shared/speech/aishell1-BAC009S0764W0121.wav"
. "$root/scripts/lib/demo-server.sh"
trap demo_server_stop EXIT
demo_server_start "$target_dir/debug/cloudtrial-server" "$work" --asr-engine whisper --asr-model "$model"
base_url="$demo_url" meeting="$demo_meeting"

java -Djna.library.path="$target_dir/debug" -cp "$work/checks.jar:$stdlib:$jna:$coroutines" \
  BindingsCheckKt "$base_url" "$meeting" "$recording"
