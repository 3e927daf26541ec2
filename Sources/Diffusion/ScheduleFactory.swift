/// The schedules by name, for configuration files and command lines.
public enum ScheduleKind: String, CaseIterable, Sendable {
    case ve, vp, cosine, rectified, decay, elucidated, ddpm

    /// The parameter names each schedule accepts (all optional; defaults as in its initialiser).
    public var parameterNames: [String] {
        switch self {
        case .ve: return ["sigmaMin", "sigmaMax"]
        case .vp, .cosine, .rectified: return ["alphaMin", "sigmaMin"]
        case .decay: return ["alphaMin", "sigmaMin", "gamma"]
        case .elucidated: return ["sigmaMin", "sigmaMax", "rho"]
        case .ddpm: return ["betaStart", "betaEnd", "steps"]
        }
    }
}

/// Builds a schedule from its name (`ScheduleKind` raw value, case-insensitive) and optional
/// parameters, e.g. `makeSchedule(name: "vp", parameters: ["alphaMin": 1e-3])`. Unknown names and
/// parameters are errors naming what is accepted. (The learned VDM schedule is a module, built
/// with `LearnedSchedule(...)`.)
public func makeSchedule(name: String, parameters: [String: Double] = [:]) throws -> any NoiseSchedule {
    guard let kind = ScheduleKind(rawValue: name.lowercased()) else {
        throw DiffusionError("unknown schedule '\(name)'; expected one of \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    for key in parameters.keys where !kind.parameterNames.contains(key) {
        throw DiffusionError("schedule '\(kind.rawValue)' has no parameter '\(key)'; expected \(kind.parameterNames.joined(separator: ", "))")
    }
    func p(_ key: String, _ fallback: Double) -> Double { parameters[key] ?? fallback }
    switch kind {
    case .ve: return VESchedule(sigmaMin: p("sigmaMin", 1e-3), sigmaMax: p("sigmaMax", 1e3))
    case .vp: return VPSchedule(alphaMin: p("alphaMin", 1e-3), sigmaMin: p("sigmaMin", 1e-3))
    case .cosine: return CosineSchedule(alphaMin: p("alphaMin", 1e-3), sigmaMin: p("sigmaMin", 1e-3))
    case .rectified: return RectifiedSchedule(alphaMin: p("alphaMin", 1e-3), sigmaMin: p("sigmaMin", 1e-3))
    case .decay: return DecaySchedule(alphaMin: p("alphaMin", 1e-3), sigmaMin: p("sigmaMin", 1e-3), gamma: p("gamma", 0.1))
    case .elucidated: return ElucidatedSchedule(sigmaMin: p("sigmaMin", 0.002), sigmaMax: p("sigmaMax", 80), rho: p("rho", 7))
    case .ddpm:
        let steps = p("steps", 1000)
        guard steps >= 2, steps == steps.rounded() else { throw DiffusionError("schedule 'ddpm': steps must be an integer >= 2, got \(steps)") }
        return DDPMSchedule(betaStart: p("betaStart", 1e-4), betaEnd: p("betaEnd", 0.02), steps: Int(steps))
    }
}
