import Autograd
import Diffusion
import NN

/// A backbone trained jointly with a VDM learned schedule (Kingma et al. 2021): the module the
/// trainer optimises for `diffusion.objective: vdm`. Its parameters are the backbone's, then the
/// schedule's under `schedule.` (`schedule.l1.weight`, ...), so they share the one ParameterSet,
/// optimizer, EMA and checkpoint groups (/model, /ema) with the backbone, and a resumed run or a
/// model rebuilt from a checkpoint gets the trained schedule back. `forward` is the backbone's.
public final class ScheduledBackbone: Backbone {
    public let backbone: any Backbone
    public let schedule: LearnedSchedule

    public init(backbone: any Backbone, schedule: LearnedSchedule) {
        self.backbone = backbone
        self.schedule = schedule
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        backbone.namedParameters + schedule.namedParameters.map { (name: "schedule." + $0.name, variable: $0.variable) }
    }

    public func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        backbone.forward(x, c, context: context)
    }

    /// The VDM of this backbone and schedule.
    public var vdm: VDM { VDM(schedule: schedule, backbone: backbone) }
}
