import Foundation

/// The HTML page of a `RunReport`: one self-contained file (inline CSS, SVG plots, grids as
/// base64 `data:` URIs, no script or font from elsewhere), readable from disk without a server.
///
/// Sections: a header (run, status, last step, training time); the training curves (loss and
/// loss by quartile of t on log axes, learning rate, gradient norm, images/s, compute against
/// exposed allreduce seconds per step); the sample-quality curves of `eval.every` (FID,
/// precision/recall, class agreement) or a note that there are none; the sample grids, newest
/// first; the checkpoints; the resolved config. A small inline script checks, once the page
/// has loaded, that every image decoded and every plot has a non-empty box, and records the
/// outcome on `<body data-rendered="ok P plots I images">` (or `failed ...`), for headless tests.
public enum RunReportPage {
    /// A titled plot and the notes under it.
    struct Figure {
        var title: String
        var plot: SVGLinePlot
    }

    public static func html(_ report: RunReport) -> String {
        var body = header(report)
        body += section("Training", metricsNote(report), figures: trainingFigures(report.records))
        let quality = qualityFigures(report.records)
        body += section("Sample quality", quality.isEmpty ? "no sample-quality measurements (set eval.every)" : nil, figures: quality)
        body += samples(report)
        body += checkpoints(report)
        body += "<section><h2>Config</h2>\n"
        body += report.config.map { "<pre class=\"config\">\(HTMLEscaping.escape($0))</pre>\n" } ?? "<p class=\"note\">no config.yaml</p>\n"
        body += "</section>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLEscaping.escape(report.name)) · Diffuse run report</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)<footer>Written by Diffuse at \(timestamp(report.generated)); the trainer rewrites it at every sample step (reload to see the newest).</footer>
        <script>\(renderCheck)</script>
        </body>
        </html>

        """
    }

    // MARK: - Sections

    static func header(_ r: RunReport) -> String {
        let status = r.completed != nil ? "<span class=\"status done\">completed</span>"
                                        : "<span class=\"status open\">not completed</span>"
        let sessions = r.trainingSessions
        var facts: [(String, String)] = [("last step", r.lastStep.map(grouped) ?? "–")]
        facts.append(("training time", r.records.isEmpty ? "–"
            : formatDuration(sessions.seconds) + (sessions.count > 1 ? " in \(sessions.count) sessions" : "")))
        if let last = r.records.last {
            facts.append(("samples seen", grouped(last.samplesSeen)))
            facts.append(("loss", String(format: "%.4g", last.loss)))
            if last.skippedSteps > 0 { facts.append(("skipped steps", String(last.skippedSteps))) }
        }
        if let q = r.records.last(where: { $0.quality != nil }), let quality = q.quality {
            facts.append(("FID", String(format: "%.3g", quality.fid) + " at step " + grouped(q.step)))
        }
        var out = "<header><h1>\(HTMLEscaping.escape(r.name)) \(status)</h1>\n"
        out += "<p class=\"path\">\(HTMLEscaping.escape(r.folder.path))"
        if let c = r.completed { out += " · \(HTMLEscaping.escape(c.trimmingCharacters(in: .whitespacesAndNewlines)))" }
        out += "</p>\n<dl class=\"facts\">"
        for (k, v) in facts { out += "<div><dt>\(k)</dt><dd>\(HTMLEscaping.escape(v))</dd></div>" }
        out += "</dl></header>\n"
        return out
    }

    static func metricsNote(_ r: RunReport) -> String? {
        if !r.metricsFileExists { return "no metrics.jsonl yet" }
        var notes: [String] = []
        if r.records.isEmpty { notes.append("metrics.jsonl holds no readable line yet") }
        if r.unparseableLines > 0 {
            notes.append("\(r.unparseableLines) line\(r.unparseableLines == 1 ? "" : "s") of metrics.jsonl could not be read and \(r.unparseableLines == 1 ? "is" : "are") left out")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    static func section(_ title: String, _ note: String?, figures: [Figure]) -> String {
        var out = "<section><h2>\(title)</h2>\n"
        if let note { out += "<p class=\"note\">\(HTMLEscaping.escape(note))</p>\n" }
        if !figures.isEmpty {
            out += "<div class=\"plots\">\n"
            for f in figures {
                let scale = f.plot.usesLogarithmicAxis ? " <span class=\"scale\">log scale</span>" : ""
                out += "<figure><figcaption>\(HTMLEscaping.escape(f.title))\(scale)</figcaption>\n\(f.plot.svg())\n"
                let n = f.plot.nonFinite.count
                if n > 0 {
                    out += "<p class=\"warn\">\(n) non-finite value\(n == 1 ? "" : "s") not drawn (red marks on the axis)</p>\n"
                }
                out += "</figure>\n"
            }
            out += "</div>\n"
        }
        return out + "</section>\n"
    }

    static func samples(_ r: RunReport) -> String {
        var out = "<section><h2>Samples</h2>\n"
        if r.grids.isEmpty { return out + "<p class=\"note\">no sample grids yet</p></section>\n" }
        if r.gridsInFolder > r.grids.count {
            out += "<p class=\"note\">the first and the \(r.grids.count - 1) newest of \(r.gridsInFolder) grids, newest first</p>\n"
        } else {
            out += "<p class=\"note\">\(r.grids.count) grid\(r.grids.count == 1 ? "" : "s"), newest first</p>\n"
        }
        out += "<div class=\"grids\">\n"
        for g in r.grids.reversed() {
            out += "<figure><img alt=\"samples at step \(g.step)\" src=\"data:image/png;base64,\(g.png.base64EncodedString())\">"
            out += "<figcaption>step \(g.step)</figcaption></figure>\n"
        }
        return out + "</div></section>\n"
    }

    static func checkpoints(_ r: RunReport) -> String {
        var out = "<section><h2>Checkpoints</h2>\n"
        if r.checkpoints.isEmpty { return out + "<p class=\"note\">no checkpoints yet</p></section>\n" }
        out += "<table><thead><tr><th>file</th><th>step</th><th>size</th><th>written</th></tr></thead><tbody>\n"
        for c in r.checkpoints.reversed() {
            out += "<tr><td>\(HTMLEscaping.escape(c.name))</td><td class=\"num\">\(c.step)</td>"
            out += "<td class=\"num\">\(byteSize(c.bytes))</td><td>\(c.modified.map(timestamp) ?? "–")</td></tr>\n"
        }
        return out + "</tbody></table></section>\n"
    }

    // MARK: - Figures

    static func trainingFigures(_ records: [MetricsRecord]) -> [Figure] {
        guard !records.isEmpty else { return [] }
        func series(_ name: String, _ value: (MetricsRecord) -> Double?) -> SVGLinePlot.Series {
            SVGLinePlot.Series(name: name, points: records.map { (Double($0.step), value($0)) })
        }
        let quartileNames = ["t < ¼", "¼ ≤ t < ½", "½ ≤ t < ¾", "t ≥ ¾"]
        let quartiles = quartileNames.indices.map { q in
            series(quartileNames[q]) { r in q < r.lossByTQuartile.count ? r.lossByTQuartile[q] : nil }
        }
        return [
            Figure(title: "Loss", plot: SVGLinePlot(series: [series("loss") { $0.loss }], xLabel: "step", scale: .logarithmic)),
            Figure(title: "Loss by quartile of t", plot: SVGLinePlot(series: quartiles, xLabel: "step", scale: .logarithmic)),
            Figure(title: "Learning rate", plot: SVGLinePlot(series: [series("lr") { $0.lr }], xLabel: "step")),
            Figure(title: "Gradient norm (before clipping)",
                   plot: SVGLinePlot(series: [series("grad norm") { $0.gradNorm }], xLabel: "step", scale: .logarithmic)),
            Figure(title: "Images per second", plot: SVGLinePlot(series: [series("img/s") { $0.imagesPerSecond }], xLabel: "step")),
            Figure(title: "Seconds per step: compute, allreduce",
                   plot: SVGLinePlot(series: [series("compute") { $0.computeSeconds }, series("allreduce") { $0.allreduceSeconds }],
                                     xLabel: "step")),
        ]
    }

    static func qualityFigures(_ records: [MetricsRecord]) -> [Figure] {
        let measured = records.compactMap { r in r.quality.map { (step: Double(r.step), q: $0) } }
        guard !measured.isEmpty else { return [] }
        func series(_ name: String, _ value: (SampleQualityRecord) -> Double?) -> SVGLinePlot.Series {
            SVGLinePlot.Series(name: name, points: measured.map { ($0.step, value($0.q)) })
        }
        let count = measured.last!.q.count
        var figures = [
            Figure(title: "FID (classifier features, \(count) samples)",
                   plot: SVGLinePlot(series: [series("FID") { $0.fid }], xLabel: "step", scale: .logarithmic)),
            Figure(title: "Precision and recall (k-NN)",
                   plot: SVGLinePlot(series: [series("precision") { $0.precision }, series("recall") { $0.recall }], xLabel: "step")),
        ]
        if measured.contains(where: { $0.q.classAgreement != nil }) {
            figures.append(Figure(title: "Class agreement (classifier = requested class)",
                                  plot: SVGLinePlot(series: [series("class agreement") { $0.classAgreement }], xLabel: "step")))
        }
        return figures
    }

    // MARK: - Formatting

    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: date)
    }

    /// 1234567 as "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func byteSize(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = Double(bytes), u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(bytes) B" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[u])
    }

    static let style = """
    :root { color-scheme: light; }
    body { margin: 0 auto; max-width: 1360px; padding: 20px 28px 40px; background: #f5f6f8; color: #1d2330;
           font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    header { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 16px 20px; margin-bottom: 18px; }
    h1 { margin: 0 0 2px; font-size: 24px; display: flex; align-items: center; gap: 12px; }
    h2 { font-size: 17px; margin: 22px 0 10px; color: #2b3445; }
    .path { margin: 0 0 12px; color: #667085; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
    .status { font-size: 12px; font-weight: 600; padding: 3px 10px; border-radius: 12px; }
    .status.done { background: #dff3e6; color: #176b3a; }
    .status.open { background: #fdf0d5; color: #8a5a00; }
    .facts { display: flex; flex-wrap: wrap; gap: 10px 34px; margin: 0; }
    .facts dt { font-size: 11.5px; color: #667085; text-transform: uppercase; letter-spacing: 0.04em; }
    .facts dd { margin: 0; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .note { color: #667085; margin: 4px 0 10px; }
    .warn { color: #b42318; font-size: 12px; margin: 2px 0 0; }
    .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 14px; }
    .plots figure, .grids figure { margin: 0; background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 10px 12px 8px; }
    .plots figcaption { font-weight: 600; font-size: 13.5px; margin-bottom: 2px; }
    .plots figcaption .scale { font-weight: 400; font-size: 11.5px; color: #7a8496; margin-left: 4px; }
    svg.plot { display: block; width: 100%; height: auto; }
    svg.plot text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #4a5466; }
    svg.plot .axis-label { fill: #7a8496; font-size: 10.5px; }
    svg.plot .frame { fill: #fff; stroke: #c9ced6; }
    svg.plot .grid line { stroke: #eceef2; }
    svg.plot .series { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
    svg.plot .legend line { stroke-width: 3; }
    svg.plot .nonfinite path { fill: #d92d20; }
    .grids { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
    .grids img { display: block; max-width: 100%; width: 264px; height: auto; image-rendering: pixelated; background: #000; }
    .grids figcaption { text-align: center; font-size: 12.5px; color: #4a5466; margin-top: 4px; font-variant-numeric: tabular-nums; }
    table { border-collapse: collapse; background: #fff; border: 1px solid #dde1e7; font-variant-numeric: tabular-nums; }
    th, td { padding: 5px 14px; border-bottom: 1px solid #eceef2; text-align: left; }
    th { font-size: 12px; color: #667085; font-weight: 600; }
    td.num { text-align: right; }
    pre.config { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 12px 16px; overflow-x: auto;
                 font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; }
    footer { margin-top: 26px; color: #98a2b3; font-size: 12px; }
    """

    /// Records on `<body data-rendered>` whether every image decoded and every plot has a box.
    static let renderCheck = """
    window.addEventListener("load", function () {
      var failed = [], plots = document.querySelectorAll("svg.plot"), images = document.querySelectorAll("img");
      images.forEach(function (img, i) { if (!(img.complete && img.naturalWidth > 0)) failed.push("image " + i); });
      plots.forEach(function (svg, i) {
        var box = svg.getBoundingClientRect(), inner = svg.getBBox();
        if (!(box.width > 0 && box.height > 0 && inner.width > 0 && inner.height > 0)) failed.push("plot " + i);
      });
      document.body.setAttribute("data-rendered", (failed.length ? "failed " + failed.join(",") : "ok")
        + " " + plots.length + " plots " + images.length + " images");
    });
    """
}
