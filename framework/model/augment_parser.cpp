// SPDX-License-Identifier: Apache-2.0
#include "framework/model/augment_parser.h"

#include <array>
#include <string_view>

namespace initforge {
namespace {

// torchvision's size: an int (square) or a pair [height, width].
std::array<std::int64_t, 2> parse_size(const JsonCursor& c) {
  constexpr std::string_view kWhat =
      "a positive integer or [height, width] of positive integers";
  if (c.json().is_array()) {
    if (c.size() != 2) c.expected(kWhat);
    return {c.at(0).positive(), c.at(1).positive()};
  }
  if (!c.json().is_number_integer() && !c.json().is_number_unsigned()) {
    c.expected(kWhat);
  }
  const std::int64_t side = c.positive();
  return {side, side};
}

}  // namespace

AugmentConfig parse_augment(const JsonCursor& c) {
  constexpr std::array<std::string_view, 2> kKeys{
      "random_crop", "horizontal_flip"};
  constexpr std::array<std::string_view, 2> kCropKeys{"size", "padding"};
  AugmentConfig a;
  a.pointer = c.pointer();
  c.expect_object(
      "an object {\"random_crop\": {\"padding\": 4}, \"horizontal_flip\": "
      "true}");
  c.check_keys(kKeys, "augment");
  if (const auto crop = c.find("random_crop")) {
    crop->expect_object("an object {\"size\": 32, \"padding\": 4}");
    crop->check_keys(kCropKeys, "random_crop");
    a.random_crop = true;
    if (const auto size = crop->find("size")) a.crop_size = parse_size(*size);
    if (const auto padding = crop->find("padding")) {
      a.padding = padding->non_negative();
    }
  }
  if (const auto flip = c.find("horizontal_flip")) {
    a.horizontal_flip = flip->boolean();
  }
  return a;
}

}  // namespace initforge
