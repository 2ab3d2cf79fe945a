# The two quick-start commands: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_JOBS ?= $(JOBS)

.PHONY: all deps configure build test demo bench format install clean test-sanitize fuzz fuzz-smoke

all: build

deps:
	bash scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (leak checking on).
SANITIZE_DIR ?= build-sanitize
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAVI_SANITIZE=ON -DMAVI_PYTHON=OFF
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizer/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j $(CTEST_JOBS)

# libFuzzer targets (clang): `make fuzz FUZZ_SECONDS=60` runs each (probe, response, sandbox)
# for that long.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 65536
fuzz-build: deps
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAVI_FUZZ=ON \
	  -DMAVI_BUILD_TESTS=OFF -DMAVI_PYTHON=OFF -DCMAKE_CXX_COMPILER=clang++ -DBUILD_SHARED_LIBS=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $$(tr '\n' ' ' < $(FUZZ_DIR)/fuzz_targets.txt)

fuzz: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_MAX_LEN)

# Short bounded run for CI.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=30

demo: build
	bash scripts/demo.sh $(BUILD_DIR)

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
