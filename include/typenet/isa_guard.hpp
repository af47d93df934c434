// The run-time ISA guard: a program built for an instruction set this CPU lacks
// stops before main with a message that names what is missing, instead of dying
// on SIGILL somewhere in a kernel.
//
// Every translation unit that includes it (kernels/simd.hpp does) registers a
// constructor of the highest user priority (101, before the ordinary static
// initializers) that compares the instruction-set macros the compiler defined for
// that unit (__AVX2__, __FMA__, __AVX512F__, __AVX512BW__, ...) with what the CPU
// reports (__builtin_cpu_supports, which also checks that the OS saves the AVX and
// AVX-512 registers). If one is missing it writes, to stderr,
//
//   typenet: this program was built for AVX-512 (it needs sse2 sse3 ... avx512vl) but this CPU
//   lacks avx512bw; rebuild it without the -march option that chose AVX-512, or with
//   -march=native on the machine that runs it (docs/runtime.md, "Running on another CPU")
//
// and exits with status typenet::isa_guard::exit_status (78) without running main.
//
// The check itself must run on the CPU it checks: it and its helpers are compiled
// with __attribute__((target("arch=x86-64"))), which makes GCC and clang emit
// baseline x86-64 code (SSE2, no VEX/EVEX, no BMI) for them whatever -march says,
// and they call only libc (fputs, _Exit) and the compiler's cpuid support
// (__builtin_cpu_init, __builtin_cpu_supports, from libgcc / compiler-rt).
// tests/isa/check.py verifies that on the disassembly.
//
// Macros:
//   TYPENET_NO_ISA_GUARD: define it (before any typenet header, or with -D) in a unit that is
//     built for a higher ISA on purpose and entered only after a run-time check of its own
//     (run-time dispatch); the guard is then not compiled into that unit.
//   TYPENET_ISA_GUARD_PRETEND_MISSING: a string literal, feature names separated by commas or
//     spaces (the names of __builtin_cpu_supports, e.g. "avx512bw" or "avx2,fma"): the guard
//     treats them as missing from the CPU. For testing the guard on a CPU that has everything.
//     A name the unit was not built for changes nothing.
//
// Only x86-64 with GCC or clang has a guard; elsewhere this header is empty.
#pragma once

#if !defined(TYPENET_NO_ISA_GUARD) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <cstddef>
#include <cstdio>
#include <cstdlib>

// Baseline x86-64 code for the guard whatever the unit's -march (see above).
#define TYPENET_ISA_GUARD_BASELINE __attribute__((target("arch=x86-64")))

