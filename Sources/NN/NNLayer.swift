/// The NN layer of Diffuse (see ../shared/DESIGN.md).
public enum NNLayer {}
