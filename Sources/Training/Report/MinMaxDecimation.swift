/// Thins a long series for drawing while keeping its envelope: the points are cut into
/// consecutive buckets of k, and each bucket keeps only its lowest and highest value, in the
/// order they occur (a line through them covers the same vertical extent as one through all
/// points, so spikes stay visible). Gaps (nil) are kept as gaps: a bucket that holds one ends
/// with a gap.
enum MinMaxDecimation {
    /// `points` unchanged when it has at most `limit` entries; otherwise at most about `limit`.
    static func thin(_ points: [(x: Double, y: Double?)], limit: Int) -> [(x: Double, y: Double?)] {
        guard points.count > limit, limit >= 4 else { return points }
        let k = (points.count + limit / 2 - 1) / (limit / 2)
        var out: [(x: Double, y: Double?)] = []
        out.reserveCapacity(limit + limit / 2)
        var start = 0
        while start < points.count {
            let bucket = points[start..<min(start + k, points.count)]
            let values = bucket.filter { $0.y != nil }
            if let low = values.min(by: { $0.y! < $1.y! }), let high = values.max(by: { $0.y! < $1.y! }) {
                if low.x == high.x {
                    out.append(low)
                } else {
                    out += low.x < high.x ? [low, high] : [high, low]
                }
            }
            if values.count < bucket.count, let last = bucket.last { out.append((last.x, nil)) }
            start += k
        }
        return out
    }
}
