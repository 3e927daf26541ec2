import Tensor

/// Nearest-neighbour 2x upsampling `[B, C, H, W] -> [B, C, 2H, 2W]` (DDPM `Upsample`);
/// the gradient sums each 2x2 block.
public func upsampleNearest2x(_ x: Variable) -> Variable {
    Variable(UpsampleKernel.nearest2x(x.value), op: "upsample-nearest2x", inputs: [x]) { g in
        [UpsampleKernel.nearest2xBackward(g)]
    }
}
