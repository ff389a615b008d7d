# assist: the two commands are `make demo` and `make check`; the rest is detail.
#   make          build build/assist
#   make demo     install what is missing, build, create var/assist.db with demo data, serve :8080
#   make check    install what is missing, build (also with ASan+UBSan), run every test
#   make bench    benchmarks (wrk against assist and nginx side by side)
#   make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 60)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DB         ?= var/assist.db
LISTEN     ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 60

.PHONY: all deps deps-build demo check unit api browser lint bench fuzz clean

all: deps-build $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps-build:
	@scripts/deps.sh build

deps:
	@scripts/deps.sh all

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

demo: deps-build all
	@mkdir -p var
	@if [ ! -f "$(DB)" ]; then $(BUILD)/assist demo --db $(DB); \
	 else echo "assist: using the existing $(DB) (delete it for a fresh demo)"; $(BUILD)/assist init --db $(DB); fi
	@echo "assist: open http://$(LISTEN)/ (Ctrl+C stops)"
	$(BUILD)/assist serve --db $(DB) --listen $(LISTEN)

check: deps all $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	scripts/check.sh

bench: deps all
	bench/run.sh

fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_lundef=false -Dwerror=false
	ninja -C $(FUZZ_BUILD)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
