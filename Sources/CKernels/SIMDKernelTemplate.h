// The width-generic vector kernels of CKernels (internal header, not part of the module's
// interface), written once with clang's vector extensions and instantiated by a .c file per
// width and instruction set. Before including it, the instantiation defines
//     SIMD_LANES   floats per vector (8, 16, ...)
//     SIMD_SUFFIX  the suffix of the function and table names (e.g. avx512)
//     SIMD_TARGET  the functions' target attribute (e.g. __attribute__((target("avx512f"))))
// and gets `diffuse_groupnorm_row_forward_SUFFIX` ... and the table `diffuse_simd_kernels_SUFFIX`
// (SIMDKernelTables.h). The formulas and operation order are those of the AVX2 kernels
// (GroupNormAVX2.c, SumsAVX2.c, AdamAVX2.c, WinogradAVX2.c), except that SiLU's sigmoid divides
// where the AVX2 kernel uses `rcp` and a Newton step; every fused multiply-add is explicit
// (`__builtin_elementwise_fma`) and no other is formed (`fp contract(off)`). A row's last
// `n % SIMD_LANES` elements are copied into a zero-padded vector and back (as AVX2's masked
// loads and stores), so the tail runs the same formula in the same lanes.
#include <string.h>

// The helpers below take and return 16-lane vectors, whose ABI differs with and without
// AVX-512; they are always inlined, so no call crosses that ABI.
#pragma clang diagnostic ignored "-Wpsabi"

#pragma clang fp contract(off)

#define SIMD_CAT2(a, b) a##_##b
#define SIMD_CAT(a, b) SIMD_CAT2(a, b)
#define SIMD_NAME(name) SIMD_CAT(name, SIMD_SUFFIX)
#define SIMD_INLINE static inline __attribute__((always_inline)) SIMD_TARGET

typedef float vfloat __attribute__((ext_vector_type(SIMD_LANES)));
typedef int vint __attribute__((ext_vector_type(SIMD_LANES)));

enum { BLOCK = 512 };   // elements per Float32 partial sum, as Swift's BlockSums
_Static_assert(BLOCK % SIMD_LANES == 0, "a block is a whole number of vectors");

#define FMA __builtin_elementwise_fma

SIMD_INLINE vfloat splat(float v) { return (vfloat)v; }

SIMD_INLINE vfloat load(const float *p) { vfloat v; memcpy(&v, p, sizeof v); return v; }
SIMD_INLINE void store(float *p, vfloat v) { memcpy(p, &v, sizeof v); }

/// The `count` (< SIMD_LANES) floats at `p` in the first lanes, 0 in the others.
SIMD_INLINE vfloat load_tail(const float *p, long count) {
    vfloat v = splat(0);
    memcpy(&v, p, (size_t)count * sizeof(float));
    return v;
}
/// The first `count` lanes of `v` to `p`.
SIMD_INLINE void store_tail(float *p, vfloat v, long count) { memcpy(p, &v, (size_t)count * sizeof(float)); }

/// All bits set in lanes `0 ..< count`, 0 in the others.
SIMD_INLINE vint lanes_below(long count) {
    vint index;
    for (int k = 0; k < SIMD_LANES; k++) index[k] = k;
    return index < (vint)(int)count;
}

/// The sum of the lanes.
SIMD_INLINE float hsum(vfloat v) {
    float s = 0;
    for (int k = 0; k < SIMD_LANES; k++) s += v[k];
    return s;
}

/// `e^x`: AVX2Math.h's `diffuse_exp` (Cody-Waite reduction, Cephes `expf` polynomial, relative
/// error about 1e-7, inputs clamped to [-87.3, 88.3]) with the same constants and steps.
SIMD_INLINE vfloat vexp(vfloat x) {
    x = __builtin_elementwise_min(x, splat(88.3f));
    x = __builtin_elementwise_max(x, splat(-87.3f));
    const vfloat magic = splat(12582912.0f);   // 1.5 * 2^23: t's low bits hold n
    vfloat t = FMA(x, splat(1.44269504f), magic);
    vfloat n = t - magic;
    vfloat r = FMA(-n, splat(0.693359375f), x);
    r = FMA(n, splat(2.1219444e-4f), r);
    vfloat p = splat(1.98756915e-4f);
    p = FMA(p, r, splat(1.3981999507e-3f));
    p = FMA(p, r, splat(8.3334519073e-3f));
    p = FMA(p, r, splat(4.1665795894e-2f));
    p = FMA(p, r, splat(1.6666665459e-1f));
    p = FMA(p, r, splat(5.0000001201e-1f));
    vfloat er = FMA(p, r * r, r) + splat(1.0f);
    vint bits = (vint)t + (vint)(127 - 0x4B400000);
    return er * (vfloat)(bits << 23);
}

