"""PyTorch reference for `diffuse-bench train|sample`: the same three UNet configs, the same
training step (Karras denoiser on the VP schedule, Adam, dropout 0), one process, median of
timed steps. Run from the virtualenv that bench/setup-torch.sh makes:

    bash bench/setup-torch.sh
    .venv/bin/python bench/torch_reference.py --threads 2 [--configs mnist,cifar-small,ddpm-cifar10] [--precision bf16]

--precision bf16 runs forward and loss under torch.autocast("cpu", dtype=torch.bfloat16), the
mixed precision a PyTorch user with AVX512-BF16 / AMX would use (master weights and Adam fp32).

Prints one JSON object per config (img/s for training and forward-only, GFLOP/img, peak RSS)
so bench/compare.sh can put them beside Diffuse's numbers.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from torch_unet import UNet  # noqa: E402

# name: (in_channels, size, channels_per_depth, attention_depths, pos_dim, emb_dim, groups, batch)
CONFIGS = {
    "mnist": (1, 28, [32, 64, 128], [2], 32, 128, 8, 64),
    "cifar-small": (3, 32, [64, 128, 256], [2], 64, 256, 32, 32),
    "ddpm-cifar10": (3, 32, [128, 256, 256, 256], [1], 128, 512, 32, 8),
}


def vp_schedule(t, alpha_min=1e-3, sigma_min=1e-3):
    """VPSchedule of azula: alpha = exp(t^2 log alpha_min), sigma = sqrt(1 - alpha^2 + sigma_min^2)."""
    alpha = torch.exp(t ** 2 * math.log(alpha_min))
    sigma = torch.sqrt(1 - alpha ** 2 + sigma_min ** 2)
    return alpha, sigma


def karras_loss(model, x, generator):
    """Karras denoiser loss: w(t) ||d(x_t) - x||^2 with w = (alpha^2 + sigma^2) / sigma^2."""
    b = x.shape[0]
    t = torch.rand(b, generator=generator)
    alpha, sigma = vp_schedule(t)
    a, s = alpha[:, None, None, None], sigma[:, None, None, None]
    z = torch.randn(x.shape, generator=generator)
    xt = a * x + s * z
    norm2 = a ** 2 + s ** 2
    c_in, c_out, c_skip = 1 / norm2.sqrt(), s / norm2.sqrt(), a / norm2
    c_time = torch.log(sigma / alpha)
    mean = c_skip * xt + c_out * model(c_in * xt, c_time)
    w = norm2 / s ** 2
    return (w * (mean - x) ** 2).mean()


def flops_per_image(model, x, c):
    """Forward FLOPs (2 x multiply-adds) of the convolutions and linear layers, counted with
    hooks; attention matmuls are left out (a few percent at these sizes)."""
    total = 0

    def conv_hook(m, inp, out):
        nonlocal total
        total += 2 * out.numel() // out.shape[0] * m.in_channels * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        nonlocal total
        total += 2 * out.numel() // out.shape[0] * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x[:1], c[:1])
    for h in hooks:
        h.remove()
    return total


def bench(name, steps, warmup, precision):
    c_in, size, ch, attn, pos, emb, groups, batch = CONFIGS[name]
    torch.manual_seed(0)
    model = UNet(c_in, channels_per_depth=ch, num_blocks=2, attention_depths=attn, pos_dim=pos,
                 emb_dim=emb, num_groups=groups, dropout=0.0)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, c_in, size, size, generator=gen) * 2 - 1
    fwd_flops = flops_per_image(model, x, torch.zeros(batch))

    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        with autocast():
            loss = karras_loss(model, x, gen)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    train_step = statistics.median(times)

    model.eval()
    times = []
    with torch.no_grad(), autocast():
        c = torch.zeros(batch)
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            model(x, c)
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    fwd_step = statistics.median(times)
    return {
        "config": name, "precision": precision, "torch": torch.__version__, "params": params, "batch": batch,
        "train_img_per_s": batch / train_step, "forward_img_per_s": batch / fwd_step,
        "train_gflop_per_img": 3 * fwd_flops / 1e9,
        "train_gflop_per_s": 3 * fwd_flops * batch / train_step / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.configs.split(","):
        print(json.dumps(bench(name, args.steps, args.warmup, args.precision)), flush=True)


if __name__ == "__main__":
    main()
