// AVX2 + FMA versions of the Winograd F(2x2, 3x3) input and output transforms (Winograd.c has
// the formulas and layouts): 8 consecutive tiles of a tile row per vector. Each tile row's 4
// input rows are first copied into zero-padded row buffers, so the vector loop needs no bounds
// checks; tile columns j = 0..3 of 8 tiles are the even and odd elements of 16-float spans.
#include "CKernels.h"
#include "AVX2Math.h"
#include <string.h>

#if defined(__x86_64__)

/// Elements 0, 2, ..., 14 (evens) or 1, 3, ..., 15 (odds) of the 16 floats a:b.
static inline DIFFUSE_AVX2 __m256 evens(__m256 a, __m256 b) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
}
static inline DIFFUSE_AVX2 __m256 odds(__m256 a, __m256 b) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

DIFFUSE_AVX2 void diffuse_winograd_input_transform_avx2(const float *x, float *v, long samples, long cin, long c0,
                                                        long c1, long h, long w, long pad, long tilesH, long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cin * tiles;
    const long groups = (tilesW + 7) / 8, len = 16 * groups + 2;
    float buffer[4 * len];   // buffer[i * len + c] = x[y0 + i, c - pad], zero outside the image
    const __m256i tail = diffuse_tail_mask(tilesW - 8 * (groups - 1));
    for (long s = 0; s < samples; s++) {
        for (long ci = c0; ci < c1; ci++) {
            const float *plane = x + (s * cin + ci) * h * w;
            float *vc = v + ci * tiles + s * tilesH * tilesW;
            for (long ty = 0; ty < tilesH; ty++) {
                const long y0 = 2 * ty - pad;
                for (int i = 0; i < 4; i++) {
                    float *row = buffer + i * len;
                    memset(row, 0, sizeof(float) * len);
                    const long yy = y0 + i;
                    if (yy < 0 || yy >= h) continue;
                    const long first = pad, count = w < len - pad ? w : len - pad;   // input columns 0 ..< count
                    memcpy(row + first, plane + yy * w, sizeof(float) * count);
                }
                float *out = vc + ty * tilesW;
                for (long gi = 0; gi < groups; gi++) {
                    __m256 d[4][4];
                    for (int i = 0; i < 4; i++) {
                        const float *p = buffer + i * len + 16 * gi;
                        __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
                        __m256 a2 = _mm256_loadu_ps(p + 2), b2 = _mm256_loadu_ps(p + 10);
                        d[i][0] = evens(a, b);
                        d[i][1] = odds(a, b);
                        d[i][2] = evens(a2, b2);
                        d[i][3] = odds(a2, b2);
                    }
                    __m256 t[4][4];   // B^T d
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = _mm256_sub_ps(d[0][j], d[2][j]);
                        t[1][j] = _mm256_add_ps(d[1][j], d[2][j]);
                        t[2][j] = _mm256_sub_ps(d[2][j], d[1][j]);
                        t[3][j] = _mm256_sub_ps(d[1][j], d[3][j]);
                    }
                    const int last = gi == groups - 1;
                    for (int i = 0; i < 4; i++) {   // (B^T d) B
                        __m256 r[4] = {_mm256_sub_ps(t[i][0], t[i][2]), _mm256_add_ps(t[i][1], t[i][2]),
                                       _mm256_sub_ps(t[i][2], t[i][1]), _mm256_sub_ps(t[i][1], t[i][3])};
                        for (int j = 0; j < 4; j++) {
                            float *dst = out + (i * 4 + j) * stride + 8 * gi;
                            if (last) _mm256_maskstore_ps(dst, tail, r[j]); else _mm256_storeu_ps(dst, r[j]);
                        }
                    }
                }
            }
        }
    }
}