/// `1 / (1 + e^-z)`.
SIMD_INLINE vfloat sigmoid(vfloat z) { return splat(1.0f) / (splat(1.0f) + vexp(-z)); }

// Group normalisation (Wu & He, ECCV 2018) rows; Swift's GroupNormKernel has the derivation.

/// `z = (x - mu) scale + shift`, `y = silu ? z sigmoid(z) : z`.
SIMD_INLINE vfloat forward_lanes(vfloat x, float mu, float scale, float shift, int silu) {
    vfloat z = FMA(x - splat(mu), splat(scale), splat(shift));
    return silu ? z * sigmoid(z) : z;
}

SIMD_TARGET void SIMD_NAME(diffuse_groupnorm_row_forward)(const float *x, float *y, long n,
                                                          float mu, float scale, float shift, int silu) {
    long i = 0;
    for (; i + SIMD_LANES <= n; i += SIMD_LANES) store(y + i, forward_lanes(load(x + i), mu, scale, shift, silu));
    if (i < n) store_tail(y + i, forward_lanes(load_tail(x + i, n - i), mu, scale, shift, silu), n - i);
}

/// `dz` of one vector (`dy s (1 + z (1 - s))` with SiLU, else `dy`) from `centred = x - mu`,
/// added to the sums `sdz += dz`, `sdzc += dz centred`.
SIMD_INLINE vfloat backward_lanes(vfloat centred, vfloat dy, float rstdWeight, float bias, int silu,
                                  vfloat *sdz, vfloat *sdzc) {
    vfloat dz = dy;
    if (silu) {
        vfloat z = FMA(centred, splat(rstdWeight), splat(bias));
        vfloat s = sigmoid(z);
        dz = (dy * s) * FMA(z, splat(1.0f) - s, splat(1.0f));
    }
    *sdz += dz;
    *sdzc = FMA(dz, centred, *sdzc);
    return dz;
}

SIMD_TARGET void SIMD_NAME(diffuse_groupnorm_row_backward_sums)(const float *x, const float *dy, float *dz, long n,
                                                                float mu, float rstdWeight, float bias, int silu,
                                                                double *sum, double *sumCentred) {
    double total = 0, totalCentred = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        vfloat sdz = splat(0), sdzc = splat(0);
        for (; i + SIMD_LANES <= end; i += SIMD_LANES) {
            vfloat d = backward_lanes(load(x + i) - splat(mu), load(dy + i), rstdWeight, bias, silu, &sdz, &sdzc);
            if (silu) store(dz + i, d);
        }
        if (i < end) {
            // Padding lanes have dy = 0, so dz = 0 and they add nothing to either sum.
            vfloat d = backward_lanes(load_tail(x + i, end - i) - splat(mu), load_tail(dy + i, end - i),
                                      rstdWeight, bias, silu, &sdz, &sdzc);
            if (silu) store_tail(dz + i, d, end - i);
            i = end;
        }
        total += hsum(sdz);
        totalCentred += hsum(sdzc);
    }
    *sum = total;
    *sumCentred = totalCentred;
}

/// `dx = rstd weight dz - rstd m1 - (x - mu) rstd^2 m2` with `a = rstd weight`, `b = -rstd m1`,
/// `c = rstd^2 m2`.
SIMD_INLINE vfloat input_lanes(vfloat x, vfloat dz, float mu, float a, float b, float c) {
    return FMA(-(x - splat(mu)), splat(c), FMA(dz, splat(a), splat(b)));
}

