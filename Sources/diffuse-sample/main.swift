import Foundation
FileHandle.standardError.write("diffuse-sample: not built yet\n".data(using: .utf8)!)
exit(1)
