#!/usr/bin/env bash
# Installs every Debian 12 package mavi-prep needs to build, test and benchmark.
# Idempotent: packages already present are not touched, and apt is not called at all
# when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config make git
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libavfilter-dev
  ffmpeg
  libcurl4-openssl-dev curl
  nlohmann-json3-dev libfmt-dev libcli11-dev catch2 libcpp-httplib-dev libsqlite3-dev sqlite3
  clang-format python3 python3-requests mediainfo time bc parallel jq
  clang libclang-rt-14-dev openssl libssl-dev
  python3-dev pybind11-dev python3-pybind11 python3-setuptools python3-wheel python3-pytest
  python3-venv python3-mypy python3-pymediainfo python3-av
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
