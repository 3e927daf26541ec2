import Diffusion
import Foundation
import Tensor

/// A config value chosen from a fixed list, as an enum whose raw values are the YAML spellings
/// (`optim.kind: adamw`). The allowed values of a key come from its type (`allCases`), so
/// `ConfigLoader` lists them when a config names another, without a list kept by hand.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable, Equatable where RawValue == String {}

extension ConfigChoice {
    /// The allowed YAML values, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Encodes the raw value, and tells a `ConfigChoice.Recorder` in the encoder's `userInfo`
    /// (if any) that this key path holds a choice among `names`.
    public func encode(to encoder: any Encoder) throws {
        if let recorder = encoder.userInfo[ConfigChoiceRecorder.key] as? ConfigChoiceRecorder {
            recorder.choices[encoder.codingPath.map(\.stringValue).joined(separator: ".")] = Self.names
        }
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Collects, while a config is encoded, each choice's key path and allowed values.
final class ConfigChoiceRecorder {
    static let key = CodingUserInfoKey(rawValue: "diffuse.configChoices")!
    var choices: [String: [String]] = [:]
}

extension TrainConfig {
    /// Every key path that holds a `ConfigChoice` (`optim.kind`) with its allowed values
    /// (`adam`, `adamw`), read from the types by encoding the config once.
    public static let choices: [String: [String]] = {
        let recorder = ConfigChoiceRecorder()
        let encoder = JSONEncoder()
        encoder.userInfo[ConfigChoiceRecorder.key] = recorder
        _ = try? encoder.encode(TrainConfig())
        return recorder.choices
    }()
}

/// `model.kind`: the backbone.
public enum ModelKind: String, ConfigChoice { case unet, mlp }

/// `diffusion.objective`: what is trained (see `DiffusionConfig.objective`).
public enum ObjectiveKind: String, ConfigChoice { case denoiser, ddpm, vdm }

/// `diffusion.denoiser`: the preconditioning of the backbone (`SimpleDenoiser`,
/// `KarrasDenoiser`, `EpsilonDenoiser`, `VelocityDenoiser`).
public enum DenoiserKind: String, ConfigChoice { case simple, karras, epsilon, velocity }

/// `diffusion.noise_levels`: how training draws noise levels (`NoiseLevelSampling`).
public enum NoiseLevelKind: String, ConfigChoice { case uniform, lognormal, stratified, antithetic }

/// `optim.kind`: Adam, or AdamW's decoupled weight decay (Loshchilov & Hutter 2019).
public enum OptimizerKind: String, ConfigChoice { case adam, adamw }

/// `optim.decay`: the learning rate after warmup (`LRSchedule.Decay`).
public enum DecayKind: String, ConfigChoice { case constant, cosine }

/// `train.nan_policy`: on a non-finite loss or gradient, stop with an error naming the step,
/// or skip the step.
public enum NaNPolicy: String, ConfigChoice { case stop, skip }

/// `sample.grid`: the sampler's time grid, uniform in t or EDM's (Karras et al. 2022, eq. 5).
public enum TimeGridKind: String, ConfigChoice {
    case linear, edm

    /// The sampler's grid of this kind (`rho` shapes the EDM grid only).
    public func grid(rho: Double) -> TimeGrid { self == .edm ? .edm(rho: rho) : .uniform }
}

extension ScheduleKind: ConfigChoice {}
extension SamplerKind: ConfigChoice {}
extension Precision: ConfigChoice {}
