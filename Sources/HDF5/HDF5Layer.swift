/// The HDF5 layer of Diffuse (see ../shared/DESIGN.md).
public enum HDF5Layer {}
