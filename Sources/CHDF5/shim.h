// HDF5's type and flag macros expand to runtime globals (and H5open calls) that Swift
// cannot import; they are returned from static inline functions here.
#include <hdf5.h>
static inline hid_t diffuse_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t diffuse_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t diffuse_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t diffuse_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t diffuse_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t diffuse_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t diffuse_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t diffuse_h5t_variable(void) { return H5T_VARIABLE; }
static inline unsigned diffuse_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned diffuse_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned diffuse_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned diffuse_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t diffuse_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t diffuse_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t diffuse_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t diffuse_h5s_all(void) { return H5S_ALL; }
static inline hsize_t diffuse_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline H5E_auto2_t diffuse_h5e_no_print(void) { return NULL; }
static inline hid_t diffuse_h5e_default(void) { return H5E_DEFAULT; }
static inline H5T_class_t diffuse_h5t_class_of(hid_t t) { return H5Tget_class(t); }
static inline hid_t diffuse_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t diffuse_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t diffuse_h5t_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t diffuse_h5t_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t diffuse_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline int diffuse_h5z_filter_deflate(void) { return H5Z_FILTER_DEFLATE; }
