#ifndef DIFFUSE_CKERNELS_H
#define DIFFUSE_CKERNELS_H

/// C kernels of Diffuse's Tensor target. Most are written with AVX2 and FMA intrinsics (names
/// ending in `_avx2`), for loops that the Swift compiler (baseline x86-64, SSE2) leaves 4 lanes
/// wide and bound by division or shuffles. Each of those is compiled for AVX2 + FMA alone
/// (`__attribute__((target("avx2,fma")))`), so the binary still runs on any x86-64 CPU:
/// callers check `diffuse_cpu_has_avx2_fma()` first and otherwise use a portable version
/// (a Swift loop, or the C function of the same name without `_avx2`). On other architectures
/// the AVX2 kernels are absent and the check is 0.

/// 1 when the CPU (and the OS, through XSAVE) supports AVX2 and FMA, else 0.
int diffuse_cpu_has_avx2_fma(void);

/// 1 when the CPU supports AVX-512F and the OS saves the opmask and ZMM state (XCR0 bits 1, 2,
/// 5, 6, 7), else 0 (always 0 elsewhere than x86-64).
int diffuse_cpu_has_avx512f(void);

/// The CPU's bf16 instructions that the OS has enabled: bit 0 AVX512_BF16 (CPUID.(7,1):EAX[5],
/// with AVX512F and the AVX-512 state in XCR0), bit 1 AMX-BF16 (CPUID.(7,0):EDX[22], with
/// AMX-TILE and the tile state in XCR0); 0 elsewhere.
int diffuse_cpu_bf16_flags(void);

/// Group normalisation forward on one channel row of `n` elements:
/// `z = (x - mu) * scale + shift`, `y = silu ? z * sigmoid(z) : z`.
void diffuse_groupnorm_row_forward_avx2(const float *x, float *y, long n,
                                        float mu, float scale, float shift, int silu);

/// Group normalisation backward, first pass over one channel row: with
/// `z = (x - mu) * rstdWeight + bias`, `dz = silu ? dy * s (1 + z (1 - s)) : dy` (`s = sigmoid(z)`)
/// is written to `dz` when `silu` (when not, `dz` may be NULL), and the sums
/// `sum dz` and `sum dz (x - mu)` are returned in `*sum` and `*sumCentred` (Float32 lanes
/// over blocks of 512 elements, each block added in Float64).
void diffuse_groupnorm_row_backward_sums_avx2(const float *x, const float *dy, float *dz, long n,
                                              float mu, float rstdWeight, float bias, int silu,
                                              double *sum, double *sumCentred);

/// Group normalisation backward, second pass over one channel row:
/// `dx = rstd (weight dz - m1 - (x - mu) rstd m2)`.
void diffuse_groupnorm_row_backward_input_avx2(const float *x, const float *dz, float *dx, long n,
                                               float mu, float rstd, float weight, float m1, float m2);

/// `(sum (x - shift), sum (x - shift)^2)` over `n` elements, into `*s1` and `*s2`
/// (Float32 lanes over blocks of 512, each block added in Float64).
void diffuse_shifted_moments_avx2(const float *x, long n, float shift, double *s1, double *s2);

/// `sum x` over `n` elements (Float32 lanes over blocks of 512, each added in Float64).
double diffuse_sum_avx2(const float *x, long n);

// One Adam/AdamW update of n parameters (see AdamAVX2.c and Tensor's AdamUpdate).
void diffuse_adam_update_avx2(float *p, const float *g, float *m, float *v, long n,
                              float beta1, float beta2, float stepSize, float bias2Sqrt, float eps,
                              float l2, float shrink);

/// Winograd F(2x2, 3x3) transforms of a stride-1 3x3 convolution (Lavin & Gray 2016); see
/// Winograd.c. Kernel: `w` [Cout][Cin][3][3] to `u` [16][Cout][Cin].
void diffuse_winograd_kernel_transform(const float *w, float *u, long cout, long cin);
// The same for output channels [co0, co1) and input channels [ci0, ci1) (portable), and for
// output channels [co0, co1) with 8 input channels per AVX2 vector.
void diffuse_winograd_kernel_transform_rows(const float *w, float *u, long co0, long co1, long ci0, long ci1,
                                            long cout, long cin);
void diffuse_winograd_kernel_transform_avx2(const float *w, float *u, long co0, long co1, long cout, long cin);

/// Input tiles `B^T d B` of input channels `c0 ..< c1` of a run of `samples` images
/// (`x` [samples][Cin][h][w]) into `v` [16][Cin][T], `T = samples tilesH tilesW`.
void diffuse_winograd_input_transform(const float *x, float *v, long samples, long cin, long c0, long c1,
                                      long h, long w, long pad, long tilesH, long tilesW);

/// Output tiles `A^T m A` (+ bias, may be NULL) of output channels `c0 ..< c1` from `m`
/// [16][Cout][T] into `y` [samples][Cout][outH][outW].
void diffuse_winograd_output_transform(const float *m, float *y, const float *bias, long samples, long cout,
                                       long c0, long c1, long outH, long outW, long tilesH, long tilesW);

/// The AVX2 + FMA versions of the input and output transforms (same arguments and results).
void diffuse_winograd_input_transform_avx2(const float *x, float *v, long samples, long cin, long c0, long c1,
                                           long h, long w, long pad, long tilesH, long tilesW);
void diffuse_winograd_output_transform_avx2(const float *m, float *y, const float *bias, long samples, long cout,
                                            long c0, long c1, long outH, long outW, long tilesH, long tilesW);

// The tables of kernels per SIMD level (AVX2, AVX-512, 16 lanes on AVX2).
#include "SIMDKernelTables.h"

#endif
