#!/usr/bin/env bash
# Builds the offline Redis test image FROM scratch out of Debian's redis-server
# binaries (no registry is reachable here). Idempotent: does nothing when the
# image exists, unless --force is given.
#   IMAGE=redisdocker/redis:local (default)
set -euo pipefail
IMAGE=${IMAGE:-redisdocker/redis:local}
if [[ ${1:-} != --force ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "image $IMAGE present"; exit 0
fi
for b in /usr/bin/redis-server /usr/bin/redis-cli; do
  [[ -x $b ]] || { echo "missing $b: apt-get install -y redis-server redis-tools" >&2; exit 1; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# /data is staged apart: the image gives it to the redis user (uid 999), as the official image does, so a
# volume initialised from it is writable by a node running as 999:999.
mkdir -p "$stage/root/usr/local/bin" "$stage/root/etc" "$stage/data" "$stage/root/tmp"
cp -L /usr/bin/redis-server /usr/bin/redis-cli "$stage/root/usr/local/bin/"
ln -s redis-server "$stage/root/usr/local/bin/redis-sentinel"
ln -s redis-server "$stage/root/usr/local/bin/redis-check-aof"
for lib in $( { ldd /usr/bin/redis-server; ldd /usr/bin/redis-cli; } | awk '/=>/ {print $3} /^\s*\/lib/ {print $1}' | sort -u); do
  [[ -f $lib ]] || continue
  mkdir -p "$stage/root$(dirname "$lib")"
  cp -L "$lib" "$stage/root$lib"
done
# the dynamic loader under its canonical path, whatever ldd called it
for ld in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
  [[ -e $ld ]] && { mkdir -p "$stage/root$(dirname "$ld")"; cp -L "$ld" "$stage/root$ld"; }
done
printf 'root:x:0:0:root:/root:/nonexistent\nredis:x:999:999:redis:/data:/nonexistent\n' > "$stage/root/etc/passwd"
printf 'root:x:0:\nredis:x:999:\n' > "$stage/root/etc/group"
chmod 1777 "$stage/root/tmp"
cat > "$stage/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
COPY --chown=999:999 data/ /data/
WORKDIR /data
VOLUME /data
EXPOSE 6379
CMD ["redis-server"]
DOCKERFILE
docker build -q -t "$IMAGE" --label io.redisdocker.test-image=true "$stage" >/dev/null
echo "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)"
