// fit(): an epoch is deterministic across thread counts, the CSV log and the plain progress lines, misuse.
#include <typenet/train/fit.hpp>
#include <typenet/typenet.hpp>

#include "../bands.hpp"
#include "../seed.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {
using namespace typenet;
using net = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, flatten,
                    dense<units<3>>>;

std::filesystem::path temp_file(const std::string& name) { return testing::temp_path("fit-test", name); }
using testing::bands;

}  // namespace

TEST_CASE("an epoch with the same seed gives bit-identical weights on 1 and 2 threads, and the net learns") {
  const data::dataset train = bands(300, testing::fresh_seed()), test = bands(90, testing::fresh_seed() + 1);
  auto train_with = [&](std::size_t threads) {
    model<net> m(he_normal{4});
    train::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.05, .momentum = 0.9},
                                                            {.batch = 40, .threads = threads});
    const auto reports = train::fit(t, train, &test, {.epochs = 3, .seed = 9, .report = train::progress::none});
    REQUIRE(reports.size() == 3);
    CHECK(reports.back().test_accuracy > 0.9);
    return std::vector<float>(m.parameters().begin(), m.parameters().end());
  };
  const auto one = train_with(1), two = train_with(2);
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

TEST_CASE("fit writes a CSV row per epoch and plain progress lines when the output is not a terminal") {
  const data::dataset train = bands(200, 1);
  const std::filesystem::path csv = temp_file("curves.csv"), log = temp_file("log.txt");
  model<net> m(he_normal{1});
  train::trainer<net, train::cross_entropy, train::adam> t(m, {.lr = 0.01}, {.batch = 8});
  std::FILE* out = std::fopen(log.c_str(), "w");
  REQUIRE(out);
  const auto reports = train::fit(t, train, nullptr, {.epochs = 2, .csv = csv, .out = out}, train::step_lr{1, 0.5});
  std::fclose(out);
  CHECK(reports[0].learning_rate == doctest::Approx(0.01));
  CHECK(reports[1].learning_rate == doctest::Approx(0.005));
  CHECK(t.learning_rate() == doctest::Approx(0.01));  // restored
  CHECK(std::isnan(reports[0].test_accuracy));
  std::ifstream c(csv);
  std::string header, row1, row2, extra;
  std::getline(c, header), std::getline(c, row1), std::getline(c, row2);
  CHECK(header == "epoch,learning_rate,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second");
  CHECK(row1.rfind("1,0.01,", 0) == 0);
  CHECK(row2.rfind("2,0.005,", 0) == 0);
  CHECK(!std::getline(c, extra));
  std::ifstream l(log);
  std::stringstream text;
  text << l.rdbuf();
  const std::string s = text.str();
  CHECK(s.find("epoch 1/2 batch 2/25 loss") != std::string::npos);  // a line at each tenth of an epoch
  CHECK(s.find("epoch 2/2  lr 0.005  train loss") != std::string::npos);
  CHECK(s.find('\r') == std::string::npos);  // no bar
  std::filesystem::remove(csv);
  std::filesystem::remove(log);
}

TEST_CASE("fit's progress bar redraws one line: epoch, batch, loss, accuracy, images per second, time left") {
  const data::dataset train = bands(64, 3);
  const std::filesystem::path log = temp_file("bar.txt");
  model<net> m(he_normal{1});
  train::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.05}, {.batch = 8});
  std::FILE* out = std::fopen(log.c_str(), "w");
  REQUIRE(out);
  train::fit(t, train, nullptr, {.epochs = 1, .report = train::progress::bar, .out = out});
  std::fclose(out);
  std::ifstream l(log);
  std::stringstream text;
  text << l.rdbuf();
  const std::string s = text.str();
  CHECK(s.find("\r\033[Kepoch 1/1 [") != std::string::npos);
  CHECK(s.find("] 8/8 loss ") != std::string::npos);
  CHECK(s.find(" img/s ETA 0:00") != std::string::npos);
  CHECK(s.find("\r\033[Kepoch 1/1  lr 0.05  train loss") != std::string::npos);  // the bar gives way to the epoch's line
  std::filesystem::remove(log);
}

TEST_CASE("fit refuses a data set of another shape, and an unwritable CSV path, before training") {
  model<net> m(he_normal{1});
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  train::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.1}, {.batch = 8});
  data::dataset wrong = bands(16, 2);
  wrong.sample = volume(7, 7, 1);
  CHECK_THROWS_WITH_AS(train::fit(t, wrong, nullptr, {.epochs = 1, .report = train::progress::none}),
                       doctest::Contains("the data set's samples hold 49 values, the network takes 64"),
                       std::invalid_argument);
  data::dataset short_images = bands(16, 2);
  short_images.images.resize(15 * 64);
  CHECK_THROWS_WITH_AS(train::fit(t, short_images, nullptr, {.epochs = 1, .report = train::progress::none}),
                       doctest::Contains("holds 960 image values and 16 labels for 16 samples"), std::invalid_argument);
  CHECK_THROWS_AS(train::fit(t, bands(16, 2), nullptr,
                             {.epochs = 1, .csv = "/nonexistent-dir/x.csv", .report = train::progress::none}),
                  std::runtime_error);
  CHECK(std::vector<float>(m.parameters().begin(), m.parameters().end()) == before);
}
