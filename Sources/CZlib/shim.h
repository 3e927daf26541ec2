// zlib (zlib1g-dev): Data inflates gzip files (IDX .gz) and deflated zip entries (.npz) and
// checks their CRC-32; Checkpoint stores and verifies a CRC-32 per tensor. zlib's init
// macros do not import into Swift.
#include <zlib.h>
static inline int diffuse_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
