"""Compares the Swift samplers, schedules and denoiser preconditioning with azula 0.11.1.

Run by hand (never by the test suite). The Swift side is written by the hidden test
`AzulaReferenceFileTests.testAzulaReferenceFile` (Tests/TrainingTests):

    DIFFUSE_WRITE_AZULA_REFERENCE=/tmp/azula-ref.h5 swift test --filter testAzulaReferenceFile
    /work/venv-torch/bin/python tools/compare_azula.py /tmp/azula-ref.h5

`compare_azula.py --regression` prints the azula reference values hard-coded in
Tests/DiffusionTests/AzulaRegressionTests.swift (a virtualenv with torch, h5py, tqdm, einops and azula 0.11.1: `pip install --no-deps azula==0.11.1`).

For a 4-D Gaussian target with a full covariance and azula's analytic GaussianDenoiser, with the
same schedule (azula's VE, VP, cosine and rectified schedules; the EDM schedule, which azula does
not have, is written here from the issue's formula) and everything in float64:

- deterministic samplers (Euler, Heun, DDIM eta 0, zAB/vAB/zEAB/xEAB/REAB at orders 1-3) run from
  the same initial noise; prints the max abs difference of the outputs. REAB is compared with
  azula's REABSampler patched to use sigma_s in its final scale sqrt(alpha_s^2 + sigma_s^2) (the
  documented derivation, which Diffuse follows as issue 4 asks); the difference to azula as
  shipped (sigma_t there) is printed alongside.
- stochastic samplers (DDPM, DDIM eta 0.5, Ito, PC) can only be compared in distribution. With the
  Gaussian denoiser each azula step is affine in (x_t, noise), so azula's exact output mean and
  covariance are propagated step by step (torch.randn_like patched to inject basis vectors) from
  azula's init distribution; the Swift samples (drawn with Swift's init) are compared with them:
  the largest |mean difference| in units of its standard error and the largest |covariance
  difference| in units of an approximate standard error (sqrt((P_ii P_jj + P_ij^2) / N)).
- the Simple and Karras preconditioning (c_in, c_out, c_skip, c_time) and loss weights, read off
  azula's denoisers with probing backbones.
"""
import math
import sys

import h5py
import numpy as np
import torch

import azula
from azula.denoise import GaussianDenoiser, KarrasDenoiser, SimpleDenoiser
from azula.linalg.covariance import FullCovariance
from azula.noise import CosineSchedule, RectifiedSchedule, Schedule, VESchedule, VPSchedule
from azula.sample import (
    DDIMSampler, DDPMSampler, EulerSampler, HeunSampler, ItoSampler, PCSampler, REABSampler,
    vABSampler, xEABSampler, zABSampler, zEABSampler,
)

DTYPE = torch.float64


class ElucidatedSchedule(Schedule):
    """The EDM noise levels: alpha = 1, sigma = ((1-t) sigma_min^(1/rho) + t sigma_max^(1/rho))^rho."""

    def __init__(self, sigma_min=0.002, sigma_max=80.0, rho=7.0):
        self.sigma_min, self.sigma_max, self.rho = sigma_min, sigma_max, rho

    def __call__(self, t):
        r = 1 / self.rho
        sigma = ((1 - t) * self.sigma_min**r + t * self.sigma_max**r) ** self.rho
        return torch.ones_like(t), sigma


class REABSigmaS(REABSampler):
    """azula's REABSampler with sigma_s (not sigma_t) in the final scale, as its derivation gives."""

    @torch.no_grad()
    def __call__(self, x, **kwargs):
        time = self.timesteps.to(device=x.device)
        alpha, sigma = self.denoiser.schedule(time)
        u = sigma.log() - alpha.log()
        x_t = x
        buffer = []
        for i, t in enumerate(time[:-1]):
            alpha_t, sigma_t = alpha[i], sigma[i]
            alpha_s, sigma_s = alpha[i + 1], sigma[i + 1]
            q_t = self.denoiser(x_t, t, **kwargs)
            a_t = sigma_t**2 / (alpha_t**2 + sigma_t**2)
            b_t = sigma_t * torch.rsqrt(alpha_t**2 + sigma_t**2)
            f_t = (1 - a_t) / b_t / alpha_t * x_t - 1 / b_t * q_t.mean
            buffer.append(f_t)
            if len(buffer) > self.order:
                buffer.pop(0)
            coeffs = self._exponential_adams_bashforth(u, i=i, n=self.order)
            integral = sum(b * c for b, c in zip(buffer, coeffs, strict=True))
            x_s = (
                torch.sqrt((alpha_s**2 + sigma_s**2) / (alpha_t**2 + sigma_t**2)) * x_t
                + torch.sqrt(alpha_s**2 + sigma_s**2) * integral
            )
            x_t = x_s
        return x_t


