import Foundation
import Yams

/// A configuration after loading: the decoded values and the resolved YAML text (every
/// field, defaults included), which goes into the run folder and into every checkpoint.
public struct ResolvedConfig: Sendable {
    public var config: TrainConfig
    public var yaml: String
    /// Where it came from, for messages.
    public var source: String
    /// Deprecation warnings (old key names used), for the run's log.
    public var warnings: [String] = []
}

/// Reads a YAML config, applies `--set key.path=value` overrides and checks it.
///
/// The expected keys and their kinds come from `TrainConfig` itself: the defaults encoded
/// to YAML (plus `schemaExample`, which fills every optional field). A user file is checked
/// against that tree (unknown keys, wrong kinds), merged over the defaults, decoded, and then
/// validated for impossible values; all problems are reported in one `ConfigError`.
public enum ConfigLoader {
    /// Loads `path` (nil: defaults only) with `overrides` (`key.path=value`, value in YAML syntax).
    public static func load(path: String?, overrides: [String] = [], worldSize: Int = 1) throws -> ResolvedConfig {
        guard let path else {
            return try load(yaml: "", source: "--set", overrides: overrides, worldSize: worldSize)
        }
        return try load(yaml: try readText(path), source: path, overrides: overrides, worldSize: worldSize)
    }

    /// Loads from YAML text (for tests and for configs stored in checkpoints).
    public static func load(yaml: String, source: String = "config", overrides: [String] = [], worldSize: Int = 1) throws -> ResolvedConfig {
        var user = Node([(Node, Node)]())
        do {
            if let node = try Yams.compose(yaml: yaml) { user = node }
        } catch {
            throw ConfigError(source: source, problems: ["not valid YAML: \(error)"])
        }
        if case .scalar(let s) = user, s.string.isEmpty { user = Node([(Node, Node)]()) }
        guard user.mapping != nil else {
            throw ConfigError(source: source, problems: ["the top level must be a mapping of sections (data, model, diffusion, optim, ema, train, distributed, sample)"])
        }
        return try resolve(user: user, overrides: overrides, source: source, worldSize: worldSize)
    }

