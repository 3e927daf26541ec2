import Autograd
import Diffusion
import Foundation
import HDF5
import NN
import Tensor
import XCTest

/// Writes the Swift side of the comparison with azula 0.11.1 (tools/compare_azula.py, run by hand):
///
///     DIFFUSE_WRITE_AZULA_REFERENCE=/tmp/azula-ref.h5 swift test --filter testAzulaReferenceFile
///     /work/venv-torch/bin/python tools/compare_azula.py /tmp/azula-ref.h5
///
/// For a 4-D Gaussian target N(mean, covariance) with a full covariance and the analytic
/// GaussianDenoiser, and for each schedule (group /<schedule>, attributes `kind` and its parameters):
/// - `x` [B, 4]: fixed initial noise x_{t_T}; `deterministic/<sampler>` [B, 4]: each deterministic
///   sampler's output from `x` (`steps` steps, uniform grid from 1 to 0);
/// - `stochastic_x` [N, 4]: draws of `Sampler.initial` (mean, variance = diag(covariance)) and
///   `stochastic/<sampler>` [N, 4]: each stochastic sampler's outputs from them (compared in
///   distribution: azula's exact output mean and covariance against these samples);
/// - `preconditioning/times` [K] and `simple`, `karras` [K, 5]: (c_in, c_out, c_skip, c_time, loss weight).
/// Without the variable the file goes to a temporary path with few samples and is only checked.
final class AzulaReferenceFileTests: XCTestCase {
    /// A placeholder backbone: the preconditioning coefficients do not call it.
    final class IdentityBackbone: Backbone {
        var namedParameters: [(name: String, variable: Variable)] { [] }
        func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable { x }
    }

    static let mean: [Double] = [0.5, -1.0, 2.0, 0.25]
    /// A full covariance A A^T + 0.05 I with a seeded random A (the file carries it to the Python side).
    static let covariance: Matrix64 = {
        let a = CounterRNG(seed: 12).normal([4, 4], purpose: .misc, stream: 1, step: 0, firstSample: 0)
        let m = Matrix64(rows: 4, cols: 4, values: a.scalars.map { 0.6 * Double($0) })
        var c = m * m.transposed
        for i in 0..<4 { c[i, i] += 0.05 }
        return c
    }()

    /// (group name, azula kind, parameters, schedule).
    static let schedules: [(String, String, [String: Double], any NoiseSchedule)] = [
        ("vp", "vp", ["alpha_min": 1e-3, "sigma_min": 1e-3], VPSchedule()),
        ("ve", "ve", ["sigma_min": 1e-3, "sigma_max": 1e3], VESchedule()),
        ("cosine", "cosine", ["alpha_min": 1e-3, "sigma_min": 1e-3], CosineSchedule()),
        ("rectified", "rectified", ["alpha_min": 1e-3, "sigma_min": 1e-3], RectifiedSchedule()),
        ("edm", "elucidated", ["sigma_min": 0.002, "sigma_max": 80, "rho": 7], ElucidatedSchedule()),
    ]

    static func deterministic(_ d: any Denoiser, _ s: SamplingSettings) -> [(String, any Sampler)] {
        var list: [(String, any Sampler)] = [
            ("euler", EulerSampler(denoiser: d, settings: s)),
            ("heun", HeunSampler(denoiser: d, settings: s)),
            ("ddim", DDIMSampler(denoiser: d, eta: 0, settings: s)),
        ]
        for order in 1...3 {
            list.append(("zab\(order)", ZABSampler(denoiser: d, order: order, settings: s)))
            list.append(("vab\(order)", VABSampler(denoiser: d, order: order, settings: s)))
            list.append(("zeab\(order)", ZEABSampler(denoiser: d, order: order, settings: s)))
            list.append(("xeab\(order)", XEABSampler(denoiser: d, order: order, settings: s)))
            list.append(("reab\(order)", REABSampler(denoiser: d, order: order, settings: s)))
        }
        return list
    }

    /// Names encode the settings the Python side rebuilds: ddim_eta<eta>, ito_eta<eta>_temp<T>, pc<corrections>_delta<delta>.
    static func stochastic(_ d: any Denoiser, _ s: SamplingSettings) -> [(String, any Sampler)] {
        [
            ("ddpm", DDPMSampler(denoiser: d, settings: s)),
            ("ddim_eta0.5", DDIMSampler(denoiser: d, eta: 0.5, settings: s)),
            ("ito_eta1_temp1", ItoSampler(denoiser: d, eta: 1, temperature: 1, settings: s)),
            ("ito_eta0.5_temp0.8", ItoSampler(denoiser: d, eta: 0.5, temperature: 0.8, settings: s)),
            ("pc1_delta0.01", PCSampler(denoiser: d, corrections: 1, delta: 0.01, settings: s)),
            ("pc2_delta0.1", PCSampler(denoiser: d, corrections: 2, delta: 0.1, settings: s)),
        ]
    }