SIMD_TARGET void SIMD_NAME(diffuse_groupnorm_row_backward_input)(const float *x, const float *dz, float *dx, long n,
                                                                 float mu, float rstd, float weight, float m1,
                                                                 float m2) {
    const float a = rstd * weight, b = -rstd * m1, c = rstd * rstd * m2;
    long i = 0;
    for (; i + SIMD_LANES <= n; i += SIMD_LANES) store(dx + i, input_lanes(load(x + i), load(dz + i), mu, a, b, c));
    if (i < n)
        store_tail(dx + i, input_lanes(load_tail(x + i, n - i), load_tail(dz + i, n - i), mu, a, b, c), n - i);
}

// Blocked sums: Float32 lanes over at most BLOCK elements, each block's total added in Float64.

SIMD_TARGET double SIMD_NAME(diffuse_sum)(const float *x, long n) {
    double total = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        vfloat s = splat(0);
        for (; i + SIMD_LANES <= end; i += SIMD_LANES) s += load(x + i);
        if (i < end) {
            s += load_tail(x + i, end - i);
            i = end;
        }
        total += hsum(s);
    }
    return total;
}

SIMD_TARGET void SIMD_NAME(diffuse_shifted_moments)(const float *x, long n, float shift, double *sum1, double *sum2) {
    double s1 = 0, s2 = 0;
    long i = 0;
    while (i < n) {
        long end = i + BLOCK < n ? i + BLOCK : n;
        vfloat v1 = splat(0), v2 = splat(0);
        for (; i + SIMD_LANES <= end; i += SIMD_LANES) {
            vfloat v = load(x + i) - splat(shift);
            v1 += v;
            v2 = FMA(v, v, v2);
        }
        if (i < end) {
            // Padding lanes hold 0 - shift: zero them.
            vfloat v = (vfloat)((vint)(load_tail(x + i, end - i) - splat(shift)) & lanes_below(end - i));
            v1 += v;
            v2 = FMA(v, v, v2);
            i = end;
        }
        s1 += hsum(v1);
        s2 += hsum(v2);
    }
    *sum1 = s1;
    *sum2 = s2;
}

// One Adam/AdamW update, the operations and order of Tensor's AdamUpdate.portable (same bits):
//     g = grad + l2 p;  p = shrink p;  m += (1 - beta1)(g - m);  v = beta2 v + ((1 - beta2) g) g
//     p -= (stepSize m) / (sqrt(v) / bias2Sqrt + eps)

struct SIMD_NAME(adam_scalars) { float b1c, b2, b2c, step, bias2Sqrt, eps, l2, shrink; };

SIMD_INLINE void adam_lanes(vfloat *p, vfloat g, vfloat *m, vfloat *v, const struct SIMD_NAME(adam_scalars) *s) {
    if (s->l2 != 0) g = g + splat(s->l2) * *p;
    if (s->shrink != 1) *p = *p * splat(s->shrink);
    *m = *m + splat(s->b1c) * (g - *m);
    *v = splat(s->b2) * *v + (splat(s->b2c) * g) * g;
    vfloat denom = __builtin_elementwise_sqrt(*v) / splat(s->bias2Sqrt) + splat(s->eps);
    *p = *p - (splat(s->step) * *m) / denom;
}

SIMD_TARGET void SIMD_NAME(diffuse_adam_update)(float *p, const float *g, float *m, float *v, long n,
                                                float beta1, float beta2, float stepSize, float bias2Sqrt, float eps,
                                                float l2, float shrink) {
    const struct SIMD_NAME(adam_scalars) s = {1 - beta1, beta2, 1 - beta2, stepSize, bias2Sqrt, eps, l2, shrink};
    long i = 0;
    for (; i + SIMD_LANES <= n; i += SIMD_LANES) {
        vfloat pv = load(p + i), mv = load(m + i), vv = load(v + i);
        adam_lanes(&pv, load(g + i), &mv, &vv, &s);
        store(p + i, pv);
        store(m + i, mv);
        store(v + i, vv);
    }
    if (i < n) {
        const long k = n - i;
        vfloat pv = load_tail(p + i, k), mv = load_tail(m + i, k), vv = load_tail(v + i, k);
        adam_lanes(&pv, load_tail(g + i, k), &mv, &vv, &s);
        store_tail(p + i, pv, k);
        store_tail(m + i, mv, k);
        store_tail(v + i, vv, k);
    }
}

