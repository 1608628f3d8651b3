// Placeholder: the Distributed layer adds an MPI test harness here.
