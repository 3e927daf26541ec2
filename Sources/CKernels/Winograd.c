// Winograd minimal filtering F(2x2, 3x3) for stride-1 3x3 convolutions (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", CVPR 2016):
//
//     Y = A^T [ (G g G^T) .* (B^T d B) ] A
//
// for each 2x2 output tile, with d the 4x4 input tile (origin 2 ty - pad, 2 tx - pad, zero
// outside the image), g a 3x3 kernel and
//
//     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
//     A^T = [1 1 1 0; 0 1 -1 -1].
//
// Summed over input channels, the 16 element-wise products become 16 GEMMs
// M[xi] = U[xi] V[xi] (U[xi]: [Cout, Cin], V[xi]: [Cin, T], T tiles), done by the caller; these
// functions are the three transforms. Layouts: u [16][Cout][Cin], v [16][Cin][T], m [16][Cout][T],
// tile t = (s tilesH + ty) tilesW + tx for sample s of the run.
#include "CKernels.h"

void diffuse_winograd_kernel_transform(const float *w, float *u, long cout, long cin) {
    diffuse_winograd_kernel_transform_rows(w, u, 0, cout, 0, cin, cout, cin);
}

void diffuse_winograd_kernel_transform_rows(const float *w, float *u, long co0, long co1, long ci0, long ci1,
                                            long cout, long cin) {
    const long plane = cout * cin;
    for (long co = co0; co < co1; co++) {
        for (long ci = ci0; ci < ci1; ci++) {
            const float *g = w + (co * cin + ci) * 9;
            float t[4][3];   // G g
            for (int j = 0; j < 3; j++) {
                float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                t[0][j] = g0;
                t[1][j] = 0.5f * (g0 + g1 + g2);
                t[2][j] = 0.5f * (g0 - g1 + g2);
                t[3][j] = g2;
            }
            float *out = u + co * cin + ci;
            for (int i = 0; i < 4; i++) {   // (G g) G^T
                float a = t[i][0], b = t[i][1], c = t[i][2];
                out[(i * 4 + 0) * plane] = a;
                out[(i * 4 + 1) * plane] = 0.5f * (a + b + c);
                out[(i * 4 + 2) * plane] = 0.5f * (a - b + c);
                out[(i * 4 + 3) * plane] = c;
            }
        }
    }
}

/// B^T d B of one 4x4 tile, stored at v[xi * stride].
static inline void input_tile(const float d[4][4], float *v, long stride) {
    float t[4][4];   // B^T d
    for (int j = 0; j < 4; j++) {
        t[0][j] = d[0][j] - d[2][j];
        t[1][j] = d[1][j] + d[2][j];
        t[2][j] = d[2][j] - d[1][j];
        t[3][j] = d[1][j] - d[3][j];
    }
    for (int i = 0; i < 4; i++) {   // (B^T d) B
        v[(i * 4 + 0) * stride] = t[i][0] - t[i][2];
        v[(i * 4 + 1) * stride] = t[i][1] + t[i][2];
        v[(i * 4 + 2) * stride] = t[i][2] - t[i][1];
        v[(i * 4 + 3) * stride] = t[i][1] - t[i][3];
    }
}

void diffuse_winograd_input_transform(const float *x, float *v, long samples, long cin, long c0, long c1,
                                      long h, long w, long pad, long tilesH, long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cin * tiles;
    for (long s = 0; s < samples; s++) {
        for (long ci = c0; ci < c1; ci++) {
            const float *plane = x + (s * cin + ci) * h * w;
            float *vc = v + ci * tiles + s * tilesH * tilesW;
            for (long ty = 0; ty < tilesH; ty++) {
                const long y0 = 2 * ty - pad;
                for (long tx = 0; tx < tilesW; tx++) {
                    const long x0 = 2 * tx - pad;
                    float d[4][4];
                    if (y0 >= 0 && y0 + 4 <= h && x0 >= 0 && x0 + 4 <= w) {
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++) d[i][j] = plane[(y0 + i) * w + x0 + j];
                    } else {
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++) {
                                long yy = y0 + i, xx = x0 + j;
                                d[i][j] = (yy >= 0 && yy < h && xx >= 0 && xx < w) ? plane[yy * w + xx] : 0.0f;
                            }
                    }
                    input_tile(d, vc + ty * tilesW + tx, stride);
                }
            }
        }
    }
}

void diffuse_winograd_output_transform(const float *m, float *y, const float *bias, long samples, long cout,
                                       long c0, long c1, long outH, long outW, long tilesH, long tilesW) {
    const long tiles = samples * tilesH * tilesW, stride = cout * tiles;
    for (long s = 0; s < samples; s++) {
        for (long co = c0; co < c1; co++) {
            const float *mc = m + co * tiles + s * tilesH * tilesW;
            float *plane = y + (s * cout + co) * outH * outW;
            const float b = bias ? bias[co] : 0.0f;
            for (long ty = 0; ty < tilesH; ty++) {
                for (long tx = 0; tx < tilesW; tx++) {
                    const float *p = mc + ty * tilesW + tx;
                    float t[2][4];   // A^T m
                    for (int j = 0; j < 4; j++) {
                        float m0 = p[(0 * 4 + j) * stride], m1 = p[(1 * 4 + j) * stride];
                        float m2 = p[(2 * 4 + j) * stride], m3 = p[(3 * 4 + j) * stride];
                        t[0][j] = m0 + m1 + m2;
                        t[1][j] = m1 - m2 - m3;
                    }
                    const long oy = 2 * ty, ox = 2 * tx;
                    for (int i = 0; i < 2 && oy + i < outH; i++) {   // (A^T m) A, cropped at odd edges
                        float *row = plane + (oy + i) * outW + ox;
                        row[0] = t[i][0] + t[i][1] + t[i][2] + b;
                        if (ox + 1 < outW) row[1] = t[i][1] - t[i][2] - t[i][3] + b;
                    }
                }
            }
        }
    }
}
