# Cairn: top-level commands. The real build is CMake (CMakeLists.txt); this
# file only wires the commands README promises.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all build deps test asan run fuzz fuzz-build clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# Installs dependencies, builds, and runs every test through ctest.
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same tests with AddressSanitizer and UBSan.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# Builds and runs the bundled example.
run: deps build
	./$(BUILD)/cairn run examples/fib.wat --invoke fib 25

# libFuzzer targets (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz-build: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_FUZZ=ON -DCAIRN_SANITIZE=ON
	cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	./tests/fuzz/run-fuzz.sh build-fuzz/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
