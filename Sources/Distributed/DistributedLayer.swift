/// The Distributed layer of Diffuse (see ../shared/DESIGN.md).
public enum DistributedLayer {}
