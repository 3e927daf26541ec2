// The table of the AVX2 + FMA intrinsic kernels (GroupNormAVX2.c, SumsAVX2.c, AdamAVX2.c, WinogradAVX2.c), in
// the form of the template's tables, so Swift picks any level's kernels the same way.
#include "CKernels.h"

const struct diffuse_simd_kernels diffuse_simd_kernels_avx2 = {
    .groupnorm_row_forward = diffuse_groupnorm_row_forward_avx2,
    .groupnorm_row_backward_sums = diffuse_groupnorm_row_backward_sums_avx2,
    .groupnorm_row_backward_input = diffuse_groupnorm_row_backward_input_avx2,
    .shifted_moments = diffuse_shifted_moments_avx2,
    .sum = diffuse_sum_avx2,
    .adam_update = diffuse_adam_update_avx2,
    .winograd_kernel_transform = diffuse_winograd_kernel_transform_avx2,
    .winograd_input_transform = diffuse_winograd_input_transform_avx2,
    .winograd_output_transform = diffuse_winograd_output_transform_avx2,
};
