# Helpers of the bench/run-* scripts (sourced, not executed, after setting root_dir): build, a
# private PostgreSQL and Redis in a temporary folder, a membership server, and cleanup of
# everything on exit.

source "$root_dir/scripts/lib.sh"  # log, die, free_port, wait_port, as_db_user, pg_bin

# bench_build DIR TARGET...: a Release build of the targets, unless BENCH_NO_BUILD is set.
bench_build() {
  local dir="$1"
  shift
  if [ -n "${BENCH_NO_BUILD:-}" ]; then
    log "not building: using the binaries in $dir as they are"
    return 0
  fi
  log "build (Release) in $dir"
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$root_dir" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  ninja -C "$dir" "$@" >/dev/null || die "build failed: ninja -C $dir $*"
}

# bench_workdir: $work, a temporary folder removed on exit with every process in $pids.
bench_workdir() {
  work="$(mktemp -d /tmp/maillage-bench.XXXXXX)"
  chmod 755 "$work"
  mkdir -p "$work/logs" "$work/redis" "$work/pg"
  pids=()
  pg_data="$work/pg/data"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -f "$pg_data/postmaster.pid" ]; then
    as_db_user "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT" && cp -r "$work/logs" "$BENCH_OUT/" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}

# bench_start_postgres: PostgreSQL on $pg_port with a "membership" database (user maillage).
bench_start_postgres() {
  [ "$(id -u)" -eq 0 ] && chown postgres: "$work/pg" && touch "$work/logs/postgres.log" &&
    chown postgres: "$work/logs/postgres.log"
  as_db_user "$pg_bin/initdb" -D "$pg_data" -U maillage --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$work/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$work/logs/initdb.log")"
  pg_port="$(free_port)"
  as_db_user "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/logs/postgres.log" -w \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
  as_db_user "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U maillage membership
}

# bench_start_redis: Redis on $redis_port, no persistence.
bench_start_redis() {
  redis_port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$work/redis" --logfile "$work/logs/redis.log" &
  pids+=("$!")
  wait_port "$redis_port" 10 || die "redis did not start: $(tail -5 "$work/logs/redis.log")"
}

# bench_start_membership NAME CACHE_ENABLED HMAC_KEY: sets $membership_port.
bench_start_membership() {
  local name="$1" cache="$2" key="$3" port metrics
  port="$(free_port)"
  metrics="$(free_port)"
  MAILLAGE_GRPC_ADDRESS="127.0.0.1:$port" \
  MAILLAGE_METRICS_ADDRESS="127.0.0.1:$metrics" \
  MAILLAGE_PG_URI="postgresql://maillage@127.0.0.1:$pg_port/membership" \
  MAILLAGE_REDIS_ADDRESS="127.0.0.1:$redis_port" \
  MAILLAGE_AUTH_HMAC_KEY="$key" \
  MAILLAGE_CACHE_ENABLED="$cache" \
    "$membership_bin" 2>"$work/logs/$name.log" >/dev/null &
  pids+=("$!")
  wait_port "$port" 30 || die "$name did not start: $(tail -5 "$work/logs/$name.log")"
  membership_port="$port"
}
