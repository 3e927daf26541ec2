"""The Diffuse UNet (shared/spec/unet.md, the DDPM U-Net of Ho et al. 2020) in PyTorch.

Same layout, parameter names (state_dict keys) and layouts as the Swift `UNet`, so the
weights in a Diffuse checkpoint's `/model` (or `/ema`) group load by name:

    from torch_unet import UNet
    model = UNet.from_h5("runs/mnist/checkpoints/step-00010000.h5")   # config from the file
    model.load_h5("runs/mnist/checkpoints/step-00010000.h5", group="/ema")
    y = model(x, c)          # x [B, C, H, W] float32, c [B] or [] (c_time = log(sigma/alpha))
    y = model(x, c, labels)  # class-conditional (num_classes K > 0): labels [B] int64 in 0..K (K = no label)

Needs torch and h5py.
"""
import json
import math

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal_embedding(c: torch.Tensor, dim: int, batch: int) -> torch.Tensor:
    """e = concat(sin(c f), cos(c f)), f_i = exp(-ln(10000) i / (half - 1)), i < half = dim / 2."""
    half = dim // 2
    i = torch.arange(half, dtype=torch.float64)
    freqs = torch.exp(-math.log(10000.0) * i / (half - 1)).to(torch.float32)
    c = c.to(torch.float32).reshape(-1)
    if c.numel() == 1:
        c = c.expand(batch)
    a = c[:, None] * freqs[None, :].to(c.device)
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class AttnBlock(nn.Module):
    """Single-head self-attention; q, k, v are channels [0,C), [C,2C), [2C,3C) of one 1x1 conv."""

    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-5)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        qkv = self.qkv(self.norm(x)).reshape(b, 3 * c, h * w)
        q, k, v = qkv[:, :c], qkv[:, c:2 * c], qkv[:, 2 * c:]
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)  # [B, HWq, HWk]
        o = torch.bmm(v, weights.transpose(1, 2))                                          # [B, C, HWq]
        return x + self.proj(o.reshape(b, c, h, w))


class ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int, dropout: float, attention: bool):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in, eps=1e-5)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb_proj = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(groups, c_out, eps=1e-5)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else None
        self.attn = AttnBlock(c_out, groups) if attention else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        out = (self.skip(x) if self.skip is not None else x) + h
        return self.attn(out) if self.attn is not None else out


class Level(nn.Module):
    def __init__(self, blocks, resample_name=None, resample=None):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        if resample_name is not None:
            self.add_module(resample_name, resample)


