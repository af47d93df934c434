#!/usr/bin/python3
"""The whole-model benchmark, PyTorch's side: torchvision's ResNet-18 and MobileNetV2 in eval mode,
torch.inference_mode, float32, NCHW, at 224x224, batch 1 and 16, on 1 and 2 threads. Prints the
lines benchmarks/models.cpp prints, so that benchmarks/run-models can set them side by side.

    benchmarks/models_torch.py [RUNS]
"""
import statistics
import sys
import time

import torch
import torchvision


def median_ms(f, runs):
    f()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    print(f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}, {runs} runs per batch-1 workload "
          f"(a quarter for batch 16), median", flush=True)
    torch.manual_seed(1)
    for name, make in (("resnet18", torchvision.models.resnet18), ("mobilenet_v2", torchvision.models.mobilenet_v2)):
        model = make().eval()
        for batch in (1, 16):
            x = torch.rand(batch, 3, 224, 224)
            for threads in (1, 2):
                torch.set_num_threads(threads)
                with torch.inference_mode():
                    ms = median_ms(lambda: model(x), runs if batch == 1 else max(3, runs // 4))
                print(f"{name} batch {batch} threads {threads}: {ms:.3f} ms", flush=True)


if __name__ == "__main__":
    main()
