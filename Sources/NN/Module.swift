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

    /// This module's parameters with `prefix.` prepended to each name (how a parent names
    /// its children: `prefixed("down.0.blocks.1")` turns `conv1.weight` into
    /// `down.0.blocks.1.conv1.weight`).
    public func prefixed(_ prefix: String) -> [(name: String, variable: Variable)] {
        namedParameters.map { (name: prefix + "." + $0.name, variable: $0.variable) }
    }

    /// Sets every parameter variable's `name` to its full dotted name (for messages).
    public func nameParameters() {
        for (name, v) in namedParameters { v.name = name }
    }
}
