/// The Diffuse dataset file (HDF5), readable by h5py and h5dump:
///
/// - `/images`: uint8 or float32, shape [N, C, H, W] (images) or [N, D] (vectors such as the
///   2-D toys), row-major. Attributes: `value_range` (float64 [low, high]: the stored values
///   that map to the ends of the model range; uint8 images use [0, 255]; when absent, uint8
///   data default to [0, 255] and float32 data are taken as model values) and `layout`
///   ("NCHW" or "ND").
/// - `/labels` (optional): int64 [N], attribute `num_classes`.
/// - Root attributes: `format` = "diffuse.dataset", `format_version` = 1, `name`,
///   `source` (provenance: importer and input files or generator and seed), `created`
///   (ISO 8601 UTC).
///
/// Datasets written with compression are chunked in runs of whole samples along axis 0 so
/// that streaming reads of a few samples decompress little.
public enum DatasetFormat {
    public static let formatName = "diffuse.dataset"
    public static let formatVersion: Int64 = 1
    public static let imagesPath = "images"
    public static let labelsPath = "labels"

    /// The element types a dataset file may store in `/images`.
    public enum ElementType: String, CaseIterable {
        case uint8, float32
    }
}
