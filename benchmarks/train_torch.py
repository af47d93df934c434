#!/usr/bin/python3
"""PyTorch's side of benchmarks/run-train: the same workloads as benchmarks/train.cpp.

LeNet-5 (28x28, pad 2) and the Fashion-MNIST example's network, full training steps
(forward, cross-entropy, backward, SGD with momentum 0.9, lr 0.01) on random data, batch 32
and 64, 1 and 2 threads. Prints "train <net> batch <B> threads <T> <images/s>" per workload,
the median of several timed runs. Needs Debian's python3-torch (run with /usr/bin/python3).
"""
import argparse
import statistics
import time

import torch
from torch import nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def fashion_mnist():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def images_per_second(make, batch, threads, runs, min_seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = make()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    batches = 8
    x = torch.rand(batches, batch, 1, 28, 28)
    y = torch.randint(0, 10, (batches, batch))

    def step(b):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[b]), y[b])
        loss.backward()
        opt.step()

    for b in range(batches):
        step(b)
    rates = []
    for _ in range(runs):
        images = 0
        start = time.perf_counter()
        while True:
            for b in range(batches):
                step(b)
            images += batches * batch
            seconds = time.perf_counter() - start
            if seconds >= min_seconds:
                break
        rates.append(images / seconds)
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.5)
    p.add_argument("--only", choices=["lenet5", "fashion_mnist"])
    a = p.parse_args()
    print(f"# PyTorch {torch.__version__} training")
    for batch in (32, 64):
        for threads in (1, 2):
            for name, make in (("lenet5", lenet5), ("fashion_mnist", fashion_mnist)):
                if a.only and a.only != name:
                    continue
                rate = images_per_second(make, batch, threads, a.runs, a.min_time)
                print(f"train {name} batch {batch} threads {threads} {rate:.1f}", flush=True)


if __name__ == "__main__":
    main()