class UNet(nn.Module):
    def __init__(self, in_channels, out_channels=None, channels_per_depth=(128, 256, 256, 256), num_blocks=2,
                 attention_depths=(1,), pos_dim=128, emb_dim=512, num_groups=32, dropout=0.1, num_classes=0):
        super().__init__()
        out_channels = out_channels or in_channels
        ch = list(channels_per_depth)
        depths = len(ch)
        self.pos_dim = pos_dim
        self.size_multiple = 2 ** (depths - 1)
        self.time_mlp = nn.Sequential(nn.Linear(pos_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.input_conv = nn.Conv2d(in_channels, ch[0], 3, padding=1)

        def block(c_in, c_out, attention):
            return ResBlock(c_in, c_out, emb_dim, num_groups, dropout, attention)

        skips = [ch[0]]
        prev = ch[0]
        self.down = nn.ModuleList()
        for d in range(depths):
            blocks = []
            for _ in range(num_blocks):
                blocks.append(block(prev, ch[d], d in attention_depths))
                prev = ch[d]
                skips.append(prev)
            if d < depths - 1:
                self.down.append(Level(blocks, "downsample", nn.Conv2d(prev, prev, 3, stride=2, padding=1)))
                skips.append(prev)
            else:
                self.down.append(Level(blocks))
        self.mid = nn.Module()
        self.mid.block1 = block(prev, prev, True)
        self.mid.block2 = block(prev, prev, False)
        up = [None] * depths
        for d in reversed(range(depths)):
            blocks = []
            for _ in range(num_blocks + 1):
                blocks.append(block(prev + skips.pop(), ch[d], d in attention_depths))
                prev = ch[d]
            up[d] = Level(blocks, "upsample", nn.Conv2d(prev, prev, 3, padding=1)) if d > 0 else Level(blocks)
        self.up = nn.ModuleList(up)
        self.out_norm = nn.GroupNorm(num_groups, ch[0], eps=1e-5)
        self.out_conv = nn.Conv2d(ch[0], out_channels, 3, padding=1)

        for m in self.modules():
            if isinstance(m, ResBlock):
                nn.init.zeros_(m.conv2.weight); nn.init.zeros_(m.conv2.bias)
            if isinstance(m, AttnBlock):
                nn.init.zeros_(m.proj.weight); nn.init.zeros_(m.proj.bias)
        nn.init.zeros_(self.out_conv.weight); nn.init.zeros_(self.out_conv.bias)
        # Class-conditional (Ho & Salimans 2022): temb += label_embedding.weight[y], with
        # K + 1 rows, row K meaning "no label". Registered last, as in the Swift UNet.
        self.num_classes = num_classes
        self.label_embedding = nn.Embedding(num_classes + 1, emb_dim) if num_classes > 0 else None

    def forward(self, x, c, labels=None):
        b, _, h, w = x.shape
        if h % self.size_multiple or w % self.size_multiple:
            raise ValueError(f"image size {h}x{w}: height and width must be multiples of {self.size_multiple}")
        temb = self.time_mlp(sinusoidal_embedding(c, self.pos_dim, b))
        if self.label_embedding is not None:
            if labels is None:
                labels = torch.full((b,), self.num_classes, dtype=torch.long, device=x.device)
            temb = temb + self.label_embedding(labels.to(torch.long).reshape(b))
        hid = self.input_conv(x)
        skips = [hid]
        for level in self.down:
            for blk in level.blocks:
                hid = blk(hid, temb)
                skips.append(hid)
            if hasattr(level, "downsample"):
                hid = level.downsample(hid)
                skips.append(hid)
        hid = self.mid.block2(self.mid.block1(hid, temb), temb)
        for level in reversed(self.up):
            for blk in level.blocks:
                hid = blk(torch.cat([hid, skips.pop()], dim=1), temb)
            if hasattr(level, "upsample"):
                hid = level.upsample(F.interpolate(hid, scale_factor=2, mode="nearest"))
        return self.out_conv(F.silu(self.out_norm(hid)))

    @staticmethod
    def config_from_json(text: str) -> dict:
        """The snake_case UNetConfig JSON of Diffuse as keyword arguments."""
        cfg = json.loads(text)
        return {k: cfg[k] for k in ("in_channels", "out_channels", "channels_per_depth", "num_blocks",
                                    "attention_depths", "pos_dim", "emb_dim", "num_groups", "dropout", "num_classes")
                if k in cfg}

    @classmethod
    def from_h5(cls, path: str, group: str = "/model", config_attribute: str = "unet_config"):
        """Builds the model from the UNetConfig JSON stored as a root attribute and loads `group`."""
        with h5py.File(path, "r") as f:
            text = f.attrs[config_attribute]
        model = cls(**cls.config_from_json(text.decode() if isinstance(text, bytes) else text))
        model.load_h5(path, group)
        return model

    def load_h5(self, path: str, group: str = "/model"):
        """Loads one float32 dataset per state_dict name from `group`; raises listing every
        missing, unexpected and mis-shaped name."""
        state = self.state_dict()
        with h5py.File(path, "r") as f:
            g = f[group]
            names = set(g.keys())
            missing = sorted(set(state) - names)
            unexpected = sorted(names - set(state))
            misshaped = sorted(f"{k} (expected {tuple(state[k].shape)}, found {g[k].shape})"
                               for k in set(state) & names if tuple(g[k].shape) != tuple(state[k].shape))
            if missing or unexpected or misshaped:
                raise ValueError(f"weights in {path}:{group} do not match the model: missing {missing}; "
                                 f"unexpected {unexpected}; mis-shaped {misshaped}")
            loaded = {k: torch.from_numpy(np.asarray(g[k][()], dtype=np.float32)) for k in state}
        self.load_state_dict(loaded, strict=True)
        return self


def load_h5(model: nn.Module, path: str, group: str = "/model") -> nn.Module:
    """Functional form of `UNet.load_h5`."""
    return model.load_h5(path, group)
