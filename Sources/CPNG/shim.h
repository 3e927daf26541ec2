#include <png.h>
// zlib comes with libpng (libpng-dev depends on zlib1g-dev); Data uses it to inflate
// gzip files (IDX .gz) and deflated zip entries (.npz). Its init macros do not import.
#include <zlib.h>
static inline int diffuse_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
