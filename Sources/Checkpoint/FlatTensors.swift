import Tensor

/// Named tensors laid out back to back in one flat Float32 buffer, as a model's parameters
/// (and its EMA, and Adam's moments) are: tensor `i` is `shapes[i]` at `offsets[i]`.
/// Names are dotted PyTorch `state_dict` names; each becomes one HDF5 dataset.
public struct FlatTensors {
    public var names: [String]
    public var shapes: [[Int]]
    public var values: Tensor

    public init(names: [String], shapes: [[Int]], values: Tensor) {
        precondition(names.count == shapes.count, "FlatTensors: \(names.count) names for \(shapes.count) shapes")
        let total = shapes.reduce(0) { $0 + Tensor.count(of: $1) }
        precondition(total == values.count, "FlatTensors: shapes hold \(total) elements, the buffer \(values.count)")
        self.names = names
        self.shapes = shapes
        self.values = values
    }

    /// Start of each tensor in `values`.
    public var offsets: [Int] {
        var o: [Int] = []
        var at = 0
        for s in shapes {
            o.append(at)
            at += Tensor.count(of: s)
        }
        return o
    }

    /// The same names and shapes over another buffer (e.g. the EMA or an optimizer moment).
    public func with(values other: Tensor) -> FlatTensors {
        FlatTensors(names: names, shapes: shapes, values: other)
    }

    /// Zero tensors with these names and shapes.
    public init(zerosNamed names: [String], shapes: [[Int]]) {
        self.init(names: names, shapes: shapes, values: Tensor(zeros: [shapes.reduce(0) { $0 + Tensor.count(of: $1) }]))
    }

    /// Each tensor as a view into `values`, for `WeightIO`.
    public var named: [(name: String, tensor: Tensor)] {
        zip(zip(names, shapes), offsets).map { pair, offset in
            (pair.0, Tensor(shape: pair.1, storage: values.storage, offset: values.offset + offset))
        }
    }
}
