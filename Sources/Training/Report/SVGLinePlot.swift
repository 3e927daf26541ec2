import Foundation

/// A line plot as inline SVG: one or more series y(x) over shared axes with ticks at nice
/// numbers (`AxisTicks`), light grid lines, a legend when there is more than one series, and
/// an optional logarithmic y axis.
///
/// A missing value (nil) breaks its line. A non-finite value (NaN, ±inf) is not drawn either:
/// it breaks the line and is marked by a red triangle on the x axis at its x (its tooltip
/// names the value). Each series is one `<path class="series">` of M/L commands, one per
/// point drawn (series longer than `maxPoints` are thinned by `MinMaxDecimation`); points
/// with no neighbour on their line are also drawn as dots.
struct SVGLinePlot {
    enum Scale { case linear, logarithmic }

    struct Series {
        var name: String
        var points: [(x: Double, y: Double?)]
    }

    var series: [Series]
    var xLabel: String
    var scale: Scale = .linear
    var width = 440.0
    var height = 250.0
    var maxPoints = 1000

    /// Series colours (Okabe & Ito's colour-blind-safe palette, then greys).
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555", "#999999"]

    /// The values drawn nowhere because they are not finite: (series, x, y).
    var nonFinite: [(series: String, x: Double, y: Double)] {
        series.flatMap { s in s.points.compactMap { p in p.y.flatMap { $0.isFinite ? nil : (s.name, p.x, $0) } } }
    }

    /// Whether the y axis is logarithmic: asked for, and every finite value is positive.
    var usesLogarithmicAxis: Bool {
        scale == .logarithmic && finiteValues.allSatisfy { $0 > 0 }
    }

    private var finiteValues: [Double] {
        series.flatMap { $0.points.compactMap { $0.y }.filter(\.isFinite) }
    }

    func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let ys = finiteValues
        let log = usesLogarithmicAxis
        let xTicks = AxisTicks.linear(xs.min() ?? 0, xs.max() ?? 1, count: 6)
        let yTicks = ys.isEmpty ? AxisTicks.linear(0, 1)
            : log ? AxisTicks.logarithmic(ys.min()!, ys.max()!) : AxisTicks.linear(ys.min()!, ys.max()!)

        let legendHeight = series.count > 1 ? 20.0 : 0
        let left = 54.0, right = 14.0, top = 10 + legendHeight, bottom = 36.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xTicks.lower) / (xTicks.upper - xTicks.lower) * plotWidth }
        func py(_ y: Double) -> Double {
            let t = log ? (log10(y) - log10(yTicks.lower)) / (log10(yTicks.upper) - log10(yTicks.lower))
                        : (y - yTicks.lower) / (yTicks.upper - yTicks.lower)
            return top + (1 - t) * plotHeight
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\">\n"
        out += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/>\n"
        // Grid lines and tick labels.
        // Ticks closer than a label's height on screen (the top of a log axis) are thinned.
        var yValues: [Double] = []
        for v in yTicks.values where yValues.last.map({ abs(py($0) - py(v)) >= 20 }) ?? true { yValues.append(v) }
        out += "<g class=\"grid\">"
        for v in yValues {
            let y = py(v)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
        }
        for v in xTicks.values {
            let x = px(v)
            out += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\"/>"
        }
        out += "</g>\n<g class=\"ticks\">"
        for v in yValues {
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(HTMLEscaping.escape(yTicks.label(v)))</text>"
        }
        for v in xTicks.values {
            out += "<text x=\"\(f(px(v)))\" y=\"\(f(top + plotHeight + 15))\" text-anchor=\"middle\">\(HTMLEscaping.escape(xTicks.label(v)))</text>"
        }
        out += "</g>\n"
        out += "<text class=\"axis-label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\">\(HTMLEscaping.escape(xLabel))</text>\n"

        // The series.
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            let drawable = s.points.map { p -> (x: Double, y: Double?) in
                guard let y = p.y, y.isFinite, p.x.isFinite, !log || y > 0 else { return (p.x, nil) }
                return (p.x, y)
            }
            let thinned = MinMaxDecimation.thin(drawable, limit: maxPoints)
            var d = "", penDown = false, lonely: [(Double, Double)] = []
            for (j, p) in thinned.enumerated() {
                guard let y = p.y else { penDown = false; continue }
                d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + "\(f(px(p.x))) \(f(py(y)))"
                let before = j > 0 && thinned[j - 1].y != nil
                let after = j + 1 < thinned.count && thinned[j + 1].y != nil
                if !before && !after { lonely.append((px(p.x), py(y))) }
                penDown = true
            }
            out += "<path class=\"series\" data-series=\"\(HTMLEscaping.escape(s.name))\" stroke=\"\(colour)\" d=\"\(d)\"/>\n"
            let dots = thinned.count <= 24 ? thinned.compactMap { p in p.y.map { (px(p.x), py($0)) } } : lonely
            for (x, y) in dots {
                out += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"\(colour)\"/>"
            }
            if !dots.isEmpty { out += "\n" }
        }

        // Non-finite values: red triangles on the x axis.
        let marks = nonFinite
        if !marks.isEmpty {
            out += "<g class=\"nonfinite\">"
            let base = top + plotHeight
            for m in marks {
                let x = px(m.x)
                out += "<path d=\"M\(f(x)) \(f(base - 7)) L\(f(x - 4)) \(f(base)) L\(f(x + 4)) \(f(base)) Z\">"
                out += "<title>\(HTMLEscaping.escape("\(xLabel) \(xTicks.label(m.x)): \(m.series) = \(m.y)"))</title></path>"
            }
            out += "</g>\n"
        }

        // Legend.
        if series.count > 1 {
            var x = left
            out += "<g class=\"legend\">"
            for (i, s) in series.enumerated() {
                let colour = Self.colours[i % Self.colours.count]
                out += "<line x1=\"\(f(x))\" x2=\"\(f(x + 16))\" y1=\"12\" y2=\"12\" stroke=\"\(colour)\"/>"
                out += "<text x=\"\(f(x + 20))\" y=\"16\">\(HTMLEscaping.escape(s.name))</text>"
                x += 28 + 6.5 * Double(s.name.count)
            }
            out += "</g>\n"
        }
        out += "</svg>"
        return out
    }
}
