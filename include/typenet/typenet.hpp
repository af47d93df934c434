// typenet: convolutional networks as C++ types; include this for everything.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/diagnostics.hpp>
#include <typenet/geometry.hpp>
#include <typenet/layer.hpp>
#include <typenet/layers/activation.hpp>
#include <typenet/layers/adaptive_pool.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/conv.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/dropout.hpp>
#include <typenet/layers/flatten.hpp>
#include <typenet/layers/input.hpp>
#include <typenet/layers/pool.hpp>
#include <typenet/network.hpp>
#include <typenet/options.hpp>
#include <typenet/reference.hpp>
#include <typenet/rules.hpp>
#include <typenet/shape.hpp>
#include <typenet/summary.hpp>
