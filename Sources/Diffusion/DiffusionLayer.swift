/// The Diffusion layer of Diffuse (see ../shared/DESIGN.md).
public enum DiffusionLayer {}
