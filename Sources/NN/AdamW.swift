/// AdamW (Loshchilov & Hutter 2019) with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999),
/// eps 1e-8 and decoupled weight decay 0.01 (`p *= 1 - lr * weightDecay` before the Adam
/// update; see `Adam`). Spelled like a type so that call sites read `AdamW(parameters)`.
public func AdamW(_ parameters: ParameterSet, lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                  eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
    Adam(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
}
