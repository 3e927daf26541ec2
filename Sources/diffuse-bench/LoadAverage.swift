import Foundation

/// The 1/5/15-minute load averages (Linux `/proc/loadavg`), printed beside every benchmark
/// to judge how much other work shared the cores.
func systemLoadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown")
        .split(separator: " ").prefix(3).joined(separator: " ")
}
