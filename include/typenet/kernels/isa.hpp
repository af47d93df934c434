// TYPENET_ISA_NAMESPACE: the inline namespace that keys ISA-dependent code on the instruction set being compiled for.
#pragma once

// The namespace that keys every ISA-dependent function and type (kernels,
// the run time, model's default Isa) on the instruction set this translation
// unit is compiled for. Two units built for different ISAs (docs/runtime.md,
// "One binary for every CPU") then instantiate different symbols, never the
// same template with two bodies.
#if defined(__AVX512BW__)
#define TYPENET_ISA_NAMESPACE isa_avx512bw
#elif defined(__AVX512F__)
#define TYPENET_ISA_NAMESPACE isa_avx512f
#elif defined(__AVX2__) && defined(__FMA__)
#define TYPENET_ISA_NAMESPACE isa_fma3_avx2
#elif defined(__AVX2__)
#define TYPENET_ISA_NAMESPACE isa_avx2
#elif defined(__AVX__) && defined(__FMA__)
#define TYPENET_ISA_NAMESPACE isa_fma3_avx
#elif defined(__AVX__)
#define TYPENET_ISA_NAMESPACE isa_avx
#elif defined(__SSE4_2__)
#define TYPENET_ISA_NAMESPACE isa_sse4_2
#elif defined(__SSE4_1__)
#define TYPENET_ISA_NAMESPACE isa_sse4_1
#elif defined(__SSSE3__)
#define TYPENET_ISA_NAMESPACE isa_ssse3
#elif defined(__SSE3__)
#define TYPENET_ISA_NAMESPACE isa_sse3
#elif defined(__SSE2__)
#define TYPENET_ISA_NAMESPACE isa_sse2
#elif defined(__ARM_NEON)
#define TYPENET_ISA_NAMESPACE isa_neon
#else
#define TYPENET_ISA_NAMESPACE isa_generic
#endif

