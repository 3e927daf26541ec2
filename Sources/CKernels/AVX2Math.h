#ifndef DIFFUSE_AVX2_MATH_H
#define DIFFUSE_AVX2_MATH_H
// Shared AVX2 helpers of the kernels (internal header, not part of the module's interface).
#if defined(__x86_64__)
#include <immintrin.h>

#define DIFFUSE_AVX2 __attribute__((target("avx2,fma")))

/// Lanes `0 ..< count` set (count in 0...8), for masked loads and stores of a row's tail.
static inline DIFFUSE_AVX2 __m256i diffuse_tail_mask(long count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The sum of the 8 lanes.
static inline DIFFUSE_AVX2 float diffuse_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// `e^x`, the same approximation as Swift's `fastExp` (Cody-Waite reduction, Cephes `expf`
/// polynomial, relative error about 1e-7; inputs clamped to [-87.3, 88.3]).
static inline DIFFUSE_AVX2 __m256 diffuse_exp(__m256 x) {
    x = _mm256_min_ps(x, _mm256_set1_ps(88.3f));
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);   // 1.5 * 2^23: t's low bits hold n
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.1219444e-4f), r);
    __m256 p = _mm256_set1_ps(1.98756915e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 er = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127 - 0x4B400000));
    return _mm256_mul_ps(er, _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23)));
}

/// `1 / (1 + e^-z)`: the reciprocal by `rcp` and one Newton step (relative error about 1e-7,
/// against a division 4 to 8 times slower on current cores).
static inline DIFFUSE_AVX2 __m256 diffuse_sigmoid(__m256 z) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 d = _mm256_add_ps(one, diffuse_exp(_mm256_sub_ps(_mm256_setzero_ps(), z)));
    __m256 y = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(y, _mm256_fnmadd_ps(d, y, one), y);
}

#endif
#endif
