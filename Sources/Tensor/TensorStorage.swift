import Foundation

/// A block of Float32 memory shared by one or more `Tensor` views.
///
/// Memory comes from a `BufferPool`, and returns to it when the storage dies, so a
/// training step that creates the same intermediates every iteration reuses their
/// buffers instead of asking the system allocator (and taking page faults) anew.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    let capacity: Int
    /// A count of rewrites, for caches of converted copies (`BF16WeightCache`): the optimizer
    /// bumps it on the flat parameter buffer after every update (`markModified`).
    public private(set) var version: UInt64 = 0
    /// Whether `version` is maintained (the flat parameter buffer); only such storage is cached.
    public var versioned = false

    /// Records that the contents changed (caches keyed by `version` convert again).
    public func markModified() { version &+= 1 }

    /// New storage of `count` elements; contents are undefined unless `zeroed`.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let (p, cap) = BufferPool.shared.take(count)
        pointer = p
        self.count = count
        capacity = cap
        if zeroed && count > 0 { p.initialize(repeating: 0, count: count) }
    }

    deinit { BufferPool.shared.give(pointer, capacity: capacity) }
}

/// A size-bucketed free list of Float32 buffers (powers of two from 64 elements).
///
/// It behaves like a caching allocator (as PyTorch's CPU caching allocator does): the
/// only state is cached free memory, bounded by `maxCachedBytes`, and no value computed
/// by the library depends on it.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedElements = 0
    private let lock = NSLock()
    /// Upper bound on memory kept for reuse.
    public var maxCachedBytes = 2 << 30

    static func bucket(_ n: Int) -> Int {
        if n <= 64 { return 64 }
        return 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)
    }

    func take(_ n: Int) -> (UnsafeMutablePointer<Float>, Int) {
        let cap = BufferPool.bucket(n)
        lock.lock()
        if var list = free[cap], let p = list.popLast() {
            free[cap] = list
            cachedElements -= cap
            lock.unlock()
            return (p, cap)
        }
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: cap * 4, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: cap), cap)
    }

    func give(_ p: UnsafeMutablePointer<Float>, capacity cap: Int) {
        lock.lock()
        if (cachedElements + cap) * 4 <= maxCachedBytes {
            free[cap, default: []].append(p)
            cachedElements += cap
            lock.unlock()
        } else {
            lock.unlock()
            UnsafeMutableRawPointer(p).deallocate()
        }
    }

    /// Releases every cached buffer to the system.
    public func trim() {
        lock.lock()
        for (_, list) in free { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
        free.removeAll()
        cachedElements = 0
        lock.unlock()
    }
}
