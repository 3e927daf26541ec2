#ifndef DIFFUSE_SIMD_KERNEL_TABLES_H
#define DIFFUSE_SIMD_KERNEL_TABLES_H

/// The vector kernels of one SIMD level (group-norm rows, blocked sums, Adam, Winograd transforms), for Swift's `SIMDLevel` to pick at start-up:
/// `diffuse_simd_kernels_avx2` holds the AVX2 + FMA intrinsic kernels of CKernels.h; the other tables
/// are one width-generic template (SIMDKernelTemplate.h, clang vector extensions) instantiated
/// twice at 16 lanes:
/// - `diffuse_simd_kernels_avx512` compiled for AVX-512F (zmm registers), used only when
///   `diffuse_cpu_has_avx512f()`;
/// - `diffuse_simd_kernels_w16` compiled for AVX2 + FMA (pairs of ymm registers): the same
///   16-lane code, which runs on any AVX2 machine, so the AVX-512 kernels' logic (tails, block
///   sums, reductions) is tested where no AVX-512 CPU is available. Not used in training.
/// Each field has the contract of the `_avx2` function of the same name in CKernels.h (SiLU's sigmoid
/// divides in the template instead of `rcp` and a Newton step). Elsewhere than x86-64 the AVX2
/// entries trap and the template's are plain vector code; none is selected there.
#pragma clang assume_nonnull begin
struct diffuse_simd_kernels {
    void (*groupnorm_row_forward)(const float *x, float *y, long n, float mu, float scale, float shift, int silu);
    void (*groupnorm_row_backward_sums)(const float *x, const float *dy, float *_Nullable dz, long n, float mu,
                                        float rstdWeight, float bias, int silu, double *sum, double *sumCentred);
    void (*groupnorm_row_backward_input)(const float *x, const float *dz, float *dx, long n, float mu, float rstd,
                                         float weight, float m1, float m2);
    void (*shifted_moments)(const float *x, long n, float shift, double *s1, double *s2);
    double (*sum)(const float *x, long n);
    void (*adam_update)(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float stepSize, float bias2Sqrt, float eps, float l2, float shrink);
    // The Winograd pointers' nullability is unspecified, as in the portable transforms'
    // declarations (CKernels.h), so Swift takes either function for the other.
    void (*winograd_kernel_transform)(const float *_Null_unspecified w, float *_Null_unspecified u, long co0, long co1,
                                      long cout, long cin);
    void (*winograd_input_transform)(const float *_Null_unspecified x, float *_Null_unspecified v, long samples,
                                     long cin, long c0, long c1, long h, long w, long pad, long tilesH, long tilesW);
    void (*winograd_output_transform)(const float *_Null_unspecified m, float *_Null_unspecified y,
                                      const float *_Null_unspecified bias, long samples, long cout, long c0, long c1,
                                      long outH, long outW, long tilesH, long tilesW);
};
#pragma clang assume_nonnull end

extern const struct diffuse_simd_kernels diffuse_simd_kernels_avx2;
extern const struct diffuse_simd_kernels diffuse_simd_kernels_avx512;
extern const struct diffuse_simd_kernels diffuse_simd_kernels_w16;

#endif
