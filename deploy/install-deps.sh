#!/usr/bin/env bash
# Installs every Debian package voltaic builds, tests or runs with.
# Idempotent: packages already present are skipped, and apt-get runs only when
# something is missing. Needs root (or sudo) the first time.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache
  libcaf-dev                       # C++ Actor Framework 0.17 (agents, runtime)
  libzmq3-dev cppzmq-dev           # ZeroMQ link to the Pi meter daemon
  libsodium-dev                    # Ed25519, BLAKE2b
  libmsgpack-cxx-dev               # canonical chain encoding
  liblmdb-dev lmdb-utils           # chain stores
  doctest-dev                      # unit tests
  libbenchmark-dev                 # tests/bench
  libmodbus-dev libgpiod-dev       # hardware meter sources
  libtomlplusplus-dev libcli11-dev # configuration and command line
  libfmt-dev libspdlog-dev
  nlohmann-json3-dev               # JSON text (voltaic clear --json, chain inspect)
  libgsl-dev                       # carbon price analysis (copulas, kernel densities)
  python3                          # test helpers (JSON comparison)
  gnuplot-nox                      # voltaic experiment figures (PNG, SVG)
)
# clang and its sanitizer runtime build the libFuzzer targets when present.
optional=(clang libclang-rt-14-dev)

missing=()
for p in "${packages[@]}" "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
