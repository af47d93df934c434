# Sourced by benchmarks/run-forward and run-tiles: `bench_build ISA TARGET` builds TARGET of the
# benchmarks for ISA (native: this CPU's best; avx2: -march=x86-64-v3; sse2: -march=x86-64) in
# $BUILD_DIR or build-bench[-ISA], sets `dir`, and caps oneDNN at the same ISA (ONEDNN_MAX_CPU_ISA)
# so that both run the same instructions.
bench_build() {
  local isa=$1 target=$2 march
  case "$isa" in
    native) march=native; dir=${BUILD_DIR:-build-bench} ;;
    avx2) march=x86-64-v3; dir=${BUILD_DIR:-build-bench-avx2}; export ONEDNN_MAX_CPU_ISA=AVX2 ;;
    sse2) march=x86-64; dir=${BUILD_DIR:-build-bench-sse2}; export ONEDNN_MAX_CPU_ISA=SSE41 ;;
    *) echo "$0: --isa takes native, avx2 or sse2, not '$isa'" >&2; exit 2 ;;
  esac
  if [ "$isa" = avx2 ] && ! grep -qw avx2 /proc/cpuinfo; then
    echo "$0: this CPU has no AVX2" >&2; exit 2
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --buildtype=release -Dbenchmarks=true -Dbench_march="$march" -Dtests=false -Dexamples=false \
      -Ddocs=false >/dev/null
  fi
  ninja -C "$dir" build.ninja >/dev/null  # regenerates it if a meson.build changed
  meson compile -C "$dir" "$target" >/dev/null
}

# Other work on the machine corrupts the figures: say so rather than hide it.
warn_if_busy() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" 'BEGIN { exit !(l >= 0.5) }'; then
    echo "warning: load average is $load (>= 0.5): other work may slow the runs; wait and re-run" >&2
  fi
}
