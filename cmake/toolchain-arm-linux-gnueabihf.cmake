# Cross build for arm-linux-gnueabihf with Debian's gcc-arm-linux-gnueabihf, run under qemu-arm
# (qemu-user). Usage: cmake -S . -B build-cross/arm-linux-gnueabihf
#   -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm-linux-gnueabihf.cmake -DCAIRN_WITH_SERVE=OFF
# (make test-cross does this for every target: tests/cross/run-cross.sh).
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CAIRN_CROSS_TRIPLE arm-linux-gnueabihf)
set(CAIRN_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
