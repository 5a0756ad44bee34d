# Cross build for aarch64-linux-gnu with Debian's gcc-aarch64-linux-gnu, run under qemu-aarch64
# (qemu-user). Usage: cmake -S . -B build-cross/aarch64-linux-gnu
#   -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake -DCAIRN_WITH_SERVE=OFF
# (make test-cross does this for every target: tests/cross/run-cross.sh).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CAIRN_CROSS_TRIPLE aarch64-linux-gnu)
set(CAIRN_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