def make_schedule(group):
    kind = group.attrs["kind"]
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    p = {k: float(group.attrs[k]) for k in group.attrs if k != "kind"}
    return {
        "vp": VPSchedule, "ve": VESchedule, "cosine": CosineSchedule,
        "rectified": RectifiedSchedule, "elucidated": ElucidatedSchedule,
    }[kind](**p)


def make_sampler(name, denoiser, steps, shipped_reab=False):
    kw = dict(steps=steps, silent=True, dtype=DTYPE)
    if name == "euler":
        return EulerSampler(denoiser, **kw)
    if name == "heun":
        return HeunSampler(denoiser, **kw)
    if name == "ddim":
        return DDIMSampler(denoiser, eta=0.0, **kw)
    if name == "ddpm":
        return DDPMSampler(denoiser, **kw)
    if name.startswith("ddim_eta"):
        return DDIMSampler(denoiser, eta=float(name[len("ddim_eta"):]), **kw)
    if name.startswith("ito_eta"):
        eta, temp = name[len("ito_eta"):].split("_temp")
        return ItoSampler(denoiser, eta=float(eta), temperature=float(temp), **kw)
    if name.startswith("pc"):
        corrections, delta = name[2:].split("_delta")
        return PCSampler(denoiser, corrections=int(corrections), delta=float(delta), **kw)
    for prefix, cls in [("zab", zABSampler), ("vab", vABSampler), ("zeab", zEABSampler),
                        ("xeab", xEABSampler), ("reab", REABSampler if shipped_reab else REABSigmaS)]:
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return cls(denoiser, order=int(name[len(prefix):]), **kw)
    raise ValueError(f"unknown sampler {name}")


class PatchedNoise:
    """torch.randn_like replaced: call number `hot` returns `value`, every other call zeros."""

    def __init__(self, hot=-1, value=None):
        self.hot, self.value, self.calls = hot, value, 0

    def __call__(self, like, *args, **kwargs):
        k, self.calls = self.calls, self.calls + 1
        if k == self.hot:
            return self.value.to(like).reshape(like.shape)
        return torch.zeros_like(like)

    def __enter__(self):
        self.saved, torch.randn_like = torch.randn_like, self
        return self

    def __exit__(self, *exc):
        torch.randn_like = self.saved


def exact_moments(sampler, mean, var_diag, x_T=None):
    """Exact output mean and covariance of a stochastic azula sampler (affine in x and noise)
    started from its init distribution N(alpha_T mean, diag(alpha_T^2 var + sigma_T^2)), or from
    the point x_T if given."""
    d = mean.numel()
    alpha_T, sigma_T = sampler.denoiser.schedule(sampler.timesteps[0])
    m = alpha_T * mean
    P = torch.diag(alpha_T**2 * var_diag + sigma_T**2)
    if x_T is not None:
        m, P = x_T.clone(), torch.zeros(d, d, dtype=DTYPE)
    eye = torch.eye(d, dtype=DTYPE)
    probe = torch.cat([torch.zeros(1, d, dtype=DTYPE), eye])
    for t, s in sampler.timesteps.unfold(0, 2, 1):
        with PatchedNoise() as noise:
            out = sampler.step(probe, t, s)
        calls = noise.calls
        b = out[0]
        A = (out[1:] - b).T  # column j = A e_j
        m_new = A @ m + b
        P_new = A @ P @ A.T
        for k in range(calls):
            # Noise of call k: rows 1..d of the batch get e_j, row 0 gets zero.
            with PatchedNoise(hot=k, value=torch.cat([torch.zeros(1, d, dtype=DTYPE), eye])):
                out_k = sampler.step(probe, t, s)
            C = (out_k[1:] - out[1:]).T  # column j = C_k e_j
            P_new = P_new + C @ C.T
        m, P = m_new, P_new
    return m, P


