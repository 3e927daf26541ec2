import Yams

/// Config keys that moved, still accepted under their old names (issue 18: the gradient
/// bucket sizes moved from `train:` to `distributed:`).
///
/// Before a user's config is checked, a value under an old key path is moved to its new path,
/// with a one-line deprecation warning naming the new key; a config that sets both the old
/// and the new key is refused, since it is unclear which one is meant.
enum RenamedConfigKeys {
    /// (old key path, new key path), each a dotted path of two keys (section.key).
    static let renamed: [(old: String, new: String)] = [
        ("train.first_bucket_mb", "distributed.first_bucket_mb"),
        ("train.bucket_mb", "distributed.bucket_mb"),
    ]

    /// The deprecation warning of an old key.
    static func warning(old: String, new: String) -> String {
        "\(old) is deprecated: it is now \(new) (the value given is used as \(new))"
    }

    /// Moves every old key of `user` (the top-level mapping) to its new path (drops it when the
    /// new key is set too). Returns the warnings and the problems (both keys set).
    static func migrate(_ user: inout Node) -> (warnings: [String], problems: [String]) {
        var warnings: [String] = [], problems: [String] = []
        guard case .mapping(var top) = user else { return ([], []) }
        for (old, new) in renamed {
            let o = old.split(separator: ".").map(String.init), n = new.split(separator: ".").map(String.init)
            guard case .mapping(var from)? = top[o[0]], let value = from[o[1]] else { continue }
            let destination = top[n[0]] ?? Node([(Node, Node)]())
            guard case .mapping(var to) = destination else { continue }   // the check reports a non-section
            from[o[1]] = nil
            if to[n[1]] != nil {
                problems.append("\(old): set together with \(new), its new name; keep only \(new)")
            } else {
                to[n[1]] = value
                warnings.append(warning(old: old, new: new))
            }
            top[o[0]] = .mapping(from)
            top[n[0]] = .mapping(to)
        }
        user = .mapping(top)
        return (warnings, problems)
    }
}
