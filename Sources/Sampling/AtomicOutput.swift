import Data
import Foundation
import Tensor

/// An output file of the sampler, the evaluator or the report: its folder is created if missing,
/// and the file is written with `AtomicFile` (temporary name, then rename), so a failed or
/// interrupted write never leaves a partial file or destroys an existing one. Failures are
/// `SamplingError`s naming the file.
public enum AtomicOutput {
    public static func write(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        try OutputFolder.create(for: path)
        do {
            try AtomicFile.write(to: path, body)
        } catch {
            if error is SamplingError { throw error }
            if let e = error as? AtomicFileError { throw SamplingError(e.description) }
            throw SamplingError("\(path): cannot write: \(error)")
        }
    }
}
