# Cross build for arm64 (a Raspberry Pi 3, 4 or 5 on a 64-bit Debian or
# Raspberry Pi OS) with Debian's cross toolchain and its multiarch arm64
# libraries (deploy/cross-arm64.sh installs both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Libraries from /usr/lib/aarch64-linux-gnu, headers from /usr/include.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# The multiarch arm64 C library, not the cross toolchain's (-L): mixing the
# two hangs a program at its first thread.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
