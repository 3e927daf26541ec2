import NN

/// The backbone denoisers by name, for configuration files and command lines.
public enum DenoiserKind: String, CaseIterable, Sendable {
    case simple, karras, epsilon, velocity
}

/// Builds a denoiser around `backbone` from its name (`DenoiserKind` raw value, case-insensitive).
public func makeDenoiser(name: String, backbone: any Backbone, schedule: any NoiseSchedule) throws -> any BackboneDenoiser {
    guard let kind = DenoiserKind(rawValue: name.lowercased()) else {
        throw DiffusionError("unknown denoiser '\(name)'; expected one of \(DenoiserKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    switch kind {
    case .simple: return SimpleDenoiser(backbone: backbone, schedule: schedule)
    case .karras: return KarrasDenoiser(backbone: backbone, schedule: schedule)
    case .epsilon: return EpsilonDenoiser(backbone: backbone, schedule: schedule)
    case .velocity: return VelocityDenoiser(backbone: backbone, schedule: schedule)
    }
}
