import Foundation
import NN
import Sampling

extension TrainingComponents {
    /// The trained UNet's `UNetConfig` (of the backbone itself or inside a `ScheduledBackbone`) as
    /// JSON with its snake_case Codable keys, for the checkpoint's `unet_config` attribute; nil
    /// for other backbones.
    public var unetConfigJSON: String? {
        let backbone = (model as? ScheduledBackbone)?.backbone ?? model
        guard let unet = backbone as? UNet else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(unet.config)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
