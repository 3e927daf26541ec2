import Foundation

/// The ticks of a plot axis at "nice" numbers, after Heckbert, "Nice numbers for graph
/// labels", Graphics Gems (1990).
///
/// Linear: the tick spacing is d = nice((hi - lo) / (n - 1)), where nice(x) is the number of
/// {1, 2, 5, 10} x 10^floor(log10 x) closest to x (Heckbert first rounds the range itself up
/// to such a number, which can halve the ticks of a narrow range); the axis runs from
/// floor(lo / d) d to ceil(hi / d) d, with ticks every d. Logarithmic: the axis runs over [lo, hi] widened by a small margin in log10
/// space, with ticks at 10^k, or at {1, 2, 5} x 10^k when the axis spans less than a few
/// decades, or at the linear ticks of the range when it spans less than about one.
struct AxisTicks: Equatable {
    /// The axis range (data units).
    var lower: Double
    var upper: Double
    /// Tick positions in [lower, upper], increasing.
    var values: [Double]
    /// Spacing of linear ticks (nil on a logarithmic axis), for the labels' decimals.
    var spacing: Double?

    /// Heckbert's nice number: 1, 2, 5 or 10 times the power of ten below `x` (> 0).
    static func nice(_ x: Double, rounded: Bool) -> Double {
        let exponent = floor(log10(x))
        let power = pow(10, exponent)
        let fraction = x / power
        let f: Double
        if rounded {
            f = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            f = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return f * power
    }

    /// About `count` ticks spanning [lo, hi] (finite); a zero-width range is widened around its value.
    static func linear(_ lo: Double, _ hi: Double, count: Int = 5) -> AxisTicks {
        var lo = lo, hi = hi
        if hi - lo <= abs(hi) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let d = nice((hi - lo) / Double(max(1, count - 1)), rounded: true)
        let first = floor(lo / d), last = ceil(hi / d)
        // Integer multiples of d, so 0.1 + 0.2 style sums never drift into the labels.
        let values = stride(from: first, through: last, by: 1).map { $0 * d }
        return AxisTicks(lower: first * d, upper: last * d, values: values, spacing: d)
    }

    /// Ticks for [lo, hi] with 0 < lo <= hi (finite) on a log10 axis.
    static func logarithmic(_ lo: Double, _ hi: Double) -> AxisTicks {
        var a = log10(lo), b = log10(hi)
        if b - a < 1e-9 { a -= 0.5; b += 0.5 }
        let margin = (b - a) * 0.04
        a -= margin; b += margin
        let lower = pow(10, a), upper = pow(10, b)
        let decades = Int(floor(a))...Int(ceil(b))
        func within(_ mantissas: [Double]) -> [Double] {
            decades.flatMap { e in mantissas.map { $0 * pow(10, Double(e)) } }.filter { $0 >= lower && $0 <= upper }
        }
        var values = within([1])
        if values.count > 7 {
            let every = (values.count + 5) / 6
            values = values.enumerated().filter { $0.offset % every == 0 }.map(\.element)
        } else if values.count < 3 {
            values = within([1, 2, 5])
            if values.count < 3 {
                // Less than about a decade: linear ticks read best.
                let linear = AxisTicks.linear(lower, upper, count: 5)
                return AxisTicks(lower: lower, upper: upper, values: linear.values.filter { $0 >= lower && $0 <= upper },
                                 spacing: linear.spacing)
            }
        }
        return AxisTicks(lower: lower, upper: upper, values: values, spacing: nil)
    }

    /// A short label: "0", "0.25", "12k", "3e-4" (thousands as k and millions as M when the
    /// ticks are that far apart).
    func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v), step = spacing ?? a
        for (unit, suffix) in [(1e6, "M"), (1e3, "k")] where step >= unit && (v / unit).rounded() == v / unit {
            return Self.trimmed(String(format: "%.0f", v / unit)) + suffix
        }
        if step < 1e-3 || a >= 1e7 {
            let exponent = floor(log10(a))
            return Self.trimmed(String(format: "%.2f", v / pow(10, exponent))) + "e\(Int(exponent))"
        }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return Self.trimmed(String(format: "%.\(min(decimals, 8))f", v))
    }

    /// Drops trailing zeros after a decimal point (and the point itself).
    static func trimmed(_ s: String) -> String {
        guard s.contains("."), !s.contains("e") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
