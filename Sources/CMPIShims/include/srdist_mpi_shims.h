// Functions for the Open MPI macros Swift cannot import: Open MPI defines its handles
// as addresses of incomplete global structs, so Swift sees none of them; each wrapper
// here returns the macro's value. Only Distributed imports this.
#ifndef SRDIST_MPI_SHIMS_H
#define SRDIST_MPI_SHIMS_H

#include <mpi.h>

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

#endif
