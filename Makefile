# Cairn: top-level commands. The real build is CMake (CMakeLists.txt); this
# file only wires the commands README promises.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all build deps install uninstall test test-cluster test-variants test-cross cross-deps asan run fuzz fuzz-build clean bench bench-smoke bench-deps

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# Installs the program (and its cairn-oci link), libcairn.so and libcairn.a,
# the public headers, cairn.pc and the man pages under $(DESTDIR)$(PREFIX),
# and the list of what it placed (MANIFEST, itself listed), which `make
# uninstall` removes. PREFIX must be absolute.
PREFIX ?= /usr/local
DESTDIR ?=
MANIFEST = $(PREFIX)/share/cairn/install-manifest.txt
# What install builds first; tests/embed/install.sh (a ctest, run after the
# build) sets it empty to install what was built without touching the build.
INSTALL_DEPS ?= build

install: $(INSTALL_DEPS)
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"
	mkdir -p "$(DESTDIR)$(PREFIX)/share/cairn"
	{ cat $(BUILD)/install_manifest.txt; echo; echo "$(DESTDIR)$(MANIFEST)"; } | \
	  sed -e '/^$$/d' -e 's|^$(DESTDIR)||' >"$(DESTDIR)$(MANIFEST).new"
	mv "$(DESTDIR)$(MANIFEST).new" "$(DESTDIR)$(MANIFEST)"

uninstall:
	./scripts/uninstall.sh "$(DESTDIR)" "$(MANIFEST)"

# Installs dependencies, builds, and runs every test through ctest.
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The Kubernetes path (tests/cluster/run.sh): etcd, kube-apiserver and kubelet
# (built once from Debian's kubernetes source into build/k8s: minutes),
# containerd's CRI with a `cairn` handler, Wasm pods. Not part of `make test`.
test-cluster: deps build
	./tests/cluster/build-k8s.sh $(BUILD)/k8s
	./tests/cluster/run.sh $(BUILD)/cairn $(BUILD)/oci $(BUILD)/k8s

# The native tier's code with explicit bounds checks (what a CAIRN_BOUNDS_CHECK
# build and 32-bit targets load): the spec scripts about memory, and ours.
AOT_MEMORY_SCRIPTS = $(addprefix ../shared/wasm-testsuite/wasm-2.0/,address.wast align.wast \
  bulk.wast float_memory.wast load.wast memory.wast memory_copy.wast memory_fill.wast \
  memory_grow.wast memory_init.wast memory_size.wast memory_trap.wast store.wast \
  simd_load.wast simd_store.wast simd_load8_lane.wast simd_store8_lane.wast)

# The portable interpreter paths: switch dispatch, scalar SIMD and explicit
# bounds checks (what 32-bit and small hosts use), through the spec suites
# and the engine's unit tests; then the interpreter without instruction
# fusion (CAIRN_NO_FUSION) through the spec suites, our own scripts and the
# interpreter's unit test, with `cairn` built without serve as the cross
# builds are (nothing else compiles that configuration). Both builds verify every translated function
# (CAIRN_VERIFY_CODE) and compile only what these tests run. The variants
# build also runs the native tier, whose code it loads only with explicit
# bounds checks (AOT_MEMORY_SCRIPTS, tests/wast, unit/test_aot).
test-variants: deps
	cmake -S . -B build-variants -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_SWITCH_DISPATCH=ON \
	  -DCAIRN_SIMD_SCALAR=ON -DCAIRN_BOUNDS_CHECK=ON -DCAIRN_VERIFY_CODE=ON -DCAIRN_STATIC_CLI=OFF
	cmake --build build-variants -j $(JOBS) --target cairn unit_tests test_faultsim
	cd build-variants && ctest --output-on-failure -R '^(spec|unit)/' -E '^spec/.*-aot$$'
	./build-variants/cairn wast --aot $(AOT_MEMORY_SCRIPTS) tests/wast/*.wast
	cmake -S . -B build-nofusion -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_NO_FUSION=ON \
	  -DCAIRN_VERIFY_CODE=ON -DCAIRN_STATIC_CLI=OFF -DCAIRN_WITH_SERVE=OFF
	cmake --build build-nofusion -j $(JOBS) --target cairn test_interp
	cd build-nofusion && ctest --output-on-failure -R '^(spec/|wast/|unit/test_interp$$)' -E 'aot'

# Cairn cross-built for aarch64, riscv64 and 32-bit armhf (Debian's cross
# compilers, cmake/toolchain-*.cmake, without serve), each cairn run under
# qemu-user through the unit tests, the Wasm 2.0 spec suite, tests/wast, our
# WASI programs and the WASI suite, then the native tier: .cwasm files the
# x86-64 cairn compiles for the target, and cairn wast --aot under qemu with
# the cross gcc; prints a table (tests/cross/run-cross.sh).
# CROSS_TRIPLES picks some targets.
CROSS_TRIPLES ?= aarch64-linux-gnu riscv64-linux-gnu arm-linux-gnueabihf
cross-deps: deps
	./scripts/install-deps.sh --cross

test-cross: cross-deps build
	JOBS=$(JOBS) ./tests/cross/run-cross.sh $(CROSS_TRIPLES)

# The same tests with AddressSanitizer and UBSan.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && CAIRN_RSS_SLACK_KB=32768 ctest --output-on-failure -j $(JOBS)

# Builds everything and starts the serverless node on 127.0.0.1:8080 with the
# example functions (examples/functions/serve.json); Ctrl-C stops it.
run: deps build
	@echo "cairn serve on 127.0.0.1:8080 - try, from another terminal:"
	@echo "  curl http://127.0.0.1:8080/hello"
	@echo "  curl -d 'some body' 'http://127.0.0.1:8080/echo/path?q=1'"
	@echo "  curl -d '{\"name\":\"cairn\",\"n\":[1,2,3]}' http://127.0.0.1:8080/json"
	@echo "  curl 'http://127.0.0.1:8080/compute?n=1000000'"
	@echo "  curl http://127.0.0.1:8080/metrics"
	./$(BUILD)/cairn serve --config examples/functions/serve.json

# Installs what the benchmarks need beyond the tests (nginx, gnuplot, hyperfine).
bench-deps: deps
	./scripts/install-deps.sh --bench

# libFuzzer targets (clang: fuzz_decode, fuzz_text, fuzz_http) and the
# differential harness (Cairn vs V8, tests/fuzz/diff/), FUZZ_SECONDS each,
# one after the other; FUZZ_TARGETS picks some (e.g. "http diff").
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz-build: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_FUZZ=ON -DCAIRN_SANITIZE=ON
	cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	./tests/fuzz/run-fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Compute-kernel and real-world benchmarks: native vs `cairn run` vs Node.js,
# best of RUNS; writes docs/benchmarks.md ("Compute kernels") and its chart.
# CAIRN_RUN="cmd args" overrides the cairn command. See bench/bench.py.
RUNS ?= 3
bench: bench-deps build
	python3 bench/bench.py --cairn $(BUILD)/cairn --work $(BUILD)/bench --runs $(RUNS) $(BENCH_ARGS)

# Each kernel once at a small size under `cairn run`, checksums compared with
# native (no timing); also run by ctest.
bench-smoke: build
	python3 bench/bench.py --smoke --cairn $(BUILD)/cairn --work $(BUILD)/bench-smoke

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-variants build-nofusion build-cross
