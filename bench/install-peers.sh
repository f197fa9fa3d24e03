#!/usr/bin/env bash
# Installs the native peers of the benchmarks (Debian packages): mimalloc (libmimalloc2.0) and jemalloc
# (libjemalloc2). Idempotent: does nothing when both are present. Exits 0 with a message when apt-get is not
# available or fails (the bench then runs the pool and glibc and reports which peers it skipped).
set -u

need=()
have_lib() {
  local f
  for f in /usr/lib/*-linux-gnu/"$1" /usr/lib/"$1" /lib/*-linux-gnu/"$1"; do
    [ -e "$f" ] && return 0
  done
  return 1
}
have_lib libmimalloc.so.2 || need+=(libmimalloc2.0)
have_lib libjemalloc.so.2 || need+=(libjemalloc2)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-peers: libmimalloc.so.2 and libjemalloc.so.2 are already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-peers: apt-get not available; missing ${need[*]}: the bench will skip those peers"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  # -n: never prompt (the script runs at the start of every bench run); without a password-less sudo, apt-get fails
  # at once and the bench skips the missing peers.
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "install-peers: not root and no sudo; missing ${need[*]}: the bench will skip those peers"
    exit 0
  fi
fi

echo "install-peers: installing ${need[*]}"
if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; then
  echo "install-peers: done"
else
  echo "install-peers: apt-get failed; the bench will skip the missing peers"
fi
exit 0
