import Autograd

/// A network conditioned on one scalar per sample: `forward(x [B, ...], c [B] or []) -> [B, ...]`,
/// the shape of the output equal to that of `x` (UNet for images, MLP for vectors).
/// `c` is `c_time = log(sigma_t / alpha_t)` for the Simple and Karras denoisers.
public protocol Backbone: Module {
    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable
}
