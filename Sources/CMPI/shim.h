// OpenMPI's handles are macros over addresses of globals; Swift cannot import them,
// so they are returned from static inline functions here.
#include <mpi.h>
static inline MPI_Comm diffuse_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype diffuse_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype diffuse_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype diffuse_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype diffuse_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype diffuse_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op diffuse_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op diffuse_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op diffuse_mpi_min(void) { return MPI_MIN; }
static inline void *diffuse_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *diffuse_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Request diffuse_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline int diffuse_mpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static inline int diffuse_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int diffuse_mpi_success(void) { return MPI_SUCCESS; }
static inline MPI_Errhandler diffuse_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Datatype diffuse_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Status *diffuse_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline int diffuse_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
