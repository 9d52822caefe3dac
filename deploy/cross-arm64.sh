#!/usr/bin/env bash
# Builds `voltaic` (meterd, the agents, every command) for arm64 with
# Debian's cross toolchain, into build-arm64/, then runs the hardware test
# that runs the cross-built `meter init` and `meterd` under qemu-user against
# a real Modbus TCP server (tests/hardware/arm64_test.cpp). Installs what it needs with apt-get (the arm64 architecture,
# crossbuild-essential-arm64, qemu-user and the arm64 libraries).
#   deploy/cross-arm64.sh            build and test
#   deploy/cross-arm64.sh --no-test  build only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

# CAF and GSL's headers are not among them: Debian's libcaf-dev and
# libgsl-dev cannot be installed for two architectures at once, and
# installing the arm64 one removes the native one. Their arm64 packages are
# unpacked into build-arm64/sysroot instead (GSL's run-time libraries do
# install beside the native ones).
packages=(crossbuild-essential-arm64 qemu-user
  libzmq3-dev:arm64 cppzmq-dev:arm64 libsodium-dev:arm64 liblmdb-dev:arm64
  libmodbus-dev:arm64 libgpiod-dev:arm64 libtomlplusplus-dev:arm64 libfmt-dev:arm64 libspdlog-dev:arm64
  libssl-dev:arm64 libgsl27:arm64 libgslcblas0:arm64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "cross-arm64: installing ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || "${sudo_cmd[@]}" dpkg --add-architecture arm64
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
"$root/deploy/install-deps.sh"  # the native build runs the test

sysroot="$root/build-arm64/sysroot"
if [ ! -f "$sysroot/usr/include/caf/config.hpp" ]; then
  debs="$(mktemp -d)"
  chmod 755 "$debs"  # apt's download user writes here
  (cd "$debs" && apt-get download -qq libcaf-dev:arm64 libcaf-core0.17:arm64 libcaf-io0.17:arm64 libcaf-openssl0.17:arm64)
  mkdir -p "$sysroot"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$sysroot"; done
  rm -rf "$debs"
fi

gsl_pc="$sysroot/usr/lib/aarch64-linux-gnu/pkgconfig/gsl.pc"
if [ ! -f "$gsl_pc" ]; then
  debs="$(mktemp -d)"
  chmod 755 "$debs"
  (cd "$debs" && apt-get download -qq libgsl-dev:arm64)
  mkdir -p "$sysroot"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$sysroot"; done
  rm -rf "$debs"
  # The unpacked .pc names /usr; its headers and libraries are in the sysroot.
  sed -i "s#=/usr#=$sysroot/usr#" "$gsl_pc"
fi

PKG_CONFIG_PATH="$sysroot/usr/lib/aarch64-linux-gnu/pkgconfig" \
cmake -S "$root" -B "$root/build-arm64" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_PREFIX_PATH="$sysroot/usr" \
  -DCMAKE_BUILD_TYPE=Release -DVOLTAIC_BUILD_TESTS=OFF -DVOLTAIC_BUILD_BENCHMARKS=OFF -DVOLTAIC_BUILD_EXAMPLES=OFF
cmake --build "$root/build-arm64" -j"$(nproc)" --target voltaic
file "$root/build-arm64/runtime/voltaic"
[ "${1:-}" = "--no-test" ] && exit 0

cmake -S "$root" -B "$root/build" -DVOLTAIC_ARM64_VOLTAIC="$root/build-arm64/runtime/voltaic"
cmake --build "$root/build" -j"$(nproc)" --target test_hardware_arm64 voltaic
ctest --test-dir "$root/build" -R "arm64 build under qemu" --output-on-failure
