#include "srdist_hdf5_shims.h"

hid_t srdist_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
hid_t srdist_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
hid_t srdist_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
hid_t srdist_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
hid_t srdist_h5t_c_s1(void) { return H5T_C_S1; }
hid_t srdist_h5p_file_access(void) { return H5P_FILE_ACCESS; }
hid_t srdist_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
hid_t srdist_h5p_group_create(void) { return H5P_GROUP_CREATE; }
hid_t srdist_h5p_default(void) { return H5P_DEFAULT; }
hid_t srdist_h5s_all(void) { return H5S_ALL; }
unsigned srdist_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
unsigned srdist_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
unsigned srdist_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
unsigned srdist_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
size_t srdist_h5t_variable(void) { return H5T_VARIABLE; }
void srdist_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
