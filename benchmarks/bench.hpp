// What the benchmark programs share: timing in turns, Markdown tables, the machine's name, aligned
// buffers. (benchmarks/forward.cpp, benchmarks/layers.cpp)
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <new>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

// The compiler flags of the build, recorded by benchmarks/meson.build for the programs that print them.
#ifndef TYPENET_BENCH_FLAGS
#define TYPENET_BENCH_FLAGS "(not recorded)"
#endif

namespace typenet_bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_of(const std::function<void()>& f, long iterations) {
  const auto start = clock_type::now();
  for (long i = 0; i < iterations; ++i) f();
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Median seconds per call of each of `fs`: each is warmed up for at least
/// 0.1 s (and 2 calls) and then timed in `samples` samples, each of as many
/// calls as last at least `min_time`. The functions take turns sample by
/// sample, so that a change in the machine's speed affects all of them alike.
inline std::vector<double> median_times(const std::vector<std::function<void()>>& fs, int samples, double min_time) {
  std::vector<long> iterations;
  for (const auto& f : fs) {
    double warm = 0;
    long calls = 0;
    while (warm < 0.1 || calls < 2) {
      warm += seconds_of(f, 1);
      ++calls;
    }
    const double one = warm / static_cast<double>(calls);
    iterations.push_back(std::max(1L, static_cast<long>(std::ceil(min_time / std::max(one, 1e-9)))));
  }
  std::vector<std::vector<double>> t(fs.size());
  for (int s = 0; s < samples; ++s)
    for (std::size_t i = 0; i < fs.size(); ++i)
      t[i].push_back(seconds_of(fs[i], iterations[i]) / static_cast<double>(iterations[i]));
  std::vector<double> medians;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    medians.push_back(v[v.size() / 2]);
  }
  return medians;
}

/// What a benchmark of one table takes on its command line: --samples N (of median_times) and
/// --min-time SECONDS (each sample's least time).
struct timing_options {
  int samples = 7;
  double min_time = 0.1;
};

/// Reads --samples and --min-time into opt; on anything else prints the usage and returns false.
inline bool parse_timing_options(int argc, char** argv, timing_options& opt) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--samples" && i + 1 < argc) opt.samples = std::max(1, std::atoi(argv[++i]));
    else if (a == "--min-time" && i + 1 < argc) opt.min_time = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--samples N] [--min-time SECONDS]\n", argv[0]);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Formatting.

inline std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

inline std::string time_text(double s) {
  if (s < 1e-3) return fmt("%.1f us", s * 1e6);
  if (s < 1) return fmt("%.3f ms", s * 1e3);
  return fmt("%.3f s", s);
}

inline std::string gflops_text(std::size_t macs, std::size_t batch, double s) {
  if (macs == 0) return "-";  // pooling: no multiply-accumulates
  return fmt("%.1f", 2.0 * static_cast<double>(macs) * static_cast<double>(batch) / s / 1e9);
}

/// A Markdown table whose columns are padded to their widest cell, so it reads
/// the same in a terminal and in docs/performance.md.
struct table {
  std::vector<std::string> head;
  std::vector<bool> right;  // right-aligned columns
  std::vector<std::vector<std::string>> rows;

  void print() const {
    std::vector<std::size_t> w(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
      w[c] = head[c].size();
      for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
    }
    // Appends only: g++ 12 reports `"literal" + std::string` as overlapping memcpy (GCC bug 105651).
    auto line = [&](const std::vector<std::string>& cells) {
      std::string s = "|";
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::size_t pad = w[c] - cells[c].size();
        s.push_back(' ');
        if (right[c]) s.append(pad, ' ');
        s.append(cells[c]);
        if (!right[c]) s.append(pad, ' ');
        s.append(" |");
      }
      std::puts(s.c_str());
    };
    line(head);
    std::string rule = "|";
    for (std::size_t c = 0; c < head.size(); ++c) {
      if (!right[c]) rule.push_back(':');
      rule.append(w[c] + 1, '-');
      if (right[c]) rule.push_back(':');
      rule.push_back('|');
    }
    std::puts(rule.c_str());
    for (const auto& r : rows) line(r);
  }
};

// ---------------------------------------------------------------------------
// Environment.

inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, name = "unknown", family, model;
  while (std::getline(f, line)) {
    auto value = [&] { return line.substr(line.find(':') + 2); };
    if (line.rfind("model name", 0) == 0 && name == "unknown") name = value();
    else if (line.rfind("cpu family", 0) == 0 && family.empty()) family = value();
    else if (line.rfind("model\t", 0) == 0 && model.empty()) model = value();
  }
  return name + " (family " + family + ", model " + model + "), " + std::to_string(std::thread::hardware_concurrency()) +
         " logical CPUs";
}

inline std::string compiler() {
#if defined(__clang__)
  return "clang++ " __clang_version__;
#elif defined(__GNUC__)
  return "g++ " __VERSION__;
#else
  return "unknown";
#endif
}

// ---------------------------------------------------------------------------
// Data.

/// 64-byte aligned, as typenet::tensor and oneDNN's own buffers are: a plain
/// vector's large blocks start 16 bytes into a page, and every AVX-512 load
/// from them would straddle two cache lines.
template <class T>
struct aligned_64 {
  using value_type = T;
  aligned_64() = default;
  template <class U>
  aligned_64(const aligned_64<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
  bool operator==(const aligned_64&) const = default;
};
using floats = std::vector<float, aligned_64<float>>;

inline void fill(std::span<float> v, std::mt19937_64& g, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& x : v) x = d(g);
}

}  // namespace typenet_bench
