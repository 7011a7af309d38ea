# Shared helpers of scripts/run and scripts/test (sourced, not executed).

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pg_bin=/usr/lib/postgresql/15/bin

# Each line says when (wall clock and seconds since the script started), so a slow step shows.
log() { printf '\033[1m%s\033[0m [%s +%ds] %s\n' "${0##*/}:" "$(date +%H:%M:%S)" "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A TCP port on 127.0.0.1 that is free right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the owner of the database files: "postgres" when we are root (PostgreSQL
# refuses to run as root), ourselves otherwise.
as_db_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The number of parallel jobs for builds: the cores, but not more than memory allows.
build_jobs() { nproc; }
# Parallel test processes: twice the cores, as the integration tests mostly wait on their
# PostgreSQL and Redis (on 2 cores: 118 s instead of 218 s for the whole suite, 29 Nov 2026).
test_jobs() { echo $(($(nproc) * 2)); }

# The development build (build/) of scripts/run and scripts/test: optimised, with line tables
# only (-g1) for backtraces and perf: a quarter less compile time and a fifth of the object
# size of full debug info. Rebuild with -g for a debugger session.
main_build_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

# Configures $1 with the CMake arguments that follow (up to "--") and builds it; targets may
# follow "--" (default: everything).
#   cmake_build build -DCMAKE_BUILD_TYPE=Release -- membership maillagectl
cmake_build() {
  local dir="$1"; shift
  local args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  targets=("$@")
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$root_dir" -B "$dir" -G Ninja "${args[@]}" >/dev/null
  fi
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$dir" -j "$(build_jobs)" --target "${targets[@]}"
  else
    cmake --build "$dir" -j "$(build_jobs)"
  fi
}

# Waits until a TCP port accepts connections, or fails after $2 seconds.
wait_port() {
  local port="$1" timeout="${2:-30}" i
  for ((i = 0; i < timeout * 10; i++)); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}
