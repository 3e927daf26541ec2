import Autograd
import NN
import Tensor

/// A module with two hand-made parameters, for tests that need only plumbing.
final class TwoParameterModule: Module {
    let a: Variable
    let b: Variable
    init(a: [Float], b: [Float], bShape: [Int]) {
        self.a = Variable(Tensor(shape: [a.count], values: a), requiresGrad: true)
        self.b = Variable(Tensor(shape: bShape, values: b), requiresGrad: true)
    }
    var namedParameters: [(name: String, variable: Variable)] { [("a", a), ("inner.b", b)] }
}
