import Autograd

/// A layer or model with named parameters.
///
/// Names are PyTorch `state_dict` names (`down.0.blocks.1.conv1.weight`) and layouts are
/// PyTorch's, so weights move between Diffuse and PyTorch by name.
public protocol Module: AnyObject {
    /// Every parameter with its full dotted name, in a fixed order (registration order).
    var namedParameters: [(name: String, variable: Variable)] { get }
}

extension Module {
    /// Parameters without names, in `namedParameters` order.
    public var parameters: [Variable] { namedParameters.map(\.variable) }
    /// Total number of scalar parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.variable.value.count } }
}
