import Foundation
FileHandle.standardError.write("diffuse-bench: not built yet\n".data(using: .utf8)!)
exit(1)