def probe_preconditioning(denoiser_cls, schedule, times):
    """(c_in, c_out, c_skip, c_time, weight) read off azula's denoiser with probing backbones."""
    rows = []
    for t in times:
        t = torch.tensor(t, dtype=DTYPE)
        seen = {}

        class Probe(torch.nn.Module):
            def __init__(self, value):
                super().__init__()
                self.value = value
                self.dummy = torch.nn.Parameter(torch.zeros((), dtype=DTYPE))

            def forward(self, x, c):
                seen["x"], seen["c"] = x, c
                return torch.full_like(x, self.value)

        x = torch.ones(1, 1, dtype=DTYPE)
        zero = denoiser_cls(Probe(0.0), schedule)(x, t.reshape(1)).mean.item()
        one = denoiser_cls(Probe(1.0), schedule)(x, t.reshape(1)).mean.item()
        c_in, c_time = seen["x"].item(), seen["c"].item()
        c_skip, c_out = zero, one - zero
        # Loss with z = 0 and a zero backbone: w (c_skip alpha - 1)^2 at x = 1.
        alpha, _ = schedule(t)
        with PatchedNoise():
            loss = denoiser_cls(Probe(0.0), schedule).loss(x, t.reshape(1)).item()
        weight = loss / (c_skip * alpha.item() - 1) ** 2
        rows.append([c_in, c_out, c_skip, c_time, weight])
    return np.array(rows)


def main(path):
    torch.set_grad_enabled(False)
    print(f"azula {azula.__version__}, torch {torch.__version__}, reference {path}")
    with h5py.File(path, "r") as f:
        mean = torch.tensor(np.asarray(f.attrs["mean"]), dtype=DTYPE)
        cov = torch.tensor(np.asarray(f.attrs["covariance"]), dtype=DTYPE).reshape(4, 4)
        steps = int(f.attrs["steps"])
        L, Q = torch.linalg.eigh(cov)
        det_table, sto_table, pre_table = {}, {}, {}
        worst = 0.0
        for name in f:
            g = f[name]
            schedule = make_schedule(g)
            denoiser = GaussianDenoiser(mean, FullCovariance(Q, L), schedule)
            x = torch.tensor(np.asarray(g["x"]), dtype=DTYPE)
            for sampler in g["deterministic"]:
                y_swift = np.asarray(g["deterministic"][sampler], dtype=np.float64)
                y = make_sampler(sampler, denoiser, steps)(x).numpy()
                scale = max(1.0, np.abs(y).max())
                diff = np.abs(y - y_swift).max()
                entry = {"diff": diff, "scale": scale}
                if sampler.startswith("reab"):
                    shipped = make_sampler(sampler, denoiser, steps, shipped_reab=True)(x).numpy()
                    entry["shipped"] = np.abs(shipped - y_swift).max()
                det_table.setdefault(sampler, {})[name] = entry
                worst = max(worst, diff / scale)
            n = g["stochastic_x"].shape[0]
            for sampler in g["stochastic"]:
                samples = np.asarray(g["stochastic"][sampler], dtype=np.float64)
                m, P = exact_moments(make_sampler(sampler, denoiser, steps), mean, torch.diag(cov))
                m, P = m.numpy(), P.numpy()
                mean_z = np.abs(samples.mean(0) - m) / np.sqrt(np.diag(P) / n)
                cov_se = np.sqrt((np.outer(np.diag(P), np.diag(P)) + P**2) / n)
                cov_z = np.abs(np.cov(samples.T) - P) / cov_se
                sto_table.setdefault(sampler, {})[name] = (mean_z.max(), cov_z.max())
            times = np.asarray(g["preconditioning"]["times"])
            for label, cls in [("simple", SimpleDenoiser), ("karras", KarrasDenoiser)]:
                ours = np.asarray(g["preconditioning"][label])
                ref = probe_preconditioning(cls, schedule, times)
                rel = np.abs(ours - ref) / np.maximum(1.0, np.abs(ref))
                pre_table.setdefault(label, {})[name] = rel.max()
        schedules = list(f)

    print(f"\nDeterministic samplers, {steps} steps: max |Swift - azula| over 8 samples "
          "(float64 azula, float32 Swift; relative to max(1, |x|) in brackets where |x| > 1)")
    print(f"{'sampler':10s}" + "".join(f"{s:>22s}" for s in schedules))
    for sampler, row in det_table.items():
        cells = []
        for s in schedules:
            e = row[s]
            cell = f"{e['diff']:.2e}" + (f" ({e['diff'] / e['scale']:.1e})" if e["scale"] > 1 else "")
            cells.append(f"{cell:>22s}")
        print(f"{sampler:10s}" + "".join(cells))
    print("\nREAB against azula as shipped (sigma_t in the final scale), for information:")
    for sampler, row in det_table.items():
        if "shipped" in next(iter(row.values())):
            print(f"{sampler:10s}" + "".join(f"{row[s]['shipped']:22.2e}" for s in schedules))

    print("\nStochastic samplers: Swift samples vs azula's exact output moments "
          "(max |mean diff| / s.e., max |cov diff| / s.e.; ~N(0,1) each, max of 4 and 16)")
    print(f"{'sampler':20s}" + "".join(f"{s:>16s}" for s in schedules))
    for sampler, row in sto_table.items():
        print(f"{sampler:20s}" + "".join(f"{row[s][0]:7.2f} {row[s][1]:7.2f} " for s in schedules))

    print("\nPreconditioning (c_in, c_out, c_skip, c_time, loss weight): max relative difference")
    for label, row in pre_table.items():
        print(f"{label:10s}" + "".join(f"{row[s]:14.2e}" for s in schedules))
    return worst


