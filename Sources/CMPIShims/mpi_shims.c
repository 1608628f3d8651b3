#include "srdist_mpi_shims.h"

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
