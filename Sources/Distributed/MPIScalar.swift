import CMPI
import CMPIShims

/// Element types that cross MPI, each with its MPI datatype.
public protocol MPIScalar {
    static var mpiType: MPI_Datatype { get }
}

extension UInt8: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_byte() } }
extension Float: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_float() } }
extension Double: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_double() } }
extension Int32: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_int() } }
extension Int64: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_int64() } }
extension UInt64: MPIScalar { public static var mpiType: MPI_Datatype { srdist_mpi_uint64() } }

/// A reduction applied element-wise across ranks.
public enum ReduceOp: Sendable {
    case sum, max, min

    var handle: MPI_Op {
        switch self {
        case .sum: return srdist_mpi_sum()
        case .max: return srdist_mpi_max()
        case .min: return srdist_mpi_min()
        }
    }
}

/// MPI counts are 32-bit; larger buffers are a programming error, not user input.
@inline(__always)
func mpiCount(_ n: Int) -> Int32 {
    precondition(n >= 0 && n <= Int(Int32.max), "MPI buffer of \(n) elements exceeds Int32")
    return Int32(n)
}
