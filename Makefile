# The README's Quick start: `make run` and `make check`.  Both install the
# Debian packages that are missing (only those), configure and build.
BUILD ?= build
JOBS ?= $(shell nproc)

# Build dependencies, then what the tests use as independent oracles and
# real peers (lsblk, ip netns, QEMU boards, smartctl, skdump).
DEBS_BUILD = cmake gcc make pkg-config libuv1-dev libjansson-dev libcmocka-dev \
	libsensors-dev libatasmart-dev libinih-dev nanopb libnanopb-dev libsqlite3-dev libpq-dev libhttp-parser-dev libssl-dev libcap-ng-dev libseccomp-dev liblldpctl-dev librdkafka-dev python3
DEBS_TEST = jq iproute2 util-linux procps qemu-system-x86 qemu-utils busybox-static \
	cpio kmod smartmontools libatasmart-bin umockdev libumockdev-dev zookeeper protobuf-compiler prometheus curl openssl postgresql \
	chromium nodejs npm icinga2-bin nagios4-core lldpd
# `make package` (man pages, .deb, .rpm) and its test (linters, systemd-analyze).
DEBS_FUZZ = clang libclang-rt-14-dev llvm
DEBS_PACKAGE = scdoc dpkg-dev rpm lintian rpmlint systemd openssl

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run check check-sanitize fuzz check-fuzz bench package check-package clean

all: build

# A package whose command is already there is not asked for: a machine
# with another vendor's nodejs (which carries its own npm) cannot take
# Debian's npm beside it.
DEBS_BY_COMMAND = npm:npm

deps:
	@missing=""; for p in $(DEBS_BUILD) $(DEBS_TEST) $(DEBS_FUZZ) $(DEBS_PACKAGE); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' && continue; \
	  cmd=""; for pc in $(DEBS_BY_COMMAND); do [ "$${pc%%:*}" = "$$p" ] && cmd=$${pc#*:}; done; \
	  [ -n "$$cmd" ] && command -v "$$cmd" >/dev/null 2>&1 && continue; \
	  missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# A kcollectord and a kagentd for this machine on loopback, until the
# first report is acknowledged: `kagent status` and `kagent fleet`.
run: build
	scripts/run-local.sh $(BUILD)/bin

check: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite once more under AddressSanitizer and UBSan.
check-sanitize: deps
	cmake -S . -B $(BUILD)-san -DCMAKE_BUILD_TYPE=Debug -DKAGENT_SANITIZE=ON >/dev/null
	cmake --build $(BUILD)-san -j$(JOBS)
	cd $(BUILD)-san && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS)

# libFuzzer harnesses (clang, tests/fuzz/run.sh): long runs, and the short
# bounded one CI does.  Crash inputs land in $(BUILD)-fuzz/artifacts/.
FUZZ_SECONDS ?= 300
CHECK_FUZZ_SECONDS ?= 10

fuzz: deps
	FUZZ_BUILD=$(BUILD)-fuzz tests/fuzz/run.sh all $(FUZZ_SECONDS)

check-fuzz: deps
	FUZZ_BUILD=$(BUILD)-fuzz tests/fuzz/run.sh all $(CHECK_FUZZ_SECONDS)

bench: build
	bench/inventory.sh $(BUILD)/bin

# The .deb and .rpm of kagent and kagent-collector, in $(BUILD)-pkg/packages,
# built with Debian's hardening flags (as dpkg-buildpackage would) and
# installed below /usr.
PKG_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all
package: deps
	cmake -S . -B $(BUILD)-pkg -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
	  -DCMAKE_C_FLAGS="$$($(PKG_FLAGS) dpkg-buildflags --get CFLAGS) $$($(PKG_FLAGS) dpkg-buildflags --get CPPFLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$($(PKG_FLAGS) dpkg-buildflags --get LDFLAGS)" >/dev/null
	cmake --build $(BUILD)-pkg -j$(JOBS)
	cd $(BUILD)-pkg && cpack
	@ls -1 $(BUILD)-pkg/packages/*.deb $(BUILD)-pkg/packages/*.rpm

# Linters, contents, and an install/remove/purge of the .debs on this
# machine (root; it leaves the machine as it found it).
check-package: package
	bash tests/package/kagent_ca.sh
	bash tests/package/man_conf.sh
	$(SUDO) bash tests/package/package.sh $(BUILD)-pkg

clean:
	rm -rf $(BUILD) $(BUILD)-san $(BUILD)-pkg
