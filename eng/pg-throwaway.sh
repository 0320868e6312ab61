#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's server binaries
# (apt-get install postgresql; the highest /usr/lib/postgresql/*/bin is used).
#
#   eng/pg-throwaway.sh start DIR   creates the cluster in DIR (new or empty) and prints its
#                                   Npgsql connection string, for AMA_POSTGRES
#   eng/pg-throwaway.sh stop DIR    kills the server and deletes DIR
#
#   export AMA_POSTGRES="$(eng/pg-throwaway.sh start /tmp/ama-pg)"; dotnet test ...; eng/pg-throwaway.sh stop /tmp/ama-pg
#
# With AMA_PG_TCP_PORT=N set at start, the server also listens on 127.0.0.1:N (trusting that
# address only), and the connection string printed is the TCP one: the benchmarks use loopback TCP.
#
# The server listens on a Unix socket in DIR only (no TCP), trusts local connections and nothing
# else, and keeps fsync on. initdb and postgres refuse root: under root they run as the postgres
# system user if there is one, else as nobody, and DIR (mode 0700) belongs to that user.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "$0: PostgreSQL's server binaries are not installed (apt-get install postgresql)" >&2
  exit 1
fi

user=
if [ "$(id -u)" -eq 0 ]; then
  if id postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
fi

as_user() {
  if [ -z "$user" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$user" -- "$@"
  else
    setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups -- "$@"
  fi
}

start() {
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "$0: $dir is not empty" >&2
    exit 1
  fi
  mkdir -p "$dir"
  # The socket is in $dir and authentication is trust: nobody else may reach it.
  chmod 0700 "$dir"
  if [ -n "$user" ]; then chown "$(id -u "$user"):$(id -g "$user")" "$dir"; fi
  cd "$dir"   # the tools change into the working directory; $user must be able to
  # --no-sync skips only initdb's own flush of the new files; the server runs with fsync on.
  as_user "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=reject --no-instructions --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF

# Added by eng/pg-throwaway.sh.
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = on
synchronous_commit = on
shared_buffers = 32MB
max_connections = 200
CONF
  local port=5432 host=$dir
  if [ -n "${AMA_PG_TCP_PORT:-}" ]; then
    port=$AMA_PG_TCP_PORT host=127.0.0.1
    printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$port" >>"$dir/data/postgresql.conf"
    # pg_hba.conf is first match: this line must come before initdb's "reject" for host connections.
    sed -i "1i host all postgres 127.0.0.1/32 trust" "$dir/data/pg_hba.conf"
  fi
  as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2; exit 1; }
  echo "Host=$host;Port=$port;Username=postgres;Database=postgres"
}

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    (cd "$dir" && as_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null) || true
  fi
  rm -rf "$dir"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
