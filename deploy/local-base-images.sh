#!/usr/bin/env bash
# Stand-ins for the public base images of Dockerfile and docker-compose.yml, for machines that
# cannot reach the public image registry but can reach Debian's package archive:
#
#   eval "$(deploy/local-base-images.sh)"     # DOCKER_HOST pointing at the engine; run as root
#   docker-compose up --build
#
# Each image is a Debian root file system (debootstrap --variant=minbase) imported into the
# engine, built once per engine (an image already there under its tag is kept):
#   node   Debian, plus this machine's own Node.js install (Node >= 20.19 and its npm), with the
#          unprivileged `node` user (uid 1000) that the official node images have, trusting the
#          certificate authorities this machine added (/usr/local/share/ca-certificates);
#   redis  Debian's redis-server (Redis 7), protected mode off as in the official image;
#   nginx  Debian's nginx (deploy/nginx.conf works on it and on the nginx the compose file names),
#          with wget for the compose health check.
# Prints the `export NAME=VALUE` lines that select them (NODE_IMAGE, REDIS_IMAGE, NGINX_IMAGE);
# progress goes to stderr. Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian),
# DEBOOTSTRAP_CACHE (downloaded packages, default /var/cache/chat-gateway-debootstrap).
set -euo pipefail

suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${DEBOOTSTRAP_CACHE:-/var/cache/chat-gateway-debootstrap}"
# Bumped when a recipe below changes, so that an engine holding older stand-ins builds new ones.
revision=r1
repository=chat-gateway-local

log() { printf 'local-base-images: %s\n' "$*" >&2; }
fail() {
  log "$*"
  exit 1
}

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || fail "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); deploy/docker-engine.sh starts one"

node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || fail "Node.js is not installed on this machine: the node stand-in copies it"
node_bin="$(node -p process.execPath)"
node_version="$(node -p process.versions.node)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || fail "Node.js $node_version is older than the project's engines (>= 20.19)"
npm_dir="$(npm root -g)/npm"
[ -f "$npm_dir/bin/npm-cli.js" ] || fail "npm not found at $npm_dir"

node_tag="$repository/node:${node_version}-$suite-$revision"
redis_tag="$repository/redis:7-$suite-$revision"
nginx_tag="$repository/nginx:$suite-$revision"

work=""
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT

present() { docker image inspect "$1" >/dev/null 2>&1; }

# A minimal Debian root file system with the given extra packages, without apt's lists, caches,
# documentation and translations (none is needed at run time).
root_fs() {
  local target="$1" packages="$2"
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root"
  mkdir -p "$cache"
  log "debootstrap $suite ($packages) into $target"
  debootstrap --variant=minbase --cache-dir="$cache" --include="$packages" "$suite" "$target" "$mirror" \
    >"$target.log" 2>&1 || {
    tail -n 30 "$target.log" >&2
    fail "debootstrap failed"
  }
  rm -rf "$target"/var/lib/apt/lists/* "$target"/var/cache/apt/* "$target"/var/log/*.log \
    "$target"/usr/share/doc/* "$target"/usr/share/man/* "$target"/usr/share/info/* "$target"/usr/share/locale/*
}

import_image() {
  local target="$1" tag="$2"
  shift 2
  local changes=()
  for change in "$@"; do changes+=(--change "$change"); done
  tar --numeric-owner -C "$target" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  log "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

build_node() {
  local target="$work/node"
  root_fs "$target" libstdc++6,ca-certificates
  cp "$node_bin" "$target/usr/bin/node"
  mkdir -p "$target/usr/lib/node_modules"
  cp -a "$npm_dir" "$target/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$target/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$target/usr/bin/npx"
  chroot "$target" useradd --uid 1000 --user-group --create-home --shell /bin/bash node
  # The certificate authorities this machine added to Debian's (a TLS-inspecting proxy's, say),
  # so that `npm ci` in an image build reaches the registry the way it does here.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$target/usr/local/share/ca-certificates/"
    chroot "$target" update-ca-certificates >/dev/null 2>&1
  fi
  import_image "$target" "$node_tag" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "ENV NODE_VERSION=$node_version" \
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' 'ENV NPM_CONFIG_UPDATE_NOTIFIER=false' \
    'CMD ["node"]'
}

build_redis() {
  local target="$work/redis"
  root_fs "$target" redis-server
  mkdir -p "$target/data"
  chroot "$target" chown redis:redis /data
  # The official image turns protected mode off: the container's network is the boundary.
  cat >"$target/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
if [ "$1" = redis-server ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
ENTRYPOINT
  chmod 755 "$target/usr/local/bin/docker-entrypoint.sh"
  import_image "$target" "$redis_tag" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'VOLUME /data' 'WORKDIR /data' 'USER redis' 'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["redis-server"]'
}

build_nginx() {
  local target="$work/nginx"
  root_fs "$target" nginx,wget
  # As in the official image: the logs go to the container's output.
  ln -sf /dev/stdout "$target/var/log/nginx/access.log"
  ln -sf /dev/stderr "$target/var/log/nginx/error.log"
  import_image "$target" "$nginx_tag" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'EXPOSE 80' 'CMD ["nginx", "-g", "daemon off;"]'
}

for kind in node redis nginx; do
  tag_variable="${kind}_tag"
  tag="${!tag_variable}"
  if present "$tag"; then
    log "$tag is there"
  else
    [ -n "$work" ] || work="$(mktemp -d /var/tmp/chat-gateway-base-images.XXXXXX)"
    "build_$kind"
  fi
done

echo "export NODE_IMAGE=$node_tag"
echo "export REDIS_IMAGE=$redis_tag"
echo "export NGINX_IMAGE=$nginx_tag"
