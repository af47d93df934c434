"""PyTorch twins of typenet's models, for the tools and tests that compare the two.

lenet5():  include/typenet/models/lenet5.hpp as an nn.Sequential: its unnamed layers are the
           Sequential's indices ("0.weight", "3.weight", "7.weight", ...), as typenet names them.
Cifar10(): include/typenet/models/cifar10.hpp as a module whose attributes (conv1 ... fc2) are the
           typenet layers' names.
beyond_lecture(): the network of tests/io/pytorch_weights_test.cpp ("layers beyond the lecture"): a
           bias-free convolution, ReLU6, depthwise (with and without a multiplier) and grouped
           convolutions, adaptive and global average pooling, a bias-free Linear, on 12 x 11
           inputs (PyTorch's floor rounding: typenet's defaults<round_down>).
PyTorch keeps images C x H x W where typenet keeps them H x W x C.
"""

import torch
from torch import nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def beyond_lecture():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.ReLU6(),        # 0, 1
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8), nn.ReLU6(),  # 2, 3: depthwise, 12x11 -> 6x6
        nn.Conv2d(8, 12, 1, groups=4, bias=False),                    # 4: grouped, 2 channels per group
        nn.AdaptiveAvgPool2d((4, 5)),                                 # 5: overlapping windows
        nn.Conv2d(12, 24, 3, padding=1, groups=12),                   # 6: depthwise, 2 filters per channel
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),                        # 7, 8
        nn.Linear(24, 5, bias=False))                                 # 9


class Cifar10(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = nn.functional.avg_pool2d(torch.relu(self.conv3(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))
