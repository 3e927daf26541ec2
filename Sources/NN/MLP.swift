import Autograd
import Tensor

/// A time-conditioned MLP backbone for vector data (2-D toy distributions, low-dimensional data):
///
///     temb = time_mlp.2(SiLU(time_mlp.0(sinusoidal(c))))
///     h_0 = x
///     h_{l+1} = SiLU(layers.l(h_l) + emb_proj.l(SiLU(temb)))     for each hidden width
///     out = out(h_L)                                              Linear, back to `features`
///
/// PyTorch-default initialisation (uniform `±1/sqrt(fan_in)`) from the seed, as the UNet.
public final class MLP: Backbone {
    public let config: MLPConfig
    public let embedding: SinusoidalEmbedding
    public let timeMLP0: Linear
    public let timeMLP2: Linear
    public let layers: [Linear]
    public let embProjs: [Linear]
    public let out: Linear

    /// `config` must be valid (call `config.validate()` on user input first).
    public init(_ config: MLPConfig, seed: UInt64) {
        do { try config.validate() } catch { preconditionFailure("MLP: \(error)") }
        self.config = config
        var initialiser = ParameterInitialiser(seed: seed)
        embedding = SinusoidalEmbedding(dim: config.posDim)
        timeMLP0 = Linear(config.posDim, config.embDim, initialiser: &initialiser)
        timeMLP2 = Linear(config.embDim, config.embDim, initialiser: &initialiser)
        var layers: [Linear] = [], embProjs: [Linear] = []
        var prev = config.features
        for w in config.hiddenWidths {
            layers.append(Linear(prev, w, initialiser: &initialiser))
            embProjs.append(Linear(config.embDim, w, initialiser: &initialiser))
            prev = w
        }
        self.layers = layers
        self.embProjs = embProjs
        out = Linear(prev, config.features, initialiser: &initialiser)
        nameParameters()
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        var p = timeMLP0.prefixed("time_mlp.0") + timeMLP2.prefixed("time_mlp.2")
        for (l, layer) in layers.enumerated() { p += layer.prefixed("layers.\(l)") }
        for (l, proj) in embProjs.enumerated() { p += proj.prefixed("emb_proj.\(l)") }
        return p + out.prefixed("out")
    }

    /// `x` is `[B, features]`, `c` is `[B]` or `[]`; returns `[B, features]`.
    public func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        precondition(x.shape.count == 2 && x.shape[1] == config.features,
                     "MLP.forward: input of shape \(x.shape); expected [B, \(config.features)]")
        let temb = timeMLP2(silu(timeMLP0(embedding(c, batch: x.shape[0]))))
        let tembSiLU = silu(temb)
        var h = x
        for (layer, proj) in zip(layers, embProjs) { h = silu(layer(h) + proj(tembSiLU)) }
        return out(h)
    }
}