// Winograd F(2x2, 3x3) transforms (Lavin & Gray 2016; Winograd.c has the formulas and
// layouts), as WinogradAVX2.c with SIMD_LANES in place of 8: the kernel transform takes
// SIMD_LANES input channels per vector, the input and output transforms SIMD_LANES consecutive
// tiles of a tile row, whose columns are the even and odd elements of 2 SIMD_LANES floats.

typedef float vfloat2 __attribute__((ext_vector_type(2 * SIMD_LANES)));

SIMD_TARGET void SIMD_NAME(diffuse_winograd_kernel_transform)(const float *w, float *u, long co0, long co1, long cout,
                                                              long cin) {
    const long plane = cout * cin;
    const vfloat half = splat(0.5f);
    for (long co = co0; co < co1; co++) {
        long ci = 0;
        for (; ci + SIMD_LANES <= cin; ci += SIMD_LANES) {
            const float *g = w + (co * cin + ci) * 9;   // input channel ci + k's kernel at g + 9 k
            vfloat t[4][3];   // G g
            for (int j = 0; j < 3; j++) {
                vfloat g0, g1, g2;
                for (int k = 0; k < SIMD_LANES; k++) {
                    g0[k] = g[9 * k + j];
                    g1[k] = g[9 * k + 3 + j];
                    g2[k] = g[9 * k + 6 + j];
                }
                t[0][j] = g0;
                t[1][j] = half * ((g0 + g1) + g2);
                t[2][j] = half * ((g0 - g1) + g2);
                t[3][j] = g2;
            }
            float *out = u + co * cin + ci;
            for (int i = 0; i < 4; i++) {   // (G g) G^T
                vfloat a = t[i][0], b = t[i][1], c = t[i][2];
                store(out + (i * 4 + 0) * plane, a);
                store(out + (i * 4 + 1) * plane, half * ((a + b) + c));
                store(out + (i * 4 + 2) * plane, half * ((a - b) + c));
                store(out + (i * 4 + 3) * plane, c);
            }
        }
        if (ci < cin) diffuse_winograd_kernel_transform_rows(w, u, co, co + 1, ci, cin, cout, cin);
    }
}

SIMD_TARGET void SIMD_NAME(diffuse_winograd_input_transform)(const float *x, float *v, long samples, long cin, long c0,
                                                             long c1, long h, long w, long pad, long tilesH,
                                                             long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cin * tiles;
    const long groups = (tilesW + SIMD_LANES - 1) / SIMD_LANES, len = 2 * SIMD_LANES * groups + 2;
    const long tail = tilesW - SIMD_LANES * (groups - 1);   // tiles in the last group
    float buffer[4 * len];   // buffer[i * len + c] = x[y0 + i, c - pad], zero outside the image
    for (long s = 0; s < samples; s++) {
        for (long ci = c0; ci < c1; ci++) {
            const float *plane = x + (s * cin + ci) * h * w;
            float *vc = v + ci * tiles + s * tilesH * tilesW;
            for (long ty = 0; ty < tilesH; ty++) {
                const long y0 = 2 * ty - pad;
                for (int i = 0; i < 4; i++) {
                    float *row = buffer + i * len;
                    memset(row, 0, sizeof(float) * (size_t)len);
                    const long yy = y0 + i;
                    if (yy < 0 || yy >= h) continue;
                    const long count = w < len - pad ? w : len - pad;   // input columns 0 ..< count
                    memcpy(row + pad, plane + yy * w, sizeof(float) * (size_t)count);
                }
                float *out = vc + ty * tilesW;
                for (long gi = 0; gi < groups; gi++) {
                    vfloat d[4][4];
                    for (int i = 0; i < 4; i++) {
                        const float *p = buffer + i * len + 2 * SIMD_LANES * gi;
                        vfloat2 a, a2;
                        memcpy(&a, p, sizeof a);
                        memcpy(&a2, p + 2, sizeof a2);
                        d[i][0] = a.even;
                        d[i][1] = a.odd;
                        d[i][2] = a2.even;
                        d[i][3] = a2.odd;
                    }
                    vfloat t[4][4];   // B^T d
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = d[0][j] - d[2][j];
                        t[1][j] = d[1][j] + d[2][j];
                        t[2][j] = d[2][j] - d[1][j];
                        t[3][j] = d[1][j] - d[3][j];
                    }
                    const long count = gi == groups - 1 ? tail : SIMD_LANES;
                    for (int i = 0; i < 4; i++) {   // (B^T d) B
                        vfloat r[4] = {t[i][0] - t[i][2], t[i][1] + t[i][2], t[i][2] - t[i][1], t[i][1] - t[i][3]};
                        for (int j = 0; j < 4; j++) store_tail(out + (i * 4 + j) * stride + SIMD_LANES * gi, r[j], count);
                    }
                }
            }
        }
    }
}

