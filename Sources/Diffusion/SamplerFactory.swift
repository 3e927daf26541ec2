/// The samplers by name, for configuration files and command lines.
public enum SamplerKind: String, CaseIterable, Sendable {
    case ddpm, ddim, euler, heun, ito, zab, vab, zeab, xeab, reab, pc

    /// Whether the sampler draws noise at every step.
    public var isStochastic: Bool { self == .ddpm || self == .ito || self == .pc }
}

/// Everything a sampler can be configured with; each sampler reads the fields it uses.
public struct SamplerOptions: Equatable, Sendable {
    public var settings: SamplingSettings
    /// DDIM stochasticity (0 deterministic, 1 DDPM) and Ito's SDE stochasticity.
    public var eta: Double?
    /// Ito: the temperature tau dividing the score term (azula's).
    public var temperature: Double
    /// Multistep samplers (zab, vab, zeab, xeab, reab); azula's default order is 2.
    public var order: Int
    /// PC: corrector steps per step and their amplitude.
    public var corrections: Int
    public var delta: Double

    public init(settings: SamplingSettings = SamplingSettings(), eta: Double? = nil, temperature: Double = 1,
                order: Int = 2, corrections: Int = 1, delta: Double = 0.01) {
        self.settings = settings
        self.eta = eta
        self.temperature = temperature
        self.order = order
        self.corrections = corrections
        self.delta = delta
    }
}

/// Builds a sampler from its name (`SamplerKind` raw value, case-insensitive), e.g.
/// `makeSampler(name: "heun", denoiser: d, options: SamplerOptions(settings: SamplingSettings(steps: 32)))`.
/// `eta` defaults to 0 for DDIM and 1 for Ito.
public func makeSampler(name: String, denoiser: any Denoiser, options: SamplerOptions = SamplerOptions()) throws -> any Sampler {
    guard let kind = SamplerKind(rawValue: name.lowercased()) else {
        throw DiffusionError("unknown sampler '\(name)'; expected one of \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let s = options.settings
    guard s.steps >= 1 else { throw DiffusionError("sampler '\(name)': steps must be at least 1, got \(s.steps)") }
    guard s.start > s.stop, s.stop >= 0, s.start <= 1 else {
        throw DiffusionError("sampler '\(name)': need 0 <= stop < start <= 1, got start \(s.start) and stop \(s.stop)")
    }
    if [.zab, .vab, .zeab, .xeab, .reab].contains(kind), options.order < 1 {
        throw DiffusionError("sampler '\(name)': order must be at least 1, got \(options.order)")
    }
    if kind == .ito, (options.eta ?? 1) < 0 || !(options.temperature > 0) {
        throw DiffusionError("sampler 'ito': eta must be >= 0 and temperature > 0, got \(options.eta ?? 1) and \(options.temperature)")
    }
    if kind == .pc, options.corrections < 0 || options.delta < 0 || options.delta > 1 {
        throw DiffusionError("sampler 'pc': corrections must be >= 0 and delta in [0, 1], got \(options.corrections) and \(options.delta)")
    }
    switch kind {
    case .ddpm: return DDPMSampler(denoiser: denoiser, settings: s)
    case .ddim: return DDIMSampler(denoiser: denoiser, eta: options.eta ?? 0, settings: s)
    case .euler: return EulerSampler(denoiser: denoiser, settings: s)
    case .heun: return HeunSampler(denoiser: denoiser, settings: s)
    case .ito: return ItoSampler(denoiser: denoiser, eta: options.eta ?? 1, temperature: options.temperature, settings: s)
    case .zab: return ZABSampler(denoiser: denoiser, order: options.order, settings: s)
    case .vab: return VABSampler(denoiser: denoiser, order: options.order, settings: s)
    case .zeab: return ZEABSampler(denoiser: denoiser, order: options.order, settings: s)
    case .xeab: return XEABSampler(denoiser: denoiser, order: options.order, settings: s)
    case .reab: return REABSampler(denoiser: denoiser, order: options.order, settings: s)
    case .pc: return PCSampler(denoiser: denoiser, corrections: options.corrections, delta: options.delta, settings: s)
    }
}
