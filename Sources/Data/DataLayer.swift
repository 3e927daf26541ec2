/// The Data layer of Diffuse (see ../shared/DESIGN.md).
public enum DataLayer {}
