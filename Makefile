# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU with the MCD debug server: fetch, patch, build, run and test.
#   make run     build, start the demo guest halted with MCD on
#                127.0.0.1:1235 and attach the mcd debugger to it
#   make check   build, then run every MCD test (SANITIZE=1: also build QEMU
#                with ASan+UBSan and run the tests and a fuzzer there)
#   make fuzz    fuzz the MCD server of an AddressSanitizer build of all
#                four emulators, then soak it with disconnects
#   make bench   build, then measure latency and throughput
#   make series  write the series as git format-patch files to build/series
#   make series-check
#                apply the series patch by patch to the baseline, build and
#                test every step, run checkpatch on every patch

B ?= $(CURDIR)/build
QEMU_BUILD := $(B)/qemu-build
ASAN_BUILD := $(B)/qemu-build-asan
SANITIZE ?= 0
# Emulators of the sanitizer build: make check needs one, make fuzz all.
ASAN_ARCHS ?= aarch64
FUZZ_ARCHS ?= aarch64 arm riscv64 i386

.PHONY: all build build-nomcd build-asan deps prepare configure run check fuzz \
	bench series series-check refresh-patches clean distclean

all: build

deps:
	@bash mk/deps.sh

prepare: deps
	@bash mk/prepare.sh $(B)

configure: prepare
	@bash mk/configure.sh $(B)

build: configure
	@ninja -C $(QEMU_BUILD)
	@bash mk/firmware.sh $(B)
	@$(MAKE) --no-print-directory -C contrib/mcd-client O=$(B)/mcd-client \
		QEMU_DIR=$(QEMU_BUILD)
	@$(MAKE) --no-print-directory -C contrib/mcd-cli O=$(B)/mcd-cli \
		MCD_CLIENT_LIB=$(B)/mcd-client
	@$(MAKE) --no-print-directory -C contrib/mcd-demo O=$(B)/mcd-demo
	@$(MAKE) --no-print-directory -C contrib/mcd-bench O=$(B)/mcd-bench \
		MCD_CLIENT_LIB=$(B)/mcd-client

run: build
	@bash mk/run.sh $(B)

# The build without MCD only needs its emulator, for the refusal test.
build-nomcd: prepare
	@bash mk/configure.sh $(B) nomcd
	@ninja -C $(B)/qemu-build-nomcd qemu-system-aarch64

build-asan: prepare
	@bash mk/configure.sh $(B) asan
	@ninja -C $(ASAN_BUILD) tests/qtest/mcd-test \
		$(foreach a,$(ASAN_ARCHS),qemu-system-$(a))
	@bash mk/firmware.sh $(B) $(ASAN_BUILD)

check: build build-nomcd $(if $(filter 1,$(SANITIZE)),build-asan)
	@SANITIZE=$(SANITIZE) ASAN_ARCHS="$(ASAN_ARCHS)" bash mk/check.sh $(B)

fuzz: build
	@$(MAKE) --no-print-directory build-asan ASAN_ARCHS="$(FUZZ_ARCHS)"
	@FUZZ_ARCHS="$(FUZZ_ARCHS)" bash mk/fuzz.sh $(B)

bench: build
	@bash mk/bench.sh $(B)

series: prepare
	@python3 mk/series.py $(B)

series-check: series
	@bash mk/series-check.sh $(B)

# After editing an upstream file in $(B)/qemu-src, fold the edit back
# into the patch that touches that file.
refresh-patches:
	@bash mk/refresh-patches.sh $(B)/qemu-src

clean:
	rm -rf $(B)/series $(B)/series-git $(B)/series-check
	rm -rf $(QEMU_BUILD) $(B)/qemu-build.configured $(B)/qemu-build-nomcd \
		$(B)/qemu-build-nomcd.configured $(ASAN_BUILD) \
		$(B)/qemu-build-asan.configured

distclean:
	rm -rf $(B)