DIFFUSE_AVX2 void diffuse_winograd_output_transform_avx2(const float *m, float *y, const float *bias, long samples,
                                                         long cout, long c0, long c1, long outH, long outW,
                                                         long tilesH, long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cout * tiles;
    const long groups = (tilesW + 7) / 8, len = 16 * groups;
    float buffer[2 * len];   // the tile row's two output rows, then copied (cropped) to y
    const __m256i tail = diffuse_tail_mask(tilesW - 8 * (groups - 1));
    for (long s = 0; s < samples; s++) {
        for (long co = c0; co < c1; co++) {
            const float *mc = m + co * tiles + s * tilesH * tilesW;
            float *plane = y + (s * cout + co) * outH * outW;
            const __m256 b = _mm256_set1_ps(bias ? bias[co] : 0.0f);
            for (long ty = 0; ty < tilesH; ty++) {
                const float *row = mc + ty * tilesW;
                for (long gi = 0; gi < groups; gi++) {
                    const int last = gi == groups - 1;
                    __m256 mv[4][4];
                    for (int xi = 0; xi < 16; xi++) {
                        const float *p = row + xi * stride + 8 * gi;
                        mv[xi / 4][xi % 4] = last ? _mm256_maskload_ps(p, tail) : _mm256_loadu_ps(p);
                    }
                    __m256 t[2][4];   // A^T m
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = _mm256_add_ps(_mm256_add_ps(mv[0][j], mv[1][j]), mv[2][j]);
                        t[1][j] = _mm256_sub_ps(_mm256_sub_ps(mv[1][j], mv[2][j]), mv[3][j]);
                    }
                    for (int i = 0; i < 2; i++) {   // (A^T m) A + bias, columns interleaved back
                        __m256 left = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(t[i][0], t[i][1]), t[i][2]), b);
                        __m256 right = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(t[i][1], t[i][2]), t[i][3]), b);
                        __m256 lo = _mm256_unpacklo_ps(left, right), hi = _mm256_unpackhi_ps(left, right);
                        float *dst = buffer + i * len + 16 * gi;
                        _mm256_storeu_ps(dst, _mm256_permute2f128_ps(lo, hi, 0x20));
                        _mm256_storeu_ps(dst + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
                    }
                }
                for (int i = 0; i < 2 && 2 * ty + i < outH; i++)
                    memcpy(plane + (2 * ty + i) * outW, buffer + i * len, sizeof(float) * outW);
            }
        }
    }
}

#else

// Not x86-64: unreachable (diffuse_cpu_has_avx2_fma() is 0); defined so that the module links.
void diffuse_winograd_input_transform_avx2(const float *x, float *v, long samples, long cin, long c0, long c1,
                                           long h, long w, long pad, long tilesH, long tilesW) { __builtin_trap(); }
void diffuse_winograd_output_transform_avx2(const float *m, float *y, const float *bias, long samples, long cout,
                                            long c0, long c1, long outH, long outW, long tilesH, long tilesW) {
    __builtin_trap();
}

#endif

#if defined(__x86_64__)

/// G g G^T for output channels [co0, co1) (Winograd.c's diffuse_winograd_kernel_transform for
/// all of them): 8 consecutive input channels per vector, their 3x3 kernels gathered 9 floats
/// apart, the same operations in the same order as the portable loop (so the same bits).
DIFFUSE_AVX2 void diffuse_winograd_kernel_transform_avx2(const float *w, float *u, long co0, long co1, long cout, long cin) {
    const long plane = cout * cin;
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256i offsets = _mm256_setr_epi32(0, 9, 18, 27, 36, 45, 54, 63);
    for (long co = co0; co < co1; co++) {
        long ci = 0;
        for (; ci + 8 <= cin; ci += 8) {
            const float *g = w + (co * cin + ci) * 9;
            __m256 t[4][3];   // G g
            for (int j = 0; j < 3; j++) {
                __m256 g0 = _mm256_i32gather_ps(g + j, offsets, 4);
                __m256 g1 = _mm256_i32gather_ps(g + 3 + j, offsets, 4);
                __m256 g2 = _mm256_i32gather_ps(g + 6 + j, offsets, 4);
                t[0][j] = g0;
                t[1][j] = _mm256_mul_ps(half, _mm256_add_ps(_mm256_add_ps(g0, g1), g2));
                t[2][j] = _mm256_mul_ps(half, _mm256_add_ps(_mm256_sub_ps(g0, g1), g2));
                t[3][j] = g2;
            }
            float *out = u + co * cin + ci;
            for (int i = 0; i < 4; i++) {   // (G g) G^T
                __m256 a = t[i][0], b = t[i][1], c = t[i][2];
                _mm256_storeu_ps(out + (i * 4 + 0) * plane, a);
                _mm256_storeu_ps(out + (i * 4 + 1) * plane, _mm256_mul_ps(half, _mm256_add_ps(_mm256_add_ps(a, b), c)));
                _mm256_storeu_ps(out + (i * 4 + 2) * plane, _mm256_mul_ps(half, _mm256_add_ps(_mm256_sub_ps(a, b), c)));
                _mm256_storeu_ps(out + (i * 4 + 3) * plane, c);
            }
        }
        if (ci < cin) diffuse_winograd_kernel_transform_rows(w, u, co, co + 1, ci, cin, cout, cin);
    }
}

#else

void diffuse_winograd_kernel_transform_avx2(const float *w, float *u, long co0, long co1, long cout, long cin) { __builtin_trap(); }

#endif
