/// The Training layer of Diffuse (see ../shared/DESIGN.md).
public enum TrainingLayer {}
