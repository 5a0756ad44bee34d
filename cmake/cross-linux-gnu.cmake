# Shared part of the cross toolchain files (toolchain-TRIPLE.cmake): Debian's
# cross compiler TRIPLE-gcc (package gcc-TRIPLE), its sysroot /usr/TRIPLE
# (libc6-dev-ARCH-cross), and qemu-user as the emulator that runs the
# results (ctest prefixes test executables with CMAKE_CROSSCOMPILING_EMULATOR;
# the test scripts get it as CAIRN_RUNNER, see tests/cross/run-cross.sh).
# The including file sets CMAKE_SYSTEM_PROCESSOR, CAIRN_CROSS_TRIPLE and
# CAIRN_CROSS_QEMU before including this one.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${CAIRN_CROSS_TRIPLE}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${CAIRN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # host tools (clang for wasm32, python3)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # target libraries only
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# -L: a dynamically linked test program finds the target's loader and libc.
set(CMAKE_CROSSCOMPILING_EMULATOR ${CAIRN_CROSS_QEMU} -L /usr/${CAIRN_CROSS_TRIPLE})
