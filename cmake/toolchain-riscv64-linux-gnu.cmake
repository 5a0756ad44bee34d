# Cross build for riscv64-linux-gnu with Debian's gcc-riscv64-linux-gnu, run under qemu-riscv64
# (qemu-user). Usage: cmake -S . -B build-cross/riscv64-linux-gnu
#   -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-riscv64-linux-gnu.cmake -DCAIRN_WITH_SERVE=OFF
# (make test-cross does this for every target: tests/cross/run-cross.sh).
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CAIRN_CROSS_TRIPLE riscv64-linux-gnu)
set(CAIRN_CROSS_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
