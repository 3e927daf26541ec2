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

    /// These tensors reordered to `names`/`shapes`, checking that every expected name is present
    /// with its shape and nothing else is; all mismatches are reported together.
    public func arranged(as names: [String], shapes: [[Int]], what: String, path: String) throws -> Tensor {
        var index: [String: Int] = [:]
        for (i, n) in self.names.enumerated() { index[n] = i }
        var missing: [String] = []
        var misShaped: [String] = []
        for (n, s) in zip(names, shapes) {
            guard let i = index[n] else { missing.append(n); continue }
            if self.shapes[i] != s { misShaped.append("\(n) is \(self.shapes[i]), expected \(s)") }
        }
        let expected = Set(names)
        let unexpected = self.names.filter { !expected.contains($0) }
        if !missing.isEmpty || !misShaped.isEmpty || !unexpected.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
            if !misShaped.isEmpty { parts.append("mis-shaped \(misShaped.joined(separator: "; "))") }
            throw CheckpointError(path: path, "\(what) does not match the model: " + parts.joined(separator: "; "))
        }
        let total = shapes.reduce(0) { $0 + Tensor.count(of: $1) }
        let out = Tensor(uninitialized: [total])
        let sourceOffsets = offsets
        var at = 0
        for n in names {
            let i = index[n]!
            let c = Tensor.count(of: self.shapes[i])
            (out.pointer + at).update(from: values.pointer + sourceOffsets[i], count: c)
            at += c
        }
        return out
    }
}
