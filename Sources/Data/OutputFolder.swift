import Foundation

/// The folder of an output file, created when missing (with its parents), so that
/// `diffuse-data import ... --out data/mnist.h5` works in a fresh clone. A folder that cannot
/// be made is one error line naming the output and the folder.
public enum OutputFolder {
    public static func create(for path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DataError("\(path): cannot write there: \(folder) is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError("\(path): cannot create the folder \(folder): \(error.localizedDescription)")
        }
    }
}
