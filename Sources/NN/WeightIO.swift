import HDF5
import Tensor

/// Reads and writes named tensors as one float32 dataset per name (the dotted PyTorch
/// `state_dict` name, PyTorch layout), the format of a checkpoint's `/model` and `/ema`
/// groups, readable by h5py as `{name: f["/model"][name][()] for name in f["/model"]}`.
public enum WeightIO {
    /// Writes each tensor as dataset `name` of `group`.
    public static func save(_ named: [(name: String, tensor: Tensor)], to group: H5Group) throws {
        for (name, t) in named {
            try t.withUnsafeBufferPointer { try group.createDataset(name, from: $0, shape: t.shape) }
        }
    }

    /// Reads dataset `name` of `group` into each tensor's memory, after checking that the
    /// group holds exactly these names with these shapes; otherwise throws one
    /// `WeightLoadError` naming every missing, unexpected and mis-shaped entry and reads nothing.
    public static func load(into named: [(name: String, tensor: Tensor)], from group: H5Group) throws {
        let members = try group.memberNames()
        let memberSet = Set(members)
        let wanted = Set(named.map(\.name))
        var missing: [String] = []
        var misshaped: [(name: String, expected: [Int], found: [Int])] = []
        var datasets: [H5Dataset] = []
        for (name, t) in named {
            guard memberSet.contains(name) else { missing.append(name); continue }
            guard try group.containsDataset(name) else { misshaped.append((name, t.shape, [])); continue }
            let d = try group.dataset(named: name)
            if d.shape != t.shape { misshaped.append((name, t.shape, d.shape)) } else { datasets.append(d) }
        }
        let unexpected = members.filter { !wanted.contains($0) }.sorted()
        if !missing.isEmpty || !unexpected.isEmpty || !misshaped.isEmpty {
            throw WeightLoadError(location: "\(group.filePath):\(group.path)", missing: missing,
                                  unexpected: unexpected, misshaped: misshaped)
        }
        for ((_, t), d) in zip(named, datasets) {
            try t.withUnsafeMutableBufferPointer { try d.read(into: $0) }
        }
    }
}

extension Module {
    /// Writes every parameter as a float32 dataset named by its dotted name.
    public func save(to group: H5Group) throws {
        try WeightIO.save(namedParameters.map { ($0.name, $0.variable.value) }, to: group)
    }

    /// Reads every parameter by name, in place (views into a `ParameterSet` stay views).
    /// Throws a `WeightLoadError` listing all missing, unexpected and mis-shaped names.
    public func load(from group: H5Group) throws {
        try WeightIO.load(into: namedParameters.map { ($0.name, $0.variable.value) }, from: group)
    }
}

extension ParameterSet {
    /// Writes a flat buffer laid out like this set (the values, the EMA shadow, an Adam
    /// moment) as one dataset per parameter name.
    public func save(_ flat: Tensor, to group: H5Group) throws {
        try WeightIO.save(names.indices.map { (names[$0], view(flat, $0)) }, to: group)
    }

    /// Reads one dataset per parameter name into a flat buffer laid out like this set.
    public func load(into flat: Tensor, from group: H5Group) throws {
        try WeightIO.load(into: names.indices.map { (names[$0], view(flat, $0)) }, from: group)
    }
}
