import Foundation
/// An error as one paragraph for a command line tool's `error:` line: its description with
/// line breaks and list bullets folded into "; ", without a stack trace.
public enum ErrorParagraph {
    public static func text(_ error: Error) -> String {
        let lines = String(describing: error).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
            .filter { !$0.isEmpty }
        guard let first = lines.first else { return "unknown error" }
        let rest = lines.dropFirst()
        return rest.isEmpty ? first : first + (first.hasSuffix(":") ? " " : "; ") + rest.joined(separator: "; ")
    }
}
