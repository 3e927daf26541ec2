import Tensor

/// A Float64 fingerprint of a parameter buffer, compared across ranks to catch silent divergence
/// (ranks of a data-parallel job must hold bit-identical parameters):
///
///     sum = Σ_i x_i,   weightedSum = Σ_i x_i · (1 + (i mod 8191))
///
/// The weighted sum catches permutations the plain sum misses. Summed serially in index order,
/// so equal buffers give bit-equal checksums on every rank.
public struct ParameterChecksum: Equatable, Sendable {
    public var sum: Double
    public var weightedSum: Double

    public init(sum: Double, weightedSum: Double) {
        self.sum = sum
        self.weightedSum = weightedSum
    }

    public init(_ values: UnsafeBufferPointer<Float>) {
        var s = 0.0, w = 0.0
        for i in values.indices {
            let x = Double(values[i])
            s += x
            w += x * Double(1 + i % 8191)
        }
        self.init(sum: s, weightedSum: w)
    }

    public init(_ tensor: Tensor) {
        self.init(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count))
    }

    public var isFinite: Bool { sum.isFinite && weightedSum.isFinite }
}

/// The spread of every rank's checksum.
public struct ChecksumAgreement: Equatable, Sendable {
    public let local: ParameterChecksum
    public let minimum: ParameterChecksum
    public let maximum: ParameterChecksum
    /// Some rank's checksum was NaN or infinite.
    public let anyNonFinite: Bool

    /// All ranks' checksums equal (to `relativeTolerance` of their magnitude) and finite.
    public func agrees(relativeTolerance: Double = 0) -> Bool {
        guard !anyNonFinite else { return false }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= relativeTolerance * max(abs(a), abs(b)) }
        return close(minimum.sum, maximum.sum) && close(minimum.weightedSum, maximum.weightedSum)
    }
}

/// Parameters differ across ranks.
public struct ParameterDivergenceError: Error, CustomStringConvertible {
    public let step: Int
    public let agreement: ChecksumAgreement
    public var description: String {
        let a = agreement
        if a.anyNonFinite { return "parameters are not finite on some rank at step \(step) (local checksum \(a.local.sum))" }
        return "parameters diverged across ranks at step \(step): checksum sum in [\(a.minimum.sum), \(a.maximum.sum)], "
            + "weighted sum in [\(a.minimum.weightedSum), \(a.maximum.weightedSum)]"
    }
}

extension Communicator {
    /// Every rank's checksum reduced to min and max in one allreduce (max of [s, w, -s, -w, nonfinite]).
    public func compareChecksums(_ local: ParameterChecksum) throws -> ChecksumAgreement {
        let nonFinite = local.isFinite ? 0.0 : 1.0
        let s = local.isFinite ? local.sum : 0, w = local.isFinite ? local.weightedSum : 0
        var v = [s, w, -s, -w, nonFinite]
        try allreduce(&v, .max)
        return ChecksumAgreement(local: local,
                                 minimum: ParameterChecksum(sum: -v[2], weightedSum: -v[3]),
                                 maximum: ParameterChecksum(sum: v[0], weightedSum: v[1]),
                                 anyNonFinite: v[4] != 0)
    }

    /// Throws `ParameterDivergenceError` (on every rank alike) unless all ranks hold the same parameters.
    public func verifyParametersAgree(_ parameters: Tensor, step: Int, relativeTolerance: Double = 0) throws {
        let agreement = try compareChecksums(ParameterChecksum(parameters))
        if !agreement.agrees(relativeTolerance: relativeTolerance) {
            throw ParameterDivergenceError(step: step, agreement: agreement)
        }
    }
}