SIMD_TARGET void SIMD_NAME(diffuse_winograd_output_transform)(const float *m, float *y, const float *bias,
                                                              long samples, long cout, long c0, long c1, long outH,
                                                              long outW, long tilesH, long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cout * tiles;
    const long groups = (tilesW + SIMD_LANES - 1) / SIMD_LANES, len = 2 * SIMD_LANES * groups;
    const long tail = tilesW - SIMD_LANES * (groups - 1);
    float buffer[2 * len];   // the tile row's two output rows, then copied (cropped) to y
    for (long s = 0; s < samples; s++) {
        for (long co = c0; co < c1; co++) {
            const float *mc = m + co * tiles + s * tilesH * tilesW;
            float *plane = y + (s * cout + co) * outH * outW;
            const vfloat b = splat(bias ? bias[co] : 0.0f);
            for (long ty = 0; ty < tilesH; ty++) {
                const float *row = mc + ty * tilesW;
                for (long gi = 0; gi < groups; gi++) {
                    const int last = gi == groups - 1;
                    vfloat mv[4][4];
                    for (int xi = 0; xi < 16; xi++) {
                        const float *p = row + xi * stride + SIMD_LANES * gi;
                        mv[xi / 4][xi % 4] = last ? load_tail(p, tail) : load(p);
                    }
                    vfloat t[2][4];   // A^T m
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = (mv[0][j] + mv[1][j]) + mv[2][j];
                        t[1][j] = (mv[1][j] - mv[2][j]) - mv[3][j];
                    }
                    for (int i = 0; i < 2; i++) {   // (A^T m) A + bias, columns interleaved back
                        vfloat2 o;
                        o.even = ((t[i][0] + t[i][1]) + t[i][2]) + b;
                        o.odd = ((t[i][1] - t[i][2]) - t[i][3]) + b;
                        memcpy(buffer + i * len + 2 * SIMD_LANES * gi, &o, sizeof o);
                    }
                }
                for (int i = 0; i < 2 && 2 * ty + i < outH; i++)
                    memcpy(plane + (2 * ty + i) * outW, buffer + i * len, sizeof(float) * (size_t)outW);
            }
        }
    }
}

const struct diffuse_simd_kernels SIMD_NAME(diffuse_simd_kernels) = {
    .groupnorm_row_forward = SIMD_NAME(diffuse_groupnorm_row_forward),
    .groupnorm_row_backward_sums = SIMD_NAME(diffuse_groupnorm_row_backward_sums),
    .groupnorm_row_backward_input = SIMD_NAME(diffuse_groupnorm_row_backward_input),
    .shifted_moments = SIMD_NAME(diffuse_shifted_moments),
    .sum = SIMD_NAME(diffuse_sum),
    .adam_update = SIMD_NAME(diffuse_adam_update),
    .winograd_kernel_transform = SIMD_NAME(diffuse_winograd_kernel_transform),
    .winograd_input_transform = SIMD_NAME(diffuse_winograd_input_transform),
    .winograd_output_transform = SIMD_NAME(diffuse_winograd_output_transform),
};
