import Autograd

/// A network conditioned on one scalar per sample: `forward(x [B, ...], c [B] or []) -> [B, ...]`,
/// the shape of the output equal to that of `x` (UNet for images, MLP for vectors).
/// `c` is `c_time = log(sigma_t / alpha_t)` for the Simple and Karras denoisers. A
/// class-conditional backbone (a UNet with `numClasses` > 0) also reads each sample's class
/// from `context.labels`; the others ignore it.
public protocol Backbone: Module {
    func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable
}
