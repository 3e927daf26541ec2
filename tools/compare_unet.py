"""Compares the Swift UNet with tools/torch_unet.py on the same weights and input.

The reference file is written by the Swift test `ReferenceFileTests.testReferenceFileForPyTorchComparison`
(run PyTorch from a virtualenv: python3 -m venv venv; venv/bin/pip install torch h5py):

    DIFFUSE_REFERENCE_TRAIN_STEPS=4 DIFFUSE_WRITE_REFERENCE=/tmp/unet-ref.h5 swift test --filter testReferenceFileForPyTorchComparison
    python3 tools/compare_unet.py /tmp/unet-ref.h5

It holds the UNetConfig as JSON in the root attribute `unet_config`, the weights in `/model`
(one dataset per state_dict name), the input `x` [B, C, H, W], the conditioning `c` [B] and
the Swift output `y`, and for a class-conditional model (`num_classes` > 0 in the config;
`DIFFUSE_REFERENCE_NUM_CLASSES=10` when writing) the `labels` [B] (stored as float32; the
value num_classes means "no label"). Prints the largest absolute difference of the outputs.
"""
import sys

import h5py
import numpy as np
import torch

from torch_unet import UNet


def main(path: str) -> float:
    torch.set_grad_enabled(False)
    model = UNet.from_h5(path, "/model").eval()
    with h5py.File(path, "r") as f:
        x = torch.from_numpy(np.asarray(f["x"][()], dtype=np.float32))
        c = torch.from_numpy(np.asarray(f["c"][()], dtype=np.float32))
        y_swift = np.asarray(f["y"][()], dtype=np.float32)
        labels = torch.from_numpy(np.asarray(f["labels"][()]).astype(np.int64)) if "labels" in f else None
    params = sum(p.numel() for p in model.parameters())
    y = model(x, c, labels).numpy()
    if labels is not None:
        print(f"class-conditional: labels {labels.tolist()} ({model.num_classes} = no label)")
    diff = float(np.max(np.abs(y - y_swift)))
    print(f"config: {UNet.config_from_json(h5py.File(path, 'r').attrs['unet_config'])}")
    print(f"parameters: {params:,}; input {tuple(x.shape)}; max |y| = {np.max(np.abs(y)):.4g}")
    print(f"max abs difference Swift vs PyTorch: {diff:.3e}")
    return diff


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compare_unet.py REFERENCE.h5")
    main(sys.argv[1])
