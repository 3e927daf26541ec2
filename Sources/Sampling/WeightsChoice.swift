/// Which weights of a checkpoint to sample with: the exponential moving average (`/ema`)
/// or the raw trained weights (`/model`).
public enum WeightsChoice: String, CaseIterable, Sendable {
    case ema, model
}