    static func readText(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(source: path, problems: ["the config file does not exist"])
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(source: path, problems: ["is a directory, expected a YAML config file"])
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, problems: ["cannot be read as UTF-8 text"])
        }
        return text
    }

    static func resolve(user userIn: Node, overrides: [String], source: String, worldSize: Int) throws -> ResolvedConfig {
        var user = userIn
        var problems: [String] = []
        for o in overrides {
            do { try applyOverride(o, to: &user) } catch let e as ConfigError { problems += e.problems }
        }
        let renamed = RenamedConfigKeys.migrate(&user)
        problems += renamed.problems
        let schema = try encodedNode(TrainConfig.schemaExample)
        let defaults = try encodedNode(TrainConfig())
        // Wrong kinds are reported and dropped, so the rest can still be decoded and validated.
        var rejected: Set<String> = []
        let checked = check(user, against: schema, path: [], problems: &problems, rejected: &rejected)
        let merged = merge(checked, over: defaults)
        let config: TrainConfig
        do {
            config = try YAMLDecoder().decode(TrainConfig.self, from: try Yams.serialize(node: merged))
        } catch {
            problems.append("cannot decode: \(error)")
            throw ConfigError(source: source, problems: problems)
        }
        problems += config.validate(worldSize: worldSize, rejectedChoices: rejected)
        guard problems.isEmpty else { throw ConfigError(source: source, problems: problems) }
        return ResolvedConfig(config: config, yaml: try config.yamlText(), source: source, warnings: renamed.warnings)
    }

    static func encodedNode<T: Encodable>(_ value: T) throws -> Node {
        try Yams.compose(yaml: try YAMLEncoder().encode(value)) ?? Node([(Node, Node)]())
    }

    /// `a.b.c=value`: sets the value (YAML syntax) at that key path of `node`.
    static func applyOverride(_ override: String, to node: inout Node) throws {
        guard let eq = override.firstIndex(of: "=") else {
            throw ConfigError(source: "--set", problems: ["--set \(override): expected key.path=value"])
        }
        let key = String(override[..<eq]).trimmingCharacters(in: .whitespaces)
        let valueText = String(override[override.index(after: eq)...])
        let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, !path.contains(where: { $0.isEmpty }) else {
            throw ConfigError(source: "--set", problems: ["--set \(override): '\(key)' is not a key path like train.steps"])
        }
        let value: Node
        do {
            value = try Yams.compose(yaml: valueText) ?? Node("")
        } catch {
            throw ConfigError(source: "--set", problems: ["\(key): the value '\(valueText)' is not valid YAML"])
        }
        node = try setting(value, at: path[...], in: node, fullKey: key)
    }

    static func setting(_ value: Node, at path: ArraySlice<String>, in node: Node, fullKey: String) throws -> Node {
        guard let first = path.first else { return value }
        guard var mapping = node.mapping else {
            throw ConfigError(source: "--set", problems: ["\(fullKey): cannot set a key inside a value that is not a section"])
        }
        let child = mapping[first] ?? Node([(Node, Node)]())
        mapping[Node(first)] = try setting(value, at: path.dropFirst(), in: child, fullKey: fullKey)
        return .mapping(mapping)
    }

    enum Kind: String {
        case int = "an integer", float = "a number", bool = "true or false", string = "a string"
    }

    static func kind(ofExample scalar: Node.Scalar) -> Kind {
        if scalar.string == "true" || scalar.string == "false" { return .bool }
        if Int.construct(from: scalar) != nil { return .int }
        if Double.construct(from: scalar) != nil { return .float }
        return .string
    }

    static func fits(_ scalar: Node.Scalar, _ kind: Kind) -> Bool {
        switch kind {
        case .int: return Int.construct(from: scalar) != nil
        case .float: return Double.construct(from: scalar) != nil
        case .bool: return Bool.construct(from: scalar) != nil
        case .string: return true
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a section"
        case .sequence: return "a list"
        }
    }

    /// Returns `user` without its unknown or wrongly typed entries, recording each as a problem.
    /// A value outside a choice's type (`TrainConfig.choices`) is reported with the allowed
    /// values, dropped, and its key added to `rejected`.
    static func check(_ user: Node, against schema: Node, path: [String], problems: inout [String], rejected: inout Set<String>) -> Node? {
        let name = path.joined(separator: ".")
        switch schema {
        case .mapping(let expected):
            guard let given = user.mapping else {
                problems.append("\(name): expected a section with keys \(expected.keys.compactMap(\.string).joined(separator: ", ")), got \(describe(user))")
                return nil
            }
            var kept: [(Node, Node)] = []
            for (k, v) in given {
                guard let key = k.string else { problems.append("\(name): a key is not a string"); continue }
                let childPath = path + [key]
                guard let childSchema = expected[key] else {
                    let known = expected.keys.compactMap(\.string).joined(separator: ", ")
                    problems.append("\(childPath.joined(separator: ".")): unknown key (known keys\(name.isEmpty ? "" : " of \(name)"): \(known))")
                    continue
                }
                if let c = check(v, against: childSchema, path: childPath, problems: &problems, rejected: &rejected) { kept.append((k, c)) }
            }
            return Node(kept)
        case .sequence(let expected):
            guard let given = user.sequence else {
                problems.append("\(name): expected a list, got \(describe(user))")
                return nil
            }
            guard let element = expected.first else { return user }
            var ok = true
            for (i, v) in given.enumerated() {
                if check(v, against: element, path: path + ["\(i)"], problems: &problems, rejected: &rejected) == nil { ok = false }
            }
            return ok ? user : nil
        case .scalar(let example):
            let kind = kind(ofExample: example)
            guard let s = user.scalar, fits(s, kind) else {
                problems.append("\(name): expected \(kind.rawValue), got \(describe(user))")
                return nil
            }
            if let allowed = TrainConfig.choices[name], !allowed.contains(s.string) {
                problems.append("\(name): '\(s.string)' is not one of \(allowed.joined(separator: ", "))")
                rejected.insert(name)
                return nil
            }
            return user
        }
    }

    /// `user` merged over `defaults`, section by section (lists and values replace).
    static func merge(_ user: Node?, over defaults: Node) -> Node {
        guard let user else { return defaults }
        guard case .mapping(var d) = defaults, let u = user.mapping else { return user }
        for (k, v) in u {
            if let existing = d[k] { d[k] = merge(v, over: existing) } else { d[k] = v }
        }
        return .mapping(d)
    }
}

extension TrainConfig {
    /// Every field set, so that encoding it shows every key with a value of its kind.
    static var schemaExample: TrainConfig {
        var c = TrainConfig()
        c.diffusion.alphaMin = 0.5
        c.diffusion.sigmaMin = 0.5
        c.diffusion.sigmaMax = 0.5
        c.diffusion.rho = 0.5
        c.diffusion.gamma = 0.5
        c.train.microBatch = 1
        c.train.timeLimitMinutes = 0.5
        c.eval.guidance = 0.5
        return c
    }

    /// The full configuration as YAML (every field, defaults included).
    public func yamlText() throws -> String {
        try YAMLEncoder().encode(self)
    }
}
