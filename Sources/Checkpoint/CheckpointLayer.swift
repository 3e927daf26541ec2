/// The Checkpoint layer of Diffuse (see ../shared/DESIGN.md).
public enum CheckpointLayer {}
