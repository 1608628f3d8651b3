#include "srdist_shims.h"

MPI_Comm srdist_mpi_comm_world(void) { return MPI_COMM_WORLD; }
MPI_Comm srdist_mpi_comm_null(void) { return MPI_COMM_NULL; }
MPI_Datatype srdist_mpi_float(void) { return MPI_FLOAT; }
MPI_Datatype srdist_mpi_double(void) { return MPI_DOUBLE; }
MPI_Datatype srdist_mpi_int(void) { return MPI_INT; }
MPI_Datatype srdist_mpi_int64(void) { return MPI_INT64_T; }
MPI_Datatype srdist_mpi_uint64(void) { return MPI_UINT64_T; }
MPI_Datatype srdist_mpi_byte(void) { return MPI_BYTE; }
MPI_Op srdist_mpi_sum(void) { return MPI_SUM; }
MPI_Op srdist_mpi_max(void) { return MPI_MAX; }
MPI_Op srdist_mpi_min(void) { return MPI_MIN; }
MPI_Op srdist_mpi_lor(void) { return MPI_LOR; }
MPI_Request srdist_mpi_request_null(void) { return MPI_REQUEST_NULL; }
void *srdist_mpi_in_place(void) { return MPI_IN_PLACE; }
MPI_Status *srdist_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
MPI_Errhandler srdist_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }

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
