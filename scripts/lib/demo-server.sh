# Sourced by the checks that drive a client against a real server: starts
# `cloudtrial-server --demo` on a free loopback port with its data in a fresh
# folder, and sets demo_url and demo_meeting. Call demo_server_stop from the
# caller's EXIT trap.
#
#   demo_server_start SERVER_BINARY WORK_DIR [server arguments...]

demo_server_start() {
  local binary="$1" work="$2"
  shift 2
  demo_data="$(mktemp -d)"
  demo_out="$work/server.out"
  demo_log="$work/server.log"
  "$binary" --demo --listen 127.0.0.1:0 --data-dir "$demo_data" "$@" >"$demo_out" 2>"$demo_log" &
  demo_pid=$!
  # Up to 30 s: the speech model loads slowly on a busy machine.
  for _ in $(seq 1 300); do
    grep -q "listening on" "$demo_out" && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$demo_log" >&2; return 1; }
    sleep 0.1
  done
  demo_url="$(sed -n 's/^Cloud Trial server listening on //p' "$demo_out")"
  demo_meeting="$(sed -n 's/.*Meeting number (会议号): \([0-9]\{8\}\).*/\1/p' "$demo_out")"
  [ -n "$demo_url" ] && [ -n "$demo_meeting" ] || { echo "server did not start" >&2; cat "$demo_out" "$demo_log" >&2; return 1; }
}

demo_server_stop() {
  [ -n "${demo_pid:-}" ] || return 0
  kill "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  rm -rf "$demo_data"
}
