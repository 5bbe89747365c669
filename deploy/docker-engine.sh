#!/usr/bin/env bash
# A Docker engine of the project's own, for the compose stack's test (and .ci/run) on a machine
# that has Debian's docker.io but runs no engine:
#   deploy/docker-engine.sh start [DIR]   starts dockerd (root only) keeping everything under DIR,
#                                          and prints `export DOCKER_HOST=...` for it;
#   deploy/docker-engine.sh stop [DIR]    stops that engine by its PID file.
# DIR defaults to /var/lib/chat-gateway-docker: outside any clone, so that images built there
# (the stand-in base images, the gateway's build cache) stay between runs on the same machine.
set -euo pipefail

command_name="${1:-}"
dir="${2:-${CHAT_GATEWAY_DOCKER_DIR:-/var/lib/chat-gateway-docker}}"
socket="$dir/docker.sock"
pidfile="$dir/dockerd.pid"
export DOCKER_HOST="unix://$socket"

log() { printf 'docker-engine: %s\n' "$*" >&2; }
engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
running_pid() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

case "$command_name" in
  start)
    if [ -n "$(running_pid)" ] && engine_answers; then
      log "already running (pid $(running_pid)) on $socket"
    else
      command -v dockerd >/dev/null 2>&1 || { log "dockerd is not installed (apt-get install docker.io)"; exit 1; }
      [ "$(id -u)" = 0 ] || { log "dockerd needs root"; exit 1; }
      mkdir -p "$dir/data" "$dir/run"
      # setsid: the engine outlives this script, and is stopped by `stop` (its PID file).
      setsid dockerd --data-root "$dir/data" --exec-root "$dir/run" --pidfile "$pidfile" \
        --host "$DOCKER_HOST" >"$dir/dockerd.log" 2>&1 </dev/null &
      for _ in $(seq 1 120); do
        engine_answers && break
        kill -0 $! 2>/dev/null || { tail -n 20 "$dir/dockerd.log" >&2; log "dockerd exited"; exit 1; }
        sleep 0.5
      done
      engine_answers || { tail -n 20 "$dir/dockerd.log" >&2; log "dockerd did not answer within 60 s"; exit 1; }
      log "started dockerd (pid $(running_pid)), data in $dir/data, log $dir/dockerd.log"
    fi
    echo "export DOCKER_HOST=$DOCKER_HOST"
    ;;
  stop)
    pid="$(running_pid || true)"
    if [ -z "$pid" ]; then
      log "not running"
      exit 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || { log "stopped dockerd (pid $pid)"; exit 0; }
      sleep 0.5
    done
    log "dockerd (pid $pid) ignored SIGTERM for 30 s; killing it"
    kill -KILL "$pid"
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
