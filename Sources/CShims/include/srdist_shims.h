// Functions for the C macros Swift cannot import. Open MPI defines its handles as
// addresses of incomplete global structs and HDF5 defines its native types as calls
// behind macros, so Swift sees neither; each wrapper here returns the macro's value.
#ifndef SRDIST_SHIMS_H
#define SRDIST_SHIMS_H

#include <mpi.h>
#include <hdf5.h>

// MARK: MPI handles (macros over &ompi_mpi_comm_world and friends)
MPI_Comm srdist_mpi_comm_world(void);
MPI_Comm srdist_mpi_comm_null(void);
MPI_Datatype srdist_mpi_float(void);
MPI_Datatype srdist_mpi_double(void);
MPI_Datatype srdist_mpi_int(void);
MPI_Datatype srdist_mpi_int64(void);
MPI_Datatype srdist_mpi_uint64(void);
MPI_Datatype srdist_mpi_byte(void);
MPI_Op srdist_mpi_sum(void);
MPI_Op srdist_mpi_max(void);
MPI_Op srdist_mpi_min(void);
MPI_Op srdist_mpi_lor(void);
MPI_Request srdist_mpi_request_null(void);
void *srdist_mpi_in_place(void);
MPI_Status *srdist_mpi_status_ignore(void);
MPI_Errhandler srdist_mpi_errors_return(void);

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