    func testAzulaReferenceFile() throws {
        let requested = ProcessInfo.processInfo.environment["DIFFUSE_WRITE_AZULA_REFERENCE"]
        let path = requested ?? FileManager.default.temporaryDirectory.appendingPathComponent("azula-ref-\(UUID().uuidString).h5").path
        defer { if requested == nil { try? FileManager.default.removeItem(atPath: path) } }
        let steps = 16, batch = 8, draws = requested == nil ? 64 : 20000
        let rng = CounterRNG(seed: 11)
        let x = rng.normal([batch, 4], purpose: .misc, stream: 0, step: 0, firstSample: 0)
        let variance = Tensor(shape: [draws, 4], values: (0..<draws * 4).map { Float(Self.covariance[$0 % 4, $0 % 4]) })
        let meanTensor = Tensor(shape: [draws, 4], values: (0..<draws * 4).map { Float(Self.mean[$0 % 4]) })
        var written: [String: [Float]] = [:]

        do {
            let file = try H5File.create(path)
            try file.setAttribute("mean", Self.mean)
            try file.setAttribute("covariance", Self.covariance.values)
            try file.setAttribute("steps", Int64(steps))
            try file.setAttribute("azula_version", "0.11.1")
            for (name, kind, parameters, schedule) in Self.schedules {
                let group = try file.createGroup(name)
                try group.setAttribute("kind", kind)
                for (key, value) in parameters { try group.setAttribute(key, value) }
                let d = GaussianDenoiser(mean: Self.mean, covariance: Self.covariance, schedule: schedule)
                let settings = SamplingSettings(steps: steps, seed: 5)
                // x_T at the scale of the schedule's initial marginal.
                let (alphaT, sigmaT) = schedule(1.0)
                let xT = Tensor(shape: x.shape, values: (0..<x.count).map { i in
                    Float(alphaT * Self.mean[i % 4] + (alphaT * alphaT * Self.covariance[i % 4, i % 4] + sigmaT * sigmaT).squareRoot() * Double(x.scalars[i]))
                })
                try group.createDataset("x", values: xT.scalars, shape: xT.shape)
                let det = try group.createGroup("deterministic")
                for (sampler, s) in Self.deterministic(d, settings) {
                    let y = s(xT)
                    written["\(name)/\(sampler)"] = y.scalars
                    try det.createDataset(sampler, values: y.scalars, shape: y.shape)
                }
                let sto = try group.createGroup("stochastic")
                let x0 = EulerSampler(denoiser: d, settings: settings).initial(shape: [draws, 4], mean: meanTensor, variance: variance)
                try group.createDataset("stochastic_x", values: x0.scalars, shape: x0.shape)
                for (sampler, s) in Self.stochastic(d, settings) {
                    let y = s(x0)
                    try sto.createDataset(sampler, values: y.scalars, shape: y.shape)
                }
                let times = [1.0, 0.75, 0.5, 0.25, 0.0]
                let pre = try group.createGroup("preconditioning")
                try pre.createDataset("times", values: times, shape: [times.count])
                let simple = SimpleDenoiser(backbone: IdentityBackbone(), schedule: schedule)
                let karras = KarrasDenoiser(backbone: IdentityBackbone(), schedule: schedule)
                for (label, c) in [("simple", simple as any BackboneDenoiser), ("karras", karras)] {
                    let rows = times.flatMap { t -> [Double] in
                        let (alpha, sigma) = schedule(t)
                        let p = c.preconditioning(alpha: alpha, sigma: sigma)
                        return [p.cIn, p.cOut, p.cSkip, p.cTime, c.lossWeight(alpha: alpha, sigma: sigma)]
                    }
                    try pre.createDataset(label, values: rows, shape: [times.count, 5])
                }
            }
            try file.close()
        }

        let file = try H5File.open(path)
        XCTAssertEqual(try file.arrayAttribute("mean", as: Double.self), Self.mean)
        for (name, _, _, _) in Self.schedules {
            let det = try file.group(named: name).group(named: "deterministic")
            for (key, values) in written where key.hasPrefix(name + "/") {
                XCTAssertEqual(try det.dataset(named: String(key.dropFirst(name.count + 1))).read(as: Float.self), values, key)
            }
            // azula documents DDIM with eta = 0 as the Euler sampler: the two must agree here too.
            let euler = written["\(name)/euler"]!, ddim = written["\(name)/ddim"]!
            let scale = euler.map(abs).max()!
            XCTAssertLessThan(zip(euler, ddim).map { abs($0 - $1) }.max()!, 1e-4 * max(scale, 1), name)
            XCTAssertTrue(euler.allSatisfy(\.isFinite), name)
        }
        try file.close()
    }
}
