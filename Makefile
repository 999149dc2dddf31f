# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU with the MCD debug server: fetch, patch, build, run and test.
#   make run     build, start the demo guest halted with MCD on
#                127.0.0.1:1235 and attach the mcd debugger to it
#   make check   build, then run every MCD test
#   make bench   build, then measure latency and throughput

B ?= $(CURDIR)/build
QEMU_BUILD := $(B)/qemu-build

.PHONY: all build deps prepare configure run check bench refresh-patches clean distclean

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

run: build
	@bash mk/run.sh $(B)

check: build
	@bash mk/check.sh $(B)

bench: build
	@bash mk/bench.sh $(B)

# After editing an upstream file in $(B)/qemu-src, fold the edit back
# into the patch that touches that file.
refresh-patches:
	@bash mk/refresh-patches.sh $(B)/qemu-src

clean:
	rm -rf $(QEMU_BUILD) $(B)/.configured

distclean:
	rm -rf $(B)
