"""PyTorch twins of typenet's models, for the tools and tests that compare the two.

lenet5():  include/typenet/models/lenet5.hpp as an nn.Sequential: its unnamed layers are the
           Sequential's indices ("0.weight", "3.weight", "7.weight", ...), as typenet names them.
Cifar10(): include/typenet/models/cifar10.hpp as a module whose attributes (conv1 ... fc2) are the
           typenet layers' names.
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