REGRESSION_MEAN = [0.5, -1.0, 2.0, 0.25]
REGRESSION_A = [[1.0, 0.3, -0.2, 0.1], [0.0, 0.8, 0.4, -0.3], [0.2, 0.0, 0.6, 0.5], [-0.1, 0.2, 0.0, 0.4]]
REGRESSION_X = [0.3, -1.2, 0.8, 2.0]


def regression_values(steps=4):
    """Prints, as Swift literals, azula's outputs for the tiny case of
    Tests/DiffusionTests/AzulaRegressionTests.swift: the 4-D GaussianTarget (A A^T + 0.05 I), VP
    schedule (defaults), `steps` uniform steps, x_T = REGRESSION_X: the deterministic samplers'
    outputs, and the exact output mean and covariance diagonal of the stochastic samplers from x_T."""
    torch.set_grad_enabled(False)
    mean = torch.tensor(REGRESSION_MEAN, dtype=DTYPE)
    a = torch.tensor(REGRESSION_A, dtype=DTYPE)
    cov = a @ a.T + 0.05 * torch.eye(4, dtype=DTYPE)
    L, Q = torch.linalg.eigh(cov)
    denoiser = GaussianDenoiser(mean, FullCovariance(Q, L), VPSchedule())
    x = torch.tensor([REGRESSION_X], dtype=DTYPE)
    fmt = lambda v: "[" + ", ".join(f"{float(e):.10g}" for e in v) + "]"
    print(f"// azula {azula.__version__}, VP schedule, {steps} steps, x_T = {REGRESSION_X}")
    names = ["euler", "heun", "ddim"] + [f"{p}{o}" for p in ["zab", "vab", "zeab", "xeab", "reab"] for o in (1, 2, 3)]
    for name in names:
        y = make_sampler(name, denoiser, steps)(x)[0]
        print(f'("{name}", {fmt(y)}),')
    for name in ["ddpm", "ddim_eta0.5", "ito_eta0.5_temp1", "pc2_delta0.1"]:
        m, P = exact_moments(make_sampler(name, denoiser, steps), mean, torch.diag(cov), x_T=x[0])
        print(f'("{name}", mean: {fmt(m)}, variance: {fmt(torch.diag(P))}),')
    t = [1.0, 0.5, 0.0]
    for label, cls in [("simple", SimpleDenoiser), ("karras", KarrasDenoiser)]:
        rows = probe_preconditioning(cls, VPSchedule(), t)
        print(f"// {label} (c_in, c_out, c_skip, c_time, weight) at t = {t}")
        for r in rows:
            print(fmt(r) + ",")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--regression":
        regression_values()
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/azula-ref.h5")
