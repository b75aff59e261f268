// SPDX-License-Identifier: Apache-2.0
#include "framework/model/block_condition.h"

#include <cctype>
#include <cstddef>
#include <string_view>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {
namespace {

// A recursive-descent evaluator over the text; values are JSON scalars.
class Condition {
 public:
  Condition(
      const std::string& text,
      const std::map<std::string, nlohmann::json>& args)
      : text_(text), args_(args) {}

  bool evaluate() {
    const nlohmann::json value = disjunction();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected \"" + text_.substr(pos_) + "\"");
    return boolean(value, "the condition");
  }

 private:
  // Bounds the recursion, so no input can exhaust the stack.
  struct Nesting {
    explicit Nesting(Condition& c) : c_(c) {
      if (++c_.depth_ > kMaxDepth) c_.fail("nested too deeply");
    }
    ~Nesting() {
      --c_.depth_;
    }
    Condition& c_;
  };
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument(
        "condition \"" + text_ + "\": " + what +
        " (expected e.g. \"stride != 1 or in != out\")");
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  // Consumes `token` (a word must end there) if it comes next.
  bool accept(std::string_view token) {
    skip_space();
    if (text_.compare(pos_, token.size(), token) != 0) return false;
    const std::size_t end = pos_ + token.size();
    const bool word = std::isalpha(static_cast<unsigned char>(token[0])) != 0;
    if (word && end < text_.size() && is_name_char(text_[end])) return false;
    pos_ = end;
    return true;
  }

  static bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  }

  bool boolean(const nlohmann::json& value, const std::string& what) const {
    if (!value.is_boolean()) {
      fail(with_got(what + " must be true or false", value.dump()));
    }
    return value.get<bool>();
  }

  nlohmann::json disjunction() {
    nlohmann::json value = conjunction();
    while (accept("or")) {
      const bool left = boolean(value, "the left side of \"or\"");
      const bool right = boolean(conjunction(), "the right side of \"or\"");
      value = left || right;
    }
    return value;
  }

  nlohmann::json conjunction() {
    nlohmann::json value = negation();
    while (accept("and")) {
      const bool left = boolean(value, "the left side of \"and\"");
      const bool right = boolean(negation(), "the right side of \"and\"");
      value = left && right;
    }
    return value;
  }

  nlohmann::json negation() {
    if (accept("not")) {
      const Nesting nesting(*this);
      return !boolean(negation(), "the operand of \"not\"");
    }
    return comparison();
  }

  nlohmann::json comparison() {
    const nlohmann::json left = operand();
    // Two-character operators first, so "<=" is not read as "<".
    for (const std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (accept(op)) return compare(left, op, operand());
    }
    return left;
  }

  nlohmann::json compare(
      const nlohmann::json& a, std::string_view op, const nlohmann::json& b) {
    const bool numbers = a.is_number() && b.is_number();
    if (!numbers && a.type() != b.type()) {
      fail(
          "cannot compare " + a.dump() + " with " + b.dump() +
          " (different types)");
    }
    if (op == "==")
      return numbers ? a.get<double>() == b.get<double>() : a == b;
    if (op == "!=")
      return numbers ? a.get<double>() != b.get<double>() : a != b;
    if (!numbers) {
      fail(with_got("\"" + std::string(op) + "\" compares numbers", a.dump()));
    }
    const double x = a.get<double>();
    const double y = b.get<double>();
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    return x >= y;
  }

  nlohmann::json operand() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    if (accept("(")) {
      const Nesting nesting(*this);
      nlohmann::json value = disjunction();
      if (!accept(")")) fail("missing \")\"");
      return value;
    }
    const char c = text_[pos_];
    if (c == '\'') return quoted();
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-') {
      return number();
    }
    if (!is_name_char(c)) fail("unexpected \"" + text_.substr(pos_) + "\"");
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    const std::string name = text_.substr(start, pos_ - start);
    if (name == "true") return true;
    if (name == "false") return false;
    const auto it = args_.find(name);
    if (it == args_.end()) {
      std::vector<std::string> known;
      for (const auto& [key, value] : args_) known.push_back(key);
      const std::string hint = closest_match(name, known);
      fail(
          "unknown argument \"" + name + "\";" +
          (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
          (known.empty() ? " the block takes no arguments"
                         : " the block takes " + join_comma(known)));
    }
    return it->second;
  }

  nlohmann::json quoted() {
    const std::size_t end = text_.find('\'', pos_ + 1);
    if (end == std::string::npos) fail("missing closing '");
    std::string value = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return value;
  }

  nlohmann::json number() {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0 ||
            text_[pos_] == '.')) {
      ++pos_;
    }
    const std::string digits = text_.substr(start, pos_ - start);
    const nlohmann::json value =
        nlohmann::json::parse(digits, nullptr, /*allow_exceptions=*/false);
    if (!value.is_number()) fail("bad number \"" + digits + "\"");
    return value;
  }

  const std::string& text_;
  const std::map<std::string, nlohmann::json>& args_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

bool evaluate_condition(
    const std::string& expression,
    const std::map<std::string, nlohmann::json>& args) {
  return Condition(expression, args).evaluate();
}

}  // namespace initforge
