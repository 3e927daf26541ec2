import Foundation

/// bf16 copies of the weights, made once per training step instead of once per call (other
/// operands are converted on every call).
///
/// A weight is a view into the flat parameter buffer (`TensorStorage.versioned`); its copy is
/// keyed by (storage, offset, count) and valid while the storage's `version` (bumped by the
/// optimizer after each update) is the one it was made from. Copies are kept only inside
/// `step { ... }` (the trainer's forward and backward pass) and dropped at its end, so no
/// copy outlives the step nor holds memory between steps; outside a step, and for storage that
/// is not versioned (activations), every call converts afresh.
public final class BF16WeightCache: @unchecked Sendable {
    public static let shared = BF16WeightCache()

    private struct Key: Hashable {
        var storage: ObjectIdentifier
        var offset: Int
        var count: Int
        var bits: Bool
    }

    private struct Entry {
        var version: UInt64
        var copy: Tensor
    }

    private let lock = NSLock()
    private var depth = 0
    private var entries: [Key: Entry] = [:]
    /// Copies made since the process started (tests check that a step converts each weight once).
    public private(set) var conversions = 0

    init() {}

    /// Runs `body` with caching on (nested calls share the outer one's copies).
    public func step<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        depth += 1
        lock.unlock()
        defer {
            lock.lock()
            depth -= 1
            if depth == 0 { entries.removeAll() }
            lock.unlock()
        }
        return try body()
    }

    /// `t` rounded to bf16, as Float32 (emulation).
    func rounded(_ t: Tensor) -> Tensor {
        cached(t, bits: false) { t.roundedToBF16() }
    }

    /// `t` as bf16 bit patterns (`t.count` of them, packed two per Float32 of the returned
    /// storage; `UnsafeRawPointer(result.pointer)` is the `UInt16` array), for oneDNN.
    func bits(_ t: Tensor) -> Tensor {
        cached(t, bits: true) {
            let packed = Tensor(uninitialized: [(t.count + 1) / 2])
            BFloat16.convert(t.pointer, into: UnsafeMutableRawPointer(packed.pointer).assumingMemoryBound(to: UInt16.self),
                             count: t.count)
            return packed
        }
    }

    private func cached(_ t: Tensor, bits: Bool, _ make: () -> Tensor) -> Tensor {
        let key = Key(storage: ObjectIdentifier(t.storage), offset: t.offset, count: t.count, bits: bits)
        lock.lock()
        let caching = depth > 0 && t.storage.versioned
        if caching, let e = entries[key], e.version == t.storage.version {
            lock.unlock()
            return e.copy
        }
        conversions += 1
        lock.unlock()
        let copy = make()
        if caching {
            lock.lock()
            entries[key] = Entry(version: t.storage.version, copy: copy)
            lock.unlock()
        }
        return copy
    }
}
