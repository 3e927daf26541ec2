/// The version written into checkpoints (`software_version`).
public enum DiffuseVersion {
    public static let string = "diffuse 0.1.0"
}
