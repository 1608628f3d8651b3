// Functions for the HDF5 macros Swift cannot import: HDF5 defines its native types and
// property-list classes as calls behind macros; each wrapper here returns the macro's
// value. Only Checkpoint (and the tests' checkpoint tamperer) imports this.
#ifndef SRDIST_HDF5_SHIMS_H
#define SRDIST_HDF5_SHIMS_H

#include <hdf5.h>

// MARK: HDF5 identifiers (macros that call H5open and read a global)
hid_t srdist_h5t_native_float(void);
hid_t srdist_h5t_native_double(void);
hid_t srdist_h5t_native_int64(void);
hid_t srdist_h5t_native_uint64(void);
hid_t srdist_h5t_c_s1(void);
hid_t srdist_h5p_file_access(void);
hid_t srdist_h5p_dataset_create(void);
hid_t srdist_h5p_group_create(void);
hid_t srdist_h5p_default(void);
hid_t srdist_h5s_all(void);
unsigned srdist_h5f_acc_trunc(void);
unsigned srdist_h5f_acc_excl(void);
unsigned srdist_h5f_acc_rdonly(void);
unsigned srdist_h5f_acc_rdwr(void);
size_t srdist_h5t_variable(void);
/// Turns off HDF5's automatic error-stack printing, so failures surface as one
/// srdist error line instead of a page of library diagnostics.
void srdist_h5_silence_errors(void);

#endif
