// oneDNN (Debian's libdnnl-dev, 2.x C API) for Diffuse's convolution kernels.
#include <dnnl.h>

// Debian's oneDNN runs on OpenMP (libgomp). Diffuse threads convolutions itself (runs of
// samples on Dispatch workers) and gives oneDNN one OpenMP thread per calling thread, so no
// OpenMP team spins while Diffuse's own workers run. omp.h is gcc's, not on clang's path.
int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);
