#!/usr/bin/env bash
# Installs Debian's ffmpeg (which brings ffprobe) where ffmpeg or ffprobe is missing, then prints
# the version. For CI and for running the node-agent's assembly tests by hand. Idempotent.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }  # -n: never wait for a password

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  echo "installing ffmpeg…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
fi
ffmpeg -hide_banner -version | head -n 1