namespace typenet::isa_guard {

/// The exit status of a program the guard stops (EX_CONFIG of <sysexits.h>).
inline constexpr int exit_status = 78;

namespace detail {

// `static` (one copy per unit, each with its own constructor; all agree), so that no
// unit can end up calling another unit's copy compiled with a different -march.

TYPENET_ISA_GUARD_BASELINE static void append(char* buf, std::size_t cap, std::size_t& len, const char* s) noexcept {
  while (*s != '\0' && len + 1 < cap) buf[len++] = *s++;
  buf[len] = '\0';
}

/// Whether `name` is one of the comma- or space-separated words of `list`.
TYPENET_ISA_GUARD_BASELINE static bool listed(const char* list, const char* name) noexcept {
  if (list == nullptr) return false;
  const char* p = list;
  while (*p != '\0') {
    while (*p == ',' || *p == ' ') ++p;
    const char* word = p;
    while (*p != '\0' && *p != ',' && *p != ' ') ++p;
    const char* n = name;
    const char* w = word;
    while (w != p && *n != '\0' && *w == *n) {
      ++w;
      ++n;
    }
    if (w == p && *n == '\0' && p != word) return true;
  }
  return false;
}

__attribute__((constructor(101), used)) TYPENET_ISA_GUARD_BASELINE static void check_isa() noexcept {
#if defined(TYPENET_ISA_GUARD_PRETEND_MISSING)
  const char* const pretend = TYPENET_ISA_GUARD_PRETEND_MISSING;
#else
  const char* const pretend = nullptr;
#endif
  __builtin_cpu_init();  // constructors may run before libgcc's own initializer
  char needs[512];
  char lacks[512];
  std::size_t needs_len = 0, lacks_len = 0;
  needs[0] = lacks[0] = '\0';

#define TYPENET_ISA_GUARD_NEED(feature)                                              \
  do {                                                                               \
    append(needs, sizeof needs, needs_len, needs_len ? " " feature : feature);       \
    if (!__builtin_cpu_supports(feature) || listed(pretend, feature))                \
      append(lacks, sizeof lacks, lacks_len, lacks_len ? ", " feature : feature);    \
  } while (false)

  // Every macro the compiler may define for an x86-64 target that __builtin_cpu_supports can
  // check, in the order of the ISA levels.
#if defined(__SSE2__)
  TYPENET_ISA_GUARD_NEED("sse2");
#endif
#if defined(__SSE3__)
  TYPENET_ISA_GUARD_NEED("sse3");
#endif
#if defined(__SSSE3__)
  TYPENET_ISA_GUARD_NEED("ssse3");
#endif
#if defined(__SSE4_1__)
  TYPENET_ISA_GUARD_NEED("sse4.1");
#endif
#if defined(__SSE4_2__)
  TYPENET_ISA_GUARD_NEED("sse4.2");
#endif
#if defined(__SSE4A__)
  TYPENET_ISA_GUARD_NEED("sse4a");
#endif
#if defined(__POPCNT__)
  TYPENET_ISA_GUARD_NEED("popcnt");
#endif
#if defined(__AES__)
  TYPENET_ISA_GUARD_NEED("aes");
#endif
#if defined(__PCLMUL__)
  TYPENET_ISA_GUARD_NEED("pclmul");
#endif
#if defined(__AVX__)
  TYPENET_ISA_GUARD_NEED("avx");
#endif
#if defined(__AVX2__)
  TYPENET_ISA_GUARD_NEED("avx2");
#endif
#if defined(__FMA__)
  TYPENET_ISA_GUARD_NEED("fma");
#endif
#if defined(__FMA4__)
  TYPENET_ISA_GUARD_NEED("fma4");
#endif
#if defined(__XOP__)
  TYPENET_ISA_GUARD_NEED("xop");
#endif
#if defined(__BMI__)
  TYPENET_ISA_GUARD_NEED("bmi");
#endif
#if defined(__BMI2__)
  TYPENET_ISA_GUARD_NEED("bmi2");
#endif
#if defined(__GFNI__)
  TYPENET_ISA_GUARD_NEED("gfni");
#endif
#if defined(__VPCLMULQDQ__)
  TYPENET_ISA_GUARD_NEED("vpclmulqdq");
#endif
#if defined(__AVX512F__)
  TYPENET_ISA_GUARD_NEED("avx512f");
#endif
#if defined(__AVX512CD__)
  TYPENET_ISA_GUARD_NEED("avx512cd");
#endif
#if defined(__AVX512DQ__)
  TYPENET_ISA_GUARD_NEED("avx512dq");
#endif
#if defined(__AVX512BW__)
  TYPENET_ISA_GUARD_NEED("avx512bw");
#endif
#if defined(__AVX512VL__)
  TYPENET_ISA_GUARD_NEED("avx512vl");
#endif
#if defined(__AVX512IFMA__)
  TYPENET_ISA_GUARD_NEED("avx512ifma");
#endif
#if defined(__AVX512VBMI__)
  TYPENET_ISA_GUARD_NEED("avx512vbmi");
#endif
#if defined(__AVX512VBMI2__)
  TYPENET_ISA_GUARD_NEED("avx512vbmi2");
#endif
#if defined(__AVX512VNNI__)
  TYPENET_ISA_GUARD_NEED("avx512vnni");
#endif
#if defined(__AVX512BITALG__)
  TYPENET_ISA_GUARD_NEED("avx512bitalg");
#endif
#if defined(__AVX512VPOPCNTDQ__)
  TYPENET_ISA_GUARD_NEED("avx512vpopcntdq");
#endif
#if defined(__AVX512BF16__)
  TYPENET_ISA_GUARD_NEED("avx512bf16");
#endif
#if defined(__AVX512VP2INTERSECT__)
  TYPENET_ISA_GUARD_NEED("avx512vp2intersect");
#endif
#if !defined(__clang__)  // names clang 16's __builtin_cpu_supports does not know
#if defined(__F16C__)
  TYPENET_ISA_GUARD_NEED("f16c");
#endif
#if defined(__LZCNT__)
  TYPENET_ISA_GUARD_NEED("lzcnt");
#endif
#if defined(__MOVBE__)
  TYPENET_ISA_GUARD_NEED("movbe");
#endif
#if defined(__ADX__)
  TYPENET_ISA_GUARD_NEED("adx");
#endif
#if defined(__SHA__)
  TYPENET_ISA_GUARD_NEED("sha");
#endif
#if defined(__AVXVNNI__)
  TYPENET_ISA_GUARD_NEED("avxvnni");
#endif
#endif
#undef TYPENET_ISA_GUARD_NEED

  if (lacks_len == 0) return;

#if defined(__AVX512F__)
  const char* const level = "AVX-512";
#elif defined(__AVX2__)
  const char* const level = "AVX2";
#elif defined(__AVX__)
  const char* const level = "AVX";
#elif defined(__SSE4_2__)
  const char* const level = "SSE4.2";
#elif defined(__SSE4_1__)
  const char* const level = "SSE4.1";
#elif defined(__SSSE3__)
  const char* const level = "SSSE3";
#elif defined(__SSE3__)
  const char* const level = "SSE3";
#else
  const char* const level = "SSE2";
#endif
  char message[1536];
  std::size_t len = 0;
  message[0] = '\0';
  append(message, sizeof message, len, "typenet: this program was built for ");
  append(message, sizeof message, len, level);
  append(message, sizeof message, len, " (it needs ");
  append(message, sizeof message, len, needs);
  append(message, sizeof message, len, ") but this CPU lacks ");
  append(message, sizeof message, len, lacks);
  append(message, sizeof message, len, "; rebuild it without the -march option that chose ");
  append(message, sizeof message, len, level);
  append(message, sizeof message, len,
         ", or with -march=native on the machine that runs it (docs/runtime.md, \"Running on another CPU\")\n");
  std::fputs(message, stderr);
  std::_Exit(exit_status);  // no static destructor of a unit built for the missing ISA runs
}

}  // namespace detail
}  // namespace typenet::isa_guard

#undef TYPENET_ISA_GUARD_BASELINE

#endif
